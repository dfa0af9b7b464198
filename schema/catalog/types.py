"""The service catalog: services, request types and their forms."""

from __future__ import annotations

from typing import Any

import strawberry

from db.mapping import field_definitions
from schema import ids
from schema.context import Info
from schema.enums import FieldKind
from schema.organisation.types import DepartmentNode
from schema.relay import Node

AGENT_ONLY = (
    "Filled in and seen only by the departments working on a request (and admins), as internal "
    "notes are: its value is absent from a requester's Request.fields, and a requester cannot set it."
)


@strawberry.type
class FieldDefinition:
    key: str
    label: str
    kind: FieldKind
    required: bool
    options: list[str] | None
    agent_only: bool = strawberry.field(description=AGENT_ONLY)


@strawberry.type
class SlaPolicy:
    response_minutes: int
    resolution_minutes: int


@strawberry.type
class TaskTemplate:
    title: str
    department_id: strawberry.Private[int]

    @strawberry.field
    async def department(self, info: Info) -> DepartmentNode:
        return DepartmentNode.from_row(await info.context.loaders.department.load(self.department_id))


@strawberry.type(name="RequestType")
class RequestTypeNode(Node):
    id: strawberry.ID
    name: str
    fields: list[FieldDefinition]
    sla: SlaPolicy | None
    task_templates: list[TaskTemplate]
    db_id: strawberry.Private[int]
    service_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> RequestTypeNode:
        sla = None
        if row.response_minutes is not None and row.resolution_minutes is not None:
            sla = SlaPolicy(response_minutes=row.response_minutes, resolution_minutes=row.resolution_minutes)
        return cls(
            id=ids.encode("RequestType", row.id),
            name=row.name,
            db_id=row.id,
            service_id=row.service_id,
            fields=[
                FieldDefinition(
                    key=f.key,
                    label=f.label,
                    kind=FieldKind(f.kind.value),
                    required=f.required,
                    options=list(f.options) if f.options else None,
                    agent_only=f.agent_only,
                )
                for f in field_definitions(row.fields)
            ],
            sla=sla,
            task_templates=[
                TaskTemplate(title=t["title"], department_id=t["department_id"]) for t in row.task_templates
            ],
        )

    @strawberry.field
    async def service(self, info: Info) -> ServiceNode:
        return ServiceNode.from_row(await info.context.loaders.request_service.load(self.service_id))


@strawberry.type(name="Service")
class ServiceNode(Node):
    id: strawberry.ID
    name: str
    description: str
    active: bool
    db_id: strawberry.Private[int]
    owner_department_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> ServiceNode:
        return cls(
            id=ids.encode("Service", row.id),
            name=row.name,
            description=row.description,
            active=row.active,
            db_id=row.id,
            owner_department_id=row.owner_department_id,
        )

    @strawberry.field
    async def owner_department(self, info: Info) -> DepartmentNode:
        return DepartmentNode.from_row(await info.context.loaders.department.load(self.owner_department_id))

    @strawberry.field
    async def collaborating_departments(self, info: Info) -> list[DepartmentNode]:
        loaders = info.context.loaders
        department_ids = await loaders.collaborator_ids.load(self.db_id)
        rows = await loaders.department.load_many(department_ids)
        return [DepartmentNode.from_row(r) for r in rows if r is not None]

    @strawberry.field
    async def request_types(self, info: Info) -> list[RequestTypeNode]:
        rows = await info.context.loaders.request_types_of_service.load(self.db_id)
        return [RequestTypeNode.from_row(r) for r in rows]
