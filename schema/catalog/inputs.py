"""Inputs for the service catalog."""

from __future__ import annotations

import strawberry

from schema.catalog.types import AGENT_ONLY
from schema.enums import FieldKind


@strawberry.input
class ServiceFilter:
    owner_department_id: strawberry.ID | None = None
    active: bool | None = None
    search: str | None = None


@strawberry.input
class ServiceCreateInput:
    name: str
    owner_department_id: strawberry.ID
    description: str | None = None
    collaborating_department_ids: list[strawberry.ID] | None = None


@strawberry.input
class ServiceUpdateInput:
    id: strawberry.ID
    name: str | None = None
    description: str | None = None
    active: bool | None = None
    collaborating_department_ids: list[strawberry.ID] | None = None


@strawberry.input
class FieldDefinitionInput:
    key: str
    label: str
    kind: FieldKind
    required: bool = False
    options: list[str] | None = None
    agent_only: bool = strawberry.field(default=False, description=AGENT_ONLY)


@strawberry.input
class SlaPolicyInput:
    response_minutes: int
    resolution_minutes: int


@strawberry.input
class TaskTemplateInput:
    title: str
    department_id: strawberry.ID


@strawberry.input
class RequestTypeCreateInput:
    service_id: strawberry.ID
    name: str
    fields: list[FieldDefinitionInput] | None = None
    sla: SlaPolicyInput | None = None
    task_templates: list[TaskTemplateInput] | None = None
