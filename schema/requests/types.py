"""Requests, their tasks and comments; what of them the compiled read path writes in SQL
(`COMPILED`, see schema.compiled.sql)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import ColumnElement, Text, case, cast, func, or_, select, true

from db import tables as t
from db.mapping import field_definitions
from db.read.events import EVENT_ORDER
from db.read.requests import BREACHED, COMMENT_ORDER
from db.read.visibility import comment_visible, request_event_visible, request_visible, works_on_request
from domain.access import works_on
from domain.sla import SlaClock
from schema import ids
from schema.catalog.types import RequestTypeNode, ServiceNode
from schema.compiled import json_text as j
from schema.compiled import sql
from schema.compiled.connections import nested
from schema.context import Info
from schema.enums import Priority, RequestStatus, TaskStatus
from schema.organisation.types import DepartmentNode, PersonNode
from schema.relay import Connection, Node, load_page, window

if TYPE_CHECKING:
    from schema.compiled.planner import PlanField
    from schema.events.types import EventNode
    from schema.journeys.types import JourneyRunNode

EventRef = Annotated["EventNode", strawberry.lazy("schema.events.types")]
JourneyRunRef = Annotated["JourneyRunNode", strawberry.lazy("schema.journeys.types")]


@strawberry.type
class FieldValue:
    key: str
    value: str | None


# Written from a key and a value (sql.Values), by Request.fields.
FIELD_VALUE_SQL = sql.TypeSql.of(
    FieldValue, {"key": sql.column("key", "String!"), "value": sql.column("value", "String")}
)


@strawberry.type
class SlaStatus:
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    paused: bool
    breached: bool


# Read from the request's row (Request.sla).
SLA_STATUS_SQL = sql.TypeSql.of(
    SlaStatus,
    {
        "responseDueAt": sql.column("response_due_at", "DateTime"),
        "resolutionDueAt": sql.column("resolution_due_at", "DateTime"),
        "paused": sql.computed(lambda row: row.c.sla_paused_at.is_not(None), "Boolean!"),
        # BREACHED is written against the requests table, which is where a Request row comes from.
        "breached": sql.computed(lambda row: BREACHED, "Boolean!"),
    },
    rows=t.requests,
)


@strawberry.type
class Satisfaction:
    score: int
    comment: str | None


# Read from the request's row (Request.satisfaction), only when it has a score.
SATISFACTION_SQL = sql.TypeSql.of(
    Satisfaction,
    {"score": sql.column("satisfaction_score", "Int!"), "comment": sql.column("satisfaction_comment", "String")},
    rows=t.requests,
)


@strawberry.type(name="Comment")
class CommentNode(Node):
    id: strawberry.ID
    body: str
    internal: bool
    created_at: datetime
    author_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> CommentNode:
        return cls(
            id=ids.encode("Comment", row.id),
            body=row.body,
            internal=row.internal,
            created_at=row.created_at,
            author_id=row.author_id,
        )

    @strawberry.field
    async def author(self, info: Info) -> PersonNode:
        return PersonNode.from_row(await info.context.loaders.person.load(self.author_id))


COMMENT_SQL = sql.TypeSql.of(
    CommentNode,
    {
        "id": sql.node_id("Comment"),
        "body": sql.column("body", "String!"),
        "internal": sql.column("internal", "Boolean!"),
        "createdAt": sql.column("created_at", "DateTime!"),
        "author": sql.one("author_id", "Person!"),
    },
    rows=t.comments,
)


@strawberry.type(name="Task")
class TaskNode(Node):
    id: strawberry.ID
    title: str
    status: TaskStatus
    created_at: datetime
    completed_at: datetime | None
    department_id: strawberry.Private[int]
    assignee_id: strawberry.Private[int | None]
    request_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> TaskNode:
        return cls(
            id=ids.encode("Task", row.id),
            title=row.title,
            status=TaskStatus(row.status),
            created_at=row.created_at,
            completed_at=row.completed_at,
            department_id=row.department_id,
            assignee_id=row.assignee_id,
            request_id=row.request_id,
        )

    @strawberry.field
    async def department(self, info: Info) -> DepartmentNode:
        return DepartmentNode.from_row(await info.context.loaders.department.load(self.department_id))

    @strawberry.field
    async def assignee(self, info: Info) -> PersonNode | None:
        if self.assignee_id is None:
            return None
        return PersonNode.from_row(await info.context.loaders.person.load(self.assignee_id))

    @strawberry.field
    async def request(self, info: Info) -> RequestNode:
        # A task is only ever loaded through a request the viewer may see.
        return RequestNode.from_row(await info.context.loaders.request.load(self.request_id))


def request_of(key: str, writes: str = "Request") -> sql.FieldSql:
    """The request whose id is the row's `key`, as the request loader reads it (null if hidden),
    from the requests table itself: a Request's encoders may name its columns (BREACHED)."""

    def encode(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
        R = t.requests
        found = select(sql.object_json("Request", f.children, R, build)).where(
            R.c.id == row.c[key], request_visible(build.viewer)
        )
        # Its own FROM, though an enclosing select reads requests too: the inner one is this request.
        return j.or_null(found.correlate_except(R).scalar_subquery())

    return sql.FieldSql(encode, writes, column=key)


TASK_SQL = sql.TypeSql.of(
    TaskNode,
    {
        "id": sql.node_id("Task"),
        "title": sql.column("title", "String!"),
        "status": sql.column("status", "TaskStatus!"),
        "createdAt": sql.column("created_at", "DateTime!"),
        "completedAt": sql.column("completed_at", "DateTime"),
        "department": sql.one("department_id", "Department!"),
        "assignee": sql.one("assignee_id", "Person"),
        # Reached through a request the viewer sees (or node(id:), which checks it): never null.
        "request": request_of("request_id", "Request!"),
    },
    rows=t.tasks,
)


@strawberry.type(name="Request")
class RequestNode(Node):
    id: strawberry.ID
    number: str
    title: str
    description: str
    status: RequestStatus
    priority: Priority
    version: int
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: Any) -> RequestNode:
        return cls(
            id=ids.encode("Request", row.id),
            number=f"REQ-{row.number}",
            title=row.title,
            description=row.description,
            status=RequestStatus(row.status),
            priority=Priority(row.priority),
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            resolved_at=row.resolved_at,
            row=row,
        )

    @strawberry.field
    async def service(self, info: Info) -> ServiceNode:
        return ServiceNode.from_row(await info.context.loaders.request_service.load(self.row.service_id))

    @strawberry.field
    async def request_type(self, info: Info) -> RequestTypeNode | None:
        if self.row.request_type_id is None:
            return None
        return RequestTypeNode.from_row(await info.context.loaders.request_type.load(self.row.request_type_id))

    @strawberry.field
    async def requester(self, info: Info) -> PersonNode:
        return PersonNode.from_row(await info.context.loaders.person.load(self.row.requester_id))

    @strawberry.field
    async def assignee(self, info: Info) -> PersonNode | None:
        if self.row.assignee_id is None:
            return None
        return PersonNode.from_row(await info.context.loaders.person.load(self.row.assignee_id))

    @strawberry.field
    async def owner_department(self, info: Info) -> DepartmentNode:
        return DepartmentNode.from_row(await info.context.loaders.department.load(self.row.owner_department_id))

    @strawberry.field(
        description="Values in the order of the request type's form; agent-only fields only for "
        "the departments working on the request (and admins), as internal notes."
    )
    async def fields(self, info: Info) -> list[FieldValue]:
        values: dict[str, str] = self.row.fields
        if self.row.request_type_id is None:
            return [FieldValue(key=k, value=v) for k, v in values.items()]
        request_type = await info.context.loaders.request_type.load(self.row.request_type_id)
        assert request_type is not None  # a request's type is a foreign key: never missing
        definitions = field_definitions(request_type.fields)
        if any(d.agent_only for d in definitions) and not await self._worked_on_by_viewer(info):
            definitions = [d for d in definitions if not d.agent_only]
        return [FieldValue(key=d.key, value=values.get(d.key)) for d in definitions]

    async def _worked_on_by_viewer(self, info: Info) -> bool:
        """domain.access.can_see_internal, reading the tasks only for staff of another department."""
        viewer = info.context.viewer
        if viewer is None or works_on(viewer, {self.row.owner_department_id}):
            return viewer is not None
        if not viewer.is_staff:
            return False
        tasks = await info.context.loaders.tasks_of_request.load(self.row.id)
        return works_on(viewer, {t.department_id for t in tasks})

    @strawberry.field
    async def tasks(self, info: Info) -> list[TaskNode]:
        return [TaskNode.from_row(r) for r in await info.context.loaders.tasks_of_request.load(self.row.id)]

    @strawberry.field
    async def watchers(self, info: Info) -> list[PersonNode]:
        loaders = info.context.loaders
        rows = await loaders.person.load_many(await loaders.watcher_ids.load(self.row.id))
        return [PersonNode.from_row(r) for r in rows if r is not None]

    @strawberry.field(
        description="Oldest first (`last: 3` for the newest three); internal notes only for the "
        "departments doing the work."
    )
    async def comments(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[CommentNode]:
        loaders = info.context.loaders
        key = window(self.row.id, first=first, after=after, last=last, before=before)
        page = await load_page(loaders.comment_page, key)
        return Connection.from_page(page, CommentNode.from_row, lambda: loaders.comment_count.load(self.row.id))

    @strawberry.field(description="The request's events from the event log, oldest first (`last` for the latest).")
    async def activity(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[EventRef]:
        from schema.events.types import EventNode

        loaders = info.context.loaders
        key = window(self.row.id, first=first, after=after, last=last, before=before)
        page = await load_page(loaders.activity_page, key)
        return Connection.from_page(page, EventNode.from_row, lambda: loaders.activity_count.load(self.row.id))

    @strawberry.field
    def sla(self) -> SlaStatus:
        r = self.row
        clock = SlaClock(
            response_due_at=r.response_due_at,
            resolution_due_at=r.resolution_due_at,
            first_response_at=r.first_response_at,
            paused_at=r.sla_paused_at,
            paused_seconds=r.sla_paused_seconds,
        )
        return SlaStatus(
            response_due_at=r.response_due_at,
            resolution_due_at=r.resolution_due_at,
            paused=clock.paused,
            breached=clock.breached(now=datetime.now(UTC), resolved_at=r.resolved_at, closed_at=r.closed_at),
        )

    @strawberry.field(description="The journey run that opened this request, if the viewer may see it.")
    async def journey_run(self, info: Info) -> JourneyRunRef | None:
        from schema.journeys.types import JourneyRunNode

        if self.row.journey_run_id is None:
            return None
        return JourneyRunNode.maybe(await info.context.loaders.journeys.run.load(self.row.journey_run_id))

    @strawberry.field
    def satisfaction(self) -> Satisfaction | None:
        if self.row.satisfaction_score is None:
            return None
        return Satisfaction(score=self.row.satisfaction_score, comment=self.row.satisfaction_comment)


# --- Request as SQL ------------------------------------------------------------------------------


def _number(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    return j.quoted(j.concat(["REQ-", cast(row.c.number, Text)]))


def _field_value(
    key: ColumnElement[Any], value: ColumnElement[Any], f: PlanField, build: sql.Build
) -> ColumnElement[str]:
    """FieldValue {key value}: value as the string the resolver gives (JSON null: null)."""
    text_value = case(
        (func.coalesce(func.jsonb_typeof(value), j.const("null")) == j.const("null"), None),
        else_=value.op("#>>")(j.const("{}")),
    )
    return sql.object_json("FieldValue", f.children, sql.Values(key=key, value=text_value), build)


def _fields(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """Request.fields: in the order of the request type's form, else in stored order."""
    stored = func.jsonb_each(row.c.fields).table_valued("key", "value", with_ordinality="n").render_derived()
    untyped = select(j.array(_field_value(stored.c.key, stored.c.value, f, build), order_by=[stored.c.n]))
    request_type = t.request_types.alias()
    form = func.jsonb_array_elements(request_type.c.fields).table_valued("value", with_ordinality="n").render_derived()
    key = form.c.value.op("->>")(j.const("key"))
    # Agent-only values as RequestNode.fields: for the departments working on the request only.
    shown = or_(~j.truthy(form.c.value.op("->")(j.const("agent_only"))), works_on_request(build.viewer, row))
    typed = (
        select(j.array(_field_value(key, row.c.fields.op("->")(key), f, build), order_by=[form.c.n], where=shown))
        .select_from(request_type.join(form, true()))
        .where(request_type.c.id == row.c.request_type_id)
        .correlate_except(request_type, form)
    )
    return case(
        (row.c.request_type_id.is_(None), untyped.correlate_except(stored).scalar_subquery()),
        else_=func.coalesce(typed.scalar_subquery(), j.const("[]")),
    )


def _tasks(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """tasks_of_request's order (task id)."""
    task = t.tasks.alias()
    json = select(j.array(sql.object_json("Task", f.children, task, build), order_by=[task.c.id]))
    return json.where(task.c.request_id == row.c.id).correlate_except(task).scalar_subquery()


def _watchers(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """watcher_ids_by_request's order (person id), each person as the person loader reads them."""
    watcher, person = t.watchers.alias(), t.people.alias()
    json = (
        select(j.array(sql.object_json("Person", f.children, person, build), order_by=[watcher.c.person_id]))
        .select_from(watcher.join(person, person.c.id == watcher.c.person_id))
        .where(watcher.c.request_id == row.c.id)
    )
    return json.correlate_except(watcher, person).scalar_subquery()


def _satisfaction(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    return case(
        (row.c.satisfaction_score.is_(None), j.const(j.NULL_TEXT)),
        else_=sql.object_json("Satisfaction", f.children, row, build),
    )


C, E = t.comments, t.events
# Request.journeyRun is not compiled: journey runs have their own visibility.
REQUEST_SQL = sql.TypeSql.of(
    RequestNode,
    {
        "id": sql.node_id("Request"),
        "number": sql.FieldSql(_number, "String!"),
        "title": sql.column("title", "String!"),
        "description": sql.column("description", "String!"),
        "status": sql.column("status", "RequestStatus!"),
        "priority": sql.column("priority", "Priority!"),
        "version": sql.column("version", "Int!"),
        "createdAt": sql.column("created_at", "DateTime!"),
        "updatedAt": sql.column("updated_at", "DateTime!"),
        "resolvedAt": sql.column("resolved_at", "DateTime"),
        "sla": sql.same_row("SlaStatus!"),
        "satisfaction": sql.FieldSql(_satisfaction, "Satisfaction"),
        "service": sql.one("service_id", "Service!"),
        "requester": sql.one("requester_id", "Person!"),
        "assignee": sql.one("assignee_id", "Person"),
        "ownerDepartment": sql.one("owner_department_id", "Department!"),
        "fields": sql.FieldSql(_fields, "[FieldValue!]!"),
        "tasks": sql.FieldSql(_tasks, "[Task!]!"),
        "comments": nested(
            node_type="Comment",
            table=C,
            parent=C.c.request_id,
            order=COMMENT_ORDER,
            timestamp=True,
            visible=lambda viewer, request: comment_visible(viewer, C, request),
        ),
        "activity": nested(
            node_type="Event",
            table=E,
            parent=E.c.request_id,
            order=EVENT_ORDER,
            timestamp=False,
            visible=lambda viewer, request: request_event_visible(viewer, E, request),
        ),
        "watchers": sql.FieldSql(_watchers, "[Person!]!"),
        "requestType": sql.one("request_type_id", "RequestType"),
    },
    rows=t.requests,
)

COMPILED = (FIELD_VALUE_SQL, SLA_STATUS_SQL, SATISFACTION_SQL, COMMENT_SQL, TASK_SQL, REQUEST_SQL)
