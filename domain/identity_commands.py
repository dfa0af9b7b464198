"""Commands of people administration and API tokens (imperative names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.api_tokens import Scope
from domain.people import PersonChanges, Role


@dataclass(frozen=True)
class UpdatePerson:
    person_id: int
    expected_version: int
    changes: PersonChanges


@dataclass(frozen=True)
class DeactivatePerson:
    person_id: int
    expected_version: int | None = None


@dataclass(frozen=True)
class ReactivatePerson:
    person_id: int
    expected_version: int | None = None


@dataclass(frozen=True)
class CreateServiceAccount:
    name: str
    role: Role
    department_id: int | None = None


@dataclass(frozen=True)
class CreateApiToken:
    name: str
    scopes: frozenset[Scope]
    person_id: int | None = None  # None: the actor's own
    expires_at: datetime | None = None


@dataclass(frozen=True)
class RevokeApiToken:
    token_id: int


@dataclass(frozen=True)
class CreateFirstAdmin:
    email: str
    name: str | None = None
