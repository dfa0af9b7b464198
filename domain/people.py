"""People and roles: who signs in and what they are in the organisation.

A person is also an aggregate: admins change their name, role and department, deactivate and
reactivate them; each change checks its rules, bumps the version and records an event.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.errors import DomainError, Forbidden, StaleVersion
from domain.events import Event

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Service accounts need an address (every person has a unique one) that no mailbox or identity
# provider can have: RFC 2606 keeps `.invalid` for that.
SERVICE_ACCOUNT_DOMAIN = "service-accounts.invalid"


class Role(enum.Enum):
    REQUESTER = "REQUESTER"
    AGENT = "AGENT"
    MANAGER = "MANAGER"
    ADMIN = "ADMIN"


STAFF_ROLES = frozenset({Role.AGENT, Role.MANAGER})


class PersonKind(enum.Enum):
    PERSON = "PERSON"  # a human: signs in through OpenID Connect (or a development token)
    SERVICE_ACCOUNT = "SERVICE_ACCOUNT"  # an integration: signs in only with its API tokens


@dataclass(slots=True)  # one per signed-in websocket connection: thousands can be alive at once
class Person:
    id: int
    name: str
    email: str
    role: Role
    department_id: int | None
    created_at: datetime | None = None
    kind: PersonKind = PersonKind.PERSON
    deactivated_at: datetime | None = None
    version: int = 1
    # Made on the first change only: a viewer (most Person objects) never records anything.
    events: list[Event] | None = field(default=None, compare=False, repr=False)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_staff(self) -> bool:
        """An agent or manager: someone who works a department's queue."""
        return self.role in STAFF_ROLES and self.department_id is not None

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None

    @property
    def is_service_account(self) -> bool:
        return self.kind is PersonKind.SERVICE_ACCOUNT

    def works_in(self, department_id: int | None) -> bool:
        return self.is_staff and department_id is not None and self.department_id == department_id

    def manages(self, department_id: int | None) -> bool:
        return self.role is Role.MANAGER and self.department_id == department_id

    # -- administration --------------------------------------------------------------------------

    def check_version(self, expected: int | None) -> None:
        if expected is not None and expected != self.version:
            raise StaleVersion(
                f"The person changed since version {expected}; they are now at {self.version}.",
                field=("expectedVersion",),
            )

    def update(self, actor: Person, changes: PersonChanges, *, now: datetime, other_active_admins: int) -> None:
        """Apply what changed; a refused change changes nothing. `other_active_admins`: the active
        admins besides this person, so the last one cannot stop being one."""
        _require_admin(actor)
        name = self.name if changes.name is None else _checked_name(changes.name)
        role = changes.role or self.role
        department_id = self.department_id if changes.department_id is KEEP else changes.department_id
        _check_department(role, department_id)
        changed = {
            key: value
            for key, value in (("name", name), ("role", role), ("department_id", department_id))
            if getattr(self, key) != value
        }
        if not changed:
            return
        if self.is_admin and role is not Role.ADMIN and self.is_active:
            _check_admins_remain(other_active_admins)
        before = (self.role, self.department_id)
        self.name, self.role, self.department_id = name, role, department_id
        self._record(
            "PersonUpdated",
            actor,
            now,
            departments=before[1:],
            changed=sorted(_camel(k) for k in changed),
            role=role.value,
            **{"from": before[0].value},
        )

    def deactivate(self, actor: Person, *, now: datetime, other_active_admins: int) -> None:
        """Their sign-ins and tokens stop working; nothing they did is undone. Deactivating an
        inactive person changes nothing."""
        _require_admin(actor)
        if actor.id == self.id:
            raise Forbidden(
                "You cannot deactivate yourself: ask another admin.", field=("id",), code="CANNOT_DEACTIVATE_SELF"
            )
        if not self.is_active:
            return
        if self.is_admin:
            _check_admins_remain(other_active_admins)
        self.deactivated_at = now
        self._record("PersonDeactivated", actor, now)

    def reactivate(self, actor: Person, *, now: datetime) -> None:
        """They may sign in again; their API tokens revoked meanwhile stay revoked."""
        _require_admin(actor)
        if self.is_active:
            return
        self.deactivated_at = None
        self._record("PersonReactivated", actor, now)

    def become_first_admin(self, *, now: datetime) -> None:
        """`tandem init` in a database with no admin yet: this person becomes the first one."""
        if self.is_service_account or not self.is_active:
            raise DomainError(
                "Only an active person (not a service account) can become the first admin.", code="NOT_ELIGIBLE"
            )
        before = self.role
        self.role = Role.ADMIN
        self._record(
            "PersonUpdated",
            None,
            now,
            departments=(),
            changed=["role"],
            role=Role.ADMIN.value,
            via="init",
            **{"from": before.value},
        )

    def take_events(self) -> list[Event]:
        events, self.events = self.events or [], None
        return events

    def _record(
        self,
        type_: str,
        actor: Person | None,
        now: datetime,
        *,
        departments: tuple[int | None, ...] = (),
        **payload: Any,
    ) -> None:
        self.version += 1
        concerned = tuple(sorted({d for d in (*departments, self.department_id) if d is not None}))
        event = Event(
            type_,
            now,
            actor.id if actor is not None else None,
            {"personId": self.id, "name": self.name, **payload},
            department_ids=concerned,
        )
        if self.events is None:
            self.events = []
        self.events.append(event)


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()  # a change that leaves the department as it is (None clears it)


@dataclass(frozen=True)
class PersonChanges:
    """What an update asks for; None (KEEP for the department) leaves a part as it is."""

    name: str | None = None
    role: Role | None = None
    department_id: int | None = KEEP


def _require_admin(actor: Person) -> None:
    if not actor.is_admin:
        raise Forbidden("Only admins manage departments and people.")


def _check_admins_remain(other_active_admins: int) -> None:
    if other_active_admins < 1:
        raise Forbidden(
            "Tandem needs an active admin: make someone else admin first.", field=("id",), code="LAST_ADMIN"
        )


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError("Name must not be blank.", field=("name",))
    if len(name) > 200:
        raise DomainError("A name has at most 200 characters.", field=("name",))
    return name


def _check_department(role: Role, department_id: int | None) -> None:
    if role in STAFF_ROLES and department_id is None:
        raise DomainError(
            "Agents and managers belong to a department.", field=("departmentId",), code="DEPARTMENT_REQUIRED"
        )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def new_person(*, id: int, name: str, email: str, role: Role, department_id: int | None, now: datetime) -> Person:
    name = name.strip()
    email = email.strip().lower()
    if not name:
        raise DomainError("Name must not be blank.", field=("name",))
    if not EMAIL.match(email):
        raise DomainError("Email is not a valid address.", field=("email",), code="INVALID_EMAIL")
    _check_department(role, department_id)
    return Person(id=id, name=name, email=email, role=role, department_id=department_id, created_at=now)


def new_service_account(*, id: int, name: str, role: Role, department_id: int | None, now: datetime) -> Person:
    """An integration's identity: it has a role and department like anyone, signs in only with
    its API tokens, and gets an address no one can receive mail at or sign in with."""
    person = new_person(
        id=id,
        name=_checked_name(name),
        email=f"service-account-{id}@{SERVICE_ACCOUNT_DOMAIN}",
        role=role,
        department_id=department_id,
        now=now,
    )
    person.kind = PersonKind.SERVICE_ACCOUNT
    return person
