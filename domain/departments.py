"""Departments: the units that own services and queues."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from domain.errors import DomainError

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Department:
    id: int
    name: str
    slug: str
    created_at: datetime | None = None


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def new_department(*, id: int, name: str, slug: str | None, now: datetime) -> Department:
    name = name.strip()
    if not name:
        raise DomainError("Name must not be blank.", field=("name",))
    slug = (slug or slugify(name)).strip()
    if not SLUG.match(slug) or len(slug) > 60:
        raise DomainError("Slug uses lowercase letters, digits and dashes.", field=("slug",), code="INVALID_SLUG")
    return Department(id=id, name=name, slug=slug, created_at=now)
