"""The service catalog: services, request types and their forms; what of them the compiled read
path writes in SQL (`COMPILED`, see schema.compiled.sql)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, func, select

from db import tables as t
from db.mapping import field_definitions
from schema import ids
from schema.compiled import json_text as j
from schema.compiled import sql
from schema.context import Info
from schema.enums import FieldKind
from schema.organisation.types import DepartmentNode
from schema.relay import Node

if TYPE_CHECKING:
    from schema.compiled.planner import PlanField

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


def _options(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """`list(options) if options else None` (db.mapping.field_definitions)."""
    options = row.c.value.op("->")(j.const("options"))
    item = func.jsonb_array_elements_text(options).table_valued("value", with_ordinality="n").render_derived()
    json = select(j.array(j.string(item.c.value), order_by=[item.c.n])).select_from(item).scalar_subquery()
    return case((j.truthy(options), json), else_=j.const(j.NULL_TEXT))


# A form's field definitions are the elements of request_types.fields (sql.elements).
FIELD_DEFINITION_SQL = sql.TypeSql.of(
    FieldDefinition,
    {
        "key": sql.element("key", "String!"),
        "label": sql.element("label", "String!"),
        "kind": sql.element("kind", "FieldKind!"),
        "required": sql.element_flag("required"),
        "options": sql.FieldSql(_options, "[String!]"),
        "agentOnly": sql.element_flag("agent_only"),
    },
)


@strawberry.type
class SlaPolicy:
    response_minutes: int
    resolution_minutes: int


SLA_POLICY_SQL = sql.TypeSql.of(
    SlaPolicy,
    {
        "responseMinutes": sql.column("response_minutes", "Int!"),
        "resolutionMinutes": sql.column("resolution_minutes", "Int!"),
    },
    rows=t.request_types,
)


@strawberry.type
class TaskTemplate:
    title: str
    department_id: strawberry.Private[int]

    @strawberry.field
    async def department(self, info: Info) -> DepartmentNode:
        return DepartmentNode.from_row(await info.context.loaders.department.load(self.department_id))


# A form's task templates are the elements of request_types.task_templates (sql.elements).
TASK_TEMPLATE_SQL = sql.TypeSql.of(
    TaskTemplate,
    {
        "title": sql.element("title", "String!"),
        "department": sql.one(lambda row: cast(sql.key("department_id")(row), BigInteger), "Department!"),
    },
)


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


def _sla_set(row: Any) -> ColumnElement[bool]:
    """RequestTypeNode.from_row: an SLA only when both targets are set."""
    return and_(row.c.response_minutes.is_not(None), row.c.resolution_minutes.is_not(None))


REQUEST_TYPE_SQL = sql.TypeSql.of(
    RequestTypeNode,
    {
        "id": sql.node_id("RequestType"),
        "name": sql.column("name", "String!"),
        "fields": sql.elements("fields", "[FieldDefinition!]!"),
        "sla": sql.same_row("SlaPolicy", when=_sla_set),
        "taskTemplates": sql.elements("task_templates", "[TaskTemplate!]!"),
        "service": sql.one("service_id", "Service!"),
    },
    rows=t.request_types,
)


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


def _collaborating_departments(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """collaborator_ids_by_service's order (department id), each as the department loader reads it."""
    collaborator, department = t.service_collaborators.alias(), t.departments.alias()
    json = (
        select(j.array(sql.object_json("Department", f.children, department, build), order_by=[department.c.id]))
        .select_from(collaborator.join(department, department.c.id == collaborator.c.department_id))
        .where(collaborator.c.service_id == row.c.id)
    )
    return json.correlate_except(collaborator, department).scalar_subquery()


def _request_types(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """request_types_by_service's order (name, then id): every form of a service the viewer sees."""
    request_type = t.request_types.alias()
    order = [request_type.c.name, request_type.c.id]
    json = select(j.array(sql.object_json("RequestType", f.children, request_type, build), order_by=order))
    return json.where(request_type.c.service_id == row.c.id).correlate_except(request_type).scalar_subquery()


SERVICE_SQL = sql.TypeSql.of(
    ServiceNode,
    {
        "id": sql.node_id("Service"),
        "name": sql.column("name", "String!"),
        "description": sql.column("description", "String!"),
        "active": sql.column("active", "Boolean!"),
        "ownerDepartment": sql.one("owner_department_id", "Department!"),
        "collaboratingDepartments": sql.FieldSql(_collaborating_departments, "[Department!]!"),
        "requestTypes": sql.FieldSql(_request_types, "[RequestType!]!"),
    },
    rows=t.services,
)

COMPILED = (FIELD_DEFINITION_SQL, SLA_POLICY_SQL, TASK_TEMPLATE_SQL, REQUEST_TYPE_SQL, SERVICE_SQL)
