"""The service catalog: services owned by a department, and their request types."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime

from domain.errors import DomainError

FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class FieldKind(enum.Enum):
    TEXT = "TEXT"
    NUMBER = "NUMBER"
    DATE = "DATE"
    CHOICE = "CHOICE"
    PERSON = "PERSON"


@dataclass(frozen=True)
class FieldDefinition:
    key: str
    label: str
    kind: FieldKind
    required: bool = False
    options: tuple[str, ...] | None = None
    # Filled in and seen only by the departments working on a request (and admins), as internal notes are.
    agent_only: bool = False


@dataclass(frozen=True)
class SlaPolicy:
    """Targets for MEDIUM priority; other priorities scale them (see domain.sla)."""

    response_minutes: int
    resolution_minutes: int


@dataclass(frozen=True)
class TaskTemplate:
    title: str
    department_id: int


@dataclass
class Service:
    id: int
    name: str
    description: str
    owner_department_id: int
    collaborating_department_ids: list[int] = field(default_factory=list)
    active: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def update(
        self,
        *,
        name: str | None = None,
        description: str | None = None,
        active: bool | None = None,
        collaborating_department_ids: list[int] | None = None,
        now: datetime,
    ) -> dict[str, object]:
        """Apply the given changes; return what changed (for the event)."""
        changes: dict[str, object] = {}
        if name is not None and name.strip() != self.name:
            self.name = _required_text(name, "name")
            changes["name"] = self.name
        if description is not None and description.strip() != self.description:
            self.description = description.strip()
            changes["description"] = self.description
        if active is not None and active != self.active:
            self.active = active
            changes["active"] = active
        if collaborating_department_ids is not None:
            ids = _collaborators(collaborating_department_ids, self.owner_department_id)
            if ids != self.collaborating_department_ids:
                self.collaborating_department_ids = ids
                changes["collaboratingDepartmentIds"] = ids
        if changes:
            self.updated_at = now
        return changes


@dataclass
class RequestType:
    id: int
    service_id: int
    name: str
    fields: list[FieldDefinition] = field(default_factory=list)
    sla: SlaPolicy | None = None
    task_templates: list[TaskTemplate] = field(default_factory=list)
    created_at: datetime | None = None

    def field_by_key(self, key: str) -> FieldDefinition | None:
        return next((f for f in self.fields if f.key == key), None)


def _required_text(value: str, name: str) -> str:
    value = value.strip()
    if not value:
        raise DomainError(f"{name.capitalize()} must not be blank.", field=(name,))
    if len(value) > 200:
        raise DomainError(f"{name.capitalize()} is longer than 200 characters.", field=(name,))
    return value


def _collaborators(ids: list[int], owner_department_id: int) -> list[int]:
    # The owner is never its own collaborator; order is kept stable for comparisons.
    return sorted({i for i in ids if i != owner_department_id})


def new_service(
    *,
    id: int,
    name: str,
    description: str,
    owner_department_id: int,
    collaborating_department_ids: list[int],
    now: datetime,
) -> Service:
    return Service(
        id=id,
        name=_required_text(name, "name"),
        description=(description or "").strip(),
        owner_department_id=owner_department_id,
        collaborating_department_ids=_collaborators(collaborating_department_ids, owner_department_id),
        active=True,
        created_at=now,
        updated_at=now,
    )


def _check_field_definitions(fields: list[FieldDefinition]) -> None:
    seen: set[str] = set()
    for i, f in enumerate(fields):
        path = ("fields", str(i))
        if not FIELD_KEY.match(f.key):
            raise DomainError(
                "Field keys are lowercase letters, digits and underscores.",
                field=path + ("key",),
                code="INVALID_FIELD_DEFINITION",
            )
        if f.key in seen:
            raise DomainError(
                f"Field key '{f.key}' is used twice.", field=path + ("key",), code="INVALID_FIELD_DEFINITION"
            )
        seen.add(f.key)
        if not f.label.strip():
            raise DomainError(
                "Field labels must not be blank.", field=path + ("label",), code="INVALID_FIELD_DEFINITION"
            )
        if f.kind is FieldKind.CHOICE and not f.options:
            raise DomainError(
                "A CHOICE field needs options.", field=path + ("options",), code="INVALID_FIELD_DEFINITION"
            )
        if f.kind is not FieldKind.CHOICE and f.options:
            raise DomainError(
                "Only CHOICE fields take options.", field=path + ("options",), code="INVALID_FIELD_DEFINITION"
            )
        if f.agent_only and f.required:
            # Requesters raise requests without it: required, it would refuse every one of them.
            raise DomainError(
                "An agent-only field cannot be required.", field=path + ("required",), code="INVALID_FIELD_DEFINITION"
            )


def new_request_type(
    *,
    id: int,
    service: Service,
    name: str,
    fields: list[FieldDefinition],
    sla: SlaPolicy | None,
    task_templates: list[TaskTemplate],
    now: datetime,
) -> RequestType:
    _check_field_definitions(fields)
    if sla is not None and not (0 < sla.response_minutes <= sla.resolution_minutes):
        raise DomainError(
            "SLA minutes must be positive and response within resolution.", field=("sla",), code="INVALID_SLA"
        )
    for i, template in enumerate(task_templates):
        if not template.title.strip():
            raise DomainError("Task titles must not be blank.", field=("taskTemplates", str(i), "title"))
    return RequestType(
        id=id,
        service_id=service.id,
        name=_required_text(name, "name"),
        fields=list(fields),
        sla=sla,
        task_templates=list(task_templates),
        created_at=now,
    )
