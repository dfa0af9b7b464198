"""People and roles: who signs in and what they are in the organisation."""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from domain.errors import DomainError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Role(enum.Enum):
    REQUESTER = "REQUESTER"
    AGENT = "AGENT"
    MANAGER = "MANAGER"
    ADMIN = "ADMIN"


STAFF_ROLES = frozenset({Role.AGENT, Role.MANAGER})


@dataclass(slots=True)  # one per signed-in websocket connection: thousands can be alive at once
class Person:
    id: int
    name: str
    email: str
    role: Role
    department_id: int | None
    created_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_staff(self) -> bool:
        """An agent or manager: someone who works a department's queue."""
        return self.role in STAFF_ROLES and self.department_id is not None

    def works_in(self, department_id: int | None) -> bool:
        return self.is_staff and department_id is not None and self.department_id == department_id

    def manages(self, department_id: int | None) -> bool:
        return self.role is Role.MANAGER and self.department_id == department_id


def new_person(*, id: int, name: str, email: str, role: Role, department_id: int | None,
               now: datetime) -> Person:
    name = name.strip()
    email = email.strip().lower()
    if not name:
        raise DomainError("Name must not be blank.", field=("name",))
    if not EMAIL.match(email):
        raise DomainError("Email is not a valid address.", field=("email",), code="INVALID_EMAIL")
    if role in STAFF_ROLES and department_id is None:
        raise DomainError("Agents and managers belong to a department.", field=("departmentId",),
                          code="DEPARTMENT_REQUIRED")
    return Person(id=id, name=name, email=email, role=role, department_id=department_id, created_at=now)
