"""Departments and people (their wallboard stats: schema.organisation.stats); what of them the
compiled read path writes in SQL (`COMPILED`, see schema.compiled.sql)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import ColumnElement, case, select

from db import tables as t
from db.read.catalog import SERVICE_ORDER
from db.read.visibility import service_visible
from domain.access import can_see_contact_details, sees_everyones_contact_details
from schema import ids
from schema.compiled import json_text as j
from schema.compiled import sql
from schema.compiled.connections import nested
from schema.context import Info
from schema.enums import PersonKind, Role
from schema.organisation import stats
from schema.organisation.stats import DepartmentStats, department_stats
from schema.relay import Connection, Node, load_page

if TYPE_CHECKING:
    from schema.catalog.types import ServiceNode
    from schema.compiled.planner import PlanField
    from schema.requests.inputs import RequestFilter
    from schema.requests.types import RequestNode

ServiceRef = Annotated["ServiceNode", strawberry.lazy("schema.catalog.types")]
RequestRef = Annotated["RequestNode", strawberry.lazy("schema.requests.types")]
RequestFilterRef = Annotated["RequestFilter", strawberry.lazy("schema.requests.inputs")]


def _sees_contact_details(info: Info, person_id: int) -> bool:
    viewer = info.context.viewer
    return viewer is not None and can_see_contact_details(viewer, person_id)


@strawberry.type(name="Person")
class PersonNode(Node):
    id: strawberry.ID
    name: str
    kind: PersonKind
    active: bool = strawberry.field(description="False once deactivated: they cannot sign in, their tokens stop.")
    deactivated_at: datetime | None
    version: int = strawberry.field(description="Bumped by every change; personUpdate carries it as expectedVersion.")
    db_id: strawberry.Private[int]
    department_id: strawberry.Private[int | None]
    email_address: strawberry.Private[str]
    role_name: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: Any) -> PersonNode:
        return cls(
            id=ids.encode("Person", row.id),
            name=row.name,
            kind=PersonKind(row.kind),
            active=row.deactivated_at is None,
            deactivated_at=row.deactivated_at,
            version=row.version,
            db_id=row.id,
            department_id=row.department_id,
            email_address=row.email,
            role_name=row.role,
        )

    @strawberry.field(description="Seen by staff and admins; a requester sees only their own (null for others).")
    def email(self, info: Info) -> str | None:
        return self.email_address if _sees_contact_details(info, self.db_id) else None

    @strawberry.field(description="Seen by staff and admins; a requester sees only their own (null for others).")
    def role(self, info: Info) -> Role | None:
        return Role(self.role_name) if _sees_contact_details(info, self.db_id) else None

    @strawberry.field
    async def department(self, info: Info) -> DepartmentNode | None:
        if self.department_id is None:
            return None
        return DepartmentNode.maybe(await info.context.loaders.department.load(self.department_id))


def _contact_detail(name: str, writes: str) -> sql.FieldSql:
    """Person.email and Person.role: null for a requester unless the person is the viewer
    (domain.access.can_see_contact_details)."""
    write = sql.writer(writes)

    def encode(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
        if sees_everyones_contact_details(build.viewer):
            return write(row.c[name])
        return case((row.c.id == build.viewer.id, write(row.c[name])), else_=j.const(j.NULL_TEXT))

    return sql.FieldSql(encode, writes)


PERSON_SQL = sql.TypeSql.of(
    PersonNode,
    {
        "id": sql.node_id("Person"),
        "name": sql.column("name", "String!"),
        "email": _contact_detail("email", "String"),
        "role": _contact_detail("role", "Role"),
        "department": sql.one("department_id", "Department"),
        "kind": sql.column("kind", "PersonKind!"),
        "active": sql.computed(lambda row: row.c.deactivated_at.is_(None), "Boolean!"),
        "deactivatedAt": sql.column("deactivated_at", "DateTime"),
        "version": sql.column("version", "Int!"),
    },
    rows=t.people,
)


@strawberry.type(name="Department")
class DepartmentNode(Node):
    id: strawberry.ID
    name: str
    slug: str
    db_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> DepartmentNode:
        return cls(id=ids.encode("Department", row.id), name=row.name, slug=row.slug, db_id=row.id)

    @classmethod
    def maybe(cls, row: Any | None) -> DepartmentNode | None:
        return cls.from_row(row) if row is not None else None

    @strawberry.field
    async def services(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[ServiceRef]:
        from schema.catalog.types import ServiceNode

        loaders = info.context.loaders
        page = await load_page(loaders.service_page, (self.db_id, first, after))
        return Connection.from_page(page, ServiceNode.from_row, lambda: loaders.service_count.load(self.db_id))

    @strawberry.field(description="Requests this department owns, as the viewer may see them.")
    async def queue(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: RequestFilterRef | None = None,
    ) -> Connection[RequestRef]:
        from schema.requests.queries import queue_connection

        return await queue_connection(info, self.db_id, first=first, after=after, filter=filter)

    @strawberry.field
    async def members(self, info: Info) -> list[PersonNode]:
        rows = await info.context.loaders.members.load(self.db_id)
        return [PersonNode.from_row(r) for r in rows]

    @strawberry.field
    async def stats(self, info: Info) -> DepartmentStats:
        figures = await info.context.loaders.department_stats.load(self.db_id)
        return DepartmentStats.from_stats(figures, now=info.context.now())


def _members(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """members_by_department's order (name, then id); the directory has no visibility."""
    person = t.people.alias()
    json = select(j.array(sql.object_json("Person", f.children, person, build), order_by=[person.c.name, person.c.id]))
    return json.where(person.c.department_id == row.c.id).correlate_except(person).scalar_subquery()


S = t.services
# Department.queue's SQL is beside queue_connection (schema/requests/queries.py).
DEPARTMENT_SQL = sql.TypeSql.of(
    DepartmentNode,
    {
        "id": sql.node_id("Department"),
        "name": sql.column("name", "String!"),
        "slug": sql.column("slug", "String!"),
        "members": sql.FieldSql(_members, "[Person!]!"),
        "services": nested(
            node_type="Service",
            table=S,
            parent=S.c.owner_department_id,
            order=SERVICE_ORDER,
            visible=lambda viewer, department: service_visible(viewer, S),
        ),
        "stats": sql.FieldSql(department_stats, "DepartmentStats!"),
    },
    rows=t.departments,
)

COMPILED = (PERSON_SQL, DEPARTMENT_SQL, *stats.COMPILED)
