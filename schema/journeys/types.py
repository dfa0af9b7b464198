"""Journey maps, their stages and touchpoints, and runs through them; what of them the compiled read
path writes in SQL (`COMPILED`, see schema.compiled.sql; the analytics' tables are in
schema.journeys.analytics)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, exists, extract, func, or_, select, true

from db import tables as t
from db.mapping import field_definitions
from db.read.journey_visibility import map_visible, run_visible
from db.read.journeys import RUN_ORDER
from db.read.visibility import request_visible, service_visible
from domain.journey_runs import within_target
from schema import ids
from schema.catalog.types import RequestTypeNode
from schema.compiled import json_text as j
from schema.compiled import sql
from schema.compiled.connections import nested
from schema.context import Info
from schema.organisation.types import DepartmentNode, PersonNode
from schema.relay import Connection, Node, load_page, window

if TYPE_CHECKING:
    from schema.compiled.planner import PlanField
    from schema.journeys.analytics import JourneyAnalytics
    from schema.requests.types import FieldValue, RequestNode

RequestRef = Annotated["RequestNode", strawberry.lazy("schema.requests.types")]
FieldValueRef = Annotated["FieldValue", strawberry.lazy("schema.requests.types")]
AnalyticsRef = Annotated["JourneyAnalytics", strawberry.lazy("schema.journeys.analytics")]


@strawberry.enum
class JourneyRunStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


@strawberry.type
class Touchpoint:
    id: strawberry.ID
    name: str
    pain_points: list[str]
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: Any) -> Touchpoint:
        return cls(id=ids.encode("Touchpoint", row.id), name=row.name, pain_points=list(row.pain_points), row=row)

    @strawberry.field
    async def department(self, info: Info) -> DepartmentNode:
        return DepartmentNode.from_row(await info.context.loaders.department.load(self.row.department_id))

    @strawberry.field(
        description="The form each run fills to open this touchpoint's request; null when the "
        "viewer may not see its service (a retired one: only its department and admins)."
    )
    async def request_type(self, info: Info) -> RequestTypeNode | None:
        if self.row.request_type_id is None:
            return None
        # As node(id:) of the form: a map outlives its services, and seeing the map is no
        # reason to see a retired service's name and description.
        row = await info.context.loaders.visible_request_type.load(self.row.request_type_id)
        return RequestTypeNode.from_row(row) if row is not None else None

    @strawberry.field(
        description="Values the map puts on the form; {subject}, {startDate} and {sponsor} are "
        "filled from the run. Those of agent-only fields only for staff and admins."
    )
    async def fields(self, info: Info) -> list[FieldValueRef]:
        from schema.requests.types import FieldValue

        values: dict[str, str] = self.row.field_values
        viewer = info.context.require_viewer()
        # A run's sponsor may be a requester: the map shows them no agent-only value.
        if values and self.row.request_type_id is not None and not (viewer.is_admin or viewer.is_staff):
            request_type = await info.context.loaders.request_type.load(self.row.request_type_id)
            assert request_type is not None  # a request's type is a foreign key: never missing
            hidden = {d.key for d in field_definitions(request_type.fields) if d.agent_only}
            values = {k: v for k, v in values.items() if k not in hidden}
        return [FieldValue(key=k, value=v) for k, v in sorted(values.items())]


@strawberry.type
class JourneyStage:
    id: strawberry.ID
    name: str
    position: int
    target_minutes: int | None
    db_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> JourneyStage:
        return cls(
            id=ids.encode("JourneyStage", row.id),
            name=row.name,
            position=row.position,
            target_minutes=row.target_minutes,
            db_id=row.id,
        )

    @strawberry.field
    async def touchpoints(self, info: Info) -> list[Touchpoint]:
        rows = await info.context.loaders.journeys.touchpoints_of_stage.load(self.db_id)
        return [Touchpoint.from_row(r) for r in rows]


async def stages_of(info: Info, map_id: int) -> list[JourneyStage]:
    return [JourneyStage.from_row(r) for r in await info.context.loaders.journeys.stages_of_map.load(map_id)]


@strawberry.type(name="JourneyMap")
class JourneyMapNode(Node):
    id: strawberry.ID
    name: str
    description: str
    version: int = strawberry.field(description="1 for a new map; each revision is the next version.")
    active: bool = strawberry.field(description="False once retired or replaced by a newer version.")
    created_at: datetime
    retired_at: datetime | None
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: Any) -> JourneyMapNode:
        return cls(
            id=ids.encode("JourneyMap", row.id),
            name=row.name,
            description=row.description,
            version=row.version,
            active=row.retired_at is None,
            created_at=row.created_at,
            retired_at=row.retired_at,
            row=row,
        )

    @classmethod
    def maybe(cls, row: Any | None) -> JourneyMapNode | None:
        return cls.from_row(row) if row is not None else None

    @strawberry.field
    async def stages(self, info: Info) -> list[JourneyStage]:
        return await stages_of(info, self.row.id)

    @strawberry.field(description="The departments owning a touchpoint.")
    async def departments(self, info: Info) -> list[DepartmentNode]:
        rows = await info.context.loaders.department.load_many(list(self.row.department_ids))
        return [DepartmentNode.from_row(r) for r in rows if r is not None]

    @strawberry.field
    async def created_by(self, info: Info) -> PersonNode:
        return PersonNode.from_row(await info.context.loaders.person.load(self.row.created_by_id))

    @strawberry.field(description="The version this one replaced.")
    async def previous_version(self, info: Info) -> JourneyMapNode | None:
        if self.row.replaces_id is None:
            return None
        return JourneyMapNode.maybe(await info.context.loaders.journeys.map.load(self.row.replaces_id))

    @strawberry.field(description="The version that replaced this one.")
    async def next_version(self, info: Info) -> JourneyMapNode | None:
        row = await info.context.loaders.journeys.next_version.load(self.row.id)
        return JourneyMapNode.maybe(await info.context.loaders.journeys.map.load(row.id) if row else None)

    @strawberry.field(description="Runs of this version the viewer may see, the newest first.")
    async def runs(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[JourneyRunNode]:
        loaders = info.context.loaders.journeys
        page = await load_page(loaders.run_page, window(self.row.id, first=first, after=after)[:3])
        return Connection.from_page(page, JourneyRunNode.from_row, lambda: loaders.run_count.load(self.row.id))

    @strawberry.field(
        description="Measured over every run of this version, whoever may see them; a figure over "
        "fewer than 5 runs you may not see is withheld."
    )
    async def analytics(self, info: Info) -> AnalyticsRef:
        from schema.journeys.analytics import JourneyAnalytics

        return await JourneyAnalytics.of_map(info, self.row)


@strawberry.type
class JourneyRunStage:
    stage: JourneyStage
    entered_at: datetime | None
    left_at: datetime | None
    minutes: int | None = strawberry.field(description="Whole minutes in the stage, so far for the current one.")
    on_time: bool | None = strawberry.field(description="Within the stage's target (so far); null without one.")
    run_id: strawberry.Private[int]

    @strawberry.field(description="The requests the run opened in this stage, as the viewer may see them.")
    async def requests(self, info: Info) -> list[RequestRef]:
        return await run_requests(info, self.run_id, position=self.stage.position)


async def run_requests(info: Info, run_id: int, *, position: int | None = None) -> list[RequestNode]:
    from schema.requests.types import RequestNode

    loaders = info.context.loaders
    links = await loaders.journeys.run_requests.load(run_id)
    rows = await loaders.request.load_many(
        [link.request_id for link in links if position is None or link.position == position]
    )
    return [RequestNode.from_row(r) for r in rows if r is not None]


@strawberry.type(name="JourneyRun")
class JourneyRunNode(Node):
    id: strawberry.ID
    subject: str
    status: JourneyRunStatus
    start_at: datetime = strawberry.field(description="The subject's start date (e.g. a new hire's first day).")
    started_at: datetime
    completed_at: datetime | None
    cancelled_at: datetime | None
    version: int
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: Any) -> JourneyRunNode:
        return cls(
            id=ids.encode("JourneyRun", row.id),
            subject=row.subject,
            status=JourneyRunStatus(row.status),
            start_at=row.start_at,
            started_at=row.started_at,
            completed_at=row.completed_at,
            cancelled_at=row.cancelled_at,
            version=row.version,
            row=row,
        )

    @classmethod
    def maybe(cls, row: Any | None) -> JourneyRunNode | None:
        return cls.from_row(row) if row is not None else None

    @strawberry.field(name="map", description="The version of the map this run follows.")
    async def journey_map(self, info: Info) -> JourneyMapNode:
        return JourneyMapNode.from_row(await info.context.loaders.journeys.run_map.load(self.row.map_id))

    @strawberry.field
    async def sponsor(self, info: Info) -> PersonNode:
        return PersonNode.from_row(await info.context.loaders.person.load(self.row.sponsor_id))

    @strawberry.field
    async def started_by(self, info: Info) -> PersonNode:
        return PersonNode.from_row(await info.context.loaders.person.load(self.row.started_by_id))

    @strawberry.field
    async def current_stage(self, info: Info) -> JourneyStage | None:
        if self.row.current_position is None or self.row.status != "ACTIVE":
            return None
        return next(s for s in await stages_of(info, self.row.map_id) if s.position == self.row.current_position)

    @strawberry.field(description="Every stage of the map, with when this run entered and left it.")
    async def stages(self, info: Info) -> list[JourneyRunStage]:
        entered = {s.position: s for s in await info.context.loaders.journeys.run_stages.load(self.row.id)}
        end = self._end(info)
        result = []
        for stage in await stages_of(info, self.row.map_id):
            seen = entered.get(stage.position)
            result.append(
                JourneyRunStage(
                    stage=stage,
                    entered_at=seen.entered_at if seen else None,
                    left_at=seen.left_at if seen else None,
                    minutes=int(((seen.left_at or end) - seen.entered_at).total_seconds() // 60) if seen else None,
                    on_time=(
                        within_target(seen.entered_at, seen.left_at, stage.target_minutes, end=end)
                        if seen and stage.target_minutes is not None
                        else None
                    ),
                    run_id=self.row.id,
                )
            )
        return result

    @strawberry.field(description="Every request the run opened, stage by stage, as the viewer may see them.")
    async def requests(self, info: Info) -> list[RequestRef]:
        return await run_requests(info, self.row.id)

    @strawberry.field(description="No stage took, or has so far taken, longer than its target.")
    async def on_track(self, info: Info) -> bool:
        stages = {s.position: s for s in await stages_of(info, self.row.map_id)}
        end = self._end(info)
        return all(
            within_target(s.entered_at, s.left_at, stages[s.position].target_minutes, end=end)
            for s in await info.context.loaders.journeys.run_stages.load(self.row.id)
        )

    def _end(self, info: Info) -> datetime:
        """Where time stops for this run: its end, or the context's now (the clock the handlers see)."""
        return self.row.completed_at or self.row.cancelled_at or info.context.now()


# --- journeys as SQL ---------------------------------------------------------------------------

M, ST, TP, R = t.journey_maps, t.journey_stages, t.journey_touchpoints, t.journey_runs
RS, RR = t.journey_run_stages, t.journey_run_requests


def visible_run(key: str) -> sql.FieldSql:
    """The run a row names in `key` (Request.journeyRun, Event.journeyRun), as the run loader
    reads it: null unless the viewer may see the run."""

    def encode(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
        run = R.alias()
        found = select(sql.object_json("JourneyRun", f.children, run, build)).where(
            run.c.id == row.c[key], run_visible(build.viewer, run)
        )
        return j.or_null(found.correlate_except(run).scalar_subquery())

    return sql.FieldSql(encode, "JourneyRun", column=key)


def _pain_points(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    # to_json of a text[] is a JSON array of strings, escaped as json.dumps escapes them.
    return j.string(row.c.pain_points)


def _request_type(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """As the visible_request_type loader: null when the viewer may not see its service."""
    form, service = t.request_types.alias(), t.services.alias()
    found = (
        select(sql.object_json("RequestType", f.children, form, build))
        .select_from(form.join(service, service.c.id == form.c.service_id))
        .where(form.c.id == row.c.request_type_id, service_visible(build.viewer, service))
    )
    return j.or_null(found.correlate_except(form, service).scalar_subquery())


def _agent_only(row: Any, key: ColumnElement[Any]) -> ColumnElement[bool]:
    """`key` is an agent-only field of the touchpoint's form."""
    form = t.request_types.alias()
    definition = func.jsonb_array_elements(form.c.fields).table_valued("value").render_derived()
    return exists(
        select(1)
        .select_from(form.join(definition, true()))
        .where(
            form.c.id == row.c.request_type_id,
            definition.c.value.op("->>")(j.const("key")) == key,
            j.truthy(definition.c.value.op("->")(j.const("agent_only"))),
        )
        .correlate_except(form, definition)
    )


def _touchpoint_fields(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """Touchpoint.fields: by key (Python's order of str: code points, collation "C"); agent-only
    values only for staff and admins."""
    from schema.requests.types import field_value

    stored = func.jsonb_each(row.c.field_values).table_valued("key", "value").render_derived()
    viewer = build.viewer
    shown = None if viewer.is_admin or viewer.is_staff else ~_agent_only(row, stored.c.key)
    json = select(
        j.array(field_value(stored.c.key, stored.c.value, f, build), order_by=[stored.c.key.collate("C")], where=shown)
    )
    return json.select_from(stored).correlate_except(stored).scalar_subquery()


TOUCHPOINT_SQL = sql.TypeSql.of(
    Touchpoint,
    {
        "id": sql.node_id("Touchpoint"),
        "name": sql.column("name", "String!"),
        "painPoints": sql.FieldSql(_pain_points, "[String!]!"),
        "department": sql.one("department_id", "Department!"),
        "requestType": sql.FieldSql(_request_type, "RequestType"),
        "fields": sql.FieldSql(_touchpoint_fields, "[FieldValue!]!"),
    },
    rows=TP,
)


def _touchpoints(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    point = TP.alias()
    json = select(j.array(sql.object_json("Touchpoint", f.children, point, build), order_by=[point.c.position]))
    return json.where(point.c.stage_id == row.c.id).correlate_except(point).scalar_subquery()


JOURNEY_STAGE_SQL = sql.TypeSql.of(
    JourneyStage,
    {
        "id": sql.node_id("JourneyStage"),
        "name": sql.column("name", "String!"),
        "position": sql.column("position", "Int!"),
        "targetMinutes": sql.column("target_minutes", "Int"),
        "touchpoints": sql.FieldSql(_touchpoints, "[Touchpoint!]!"),
    },
    rows=ST,
)


def _map_stages(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """stages_by_map's order (position)."""
    stage = ST.alias()
    json = select(j.array(sql.object_json("JourneyStage", f.children, stage, build), order_by=[stage.c.position]))
    return json.where(stage.c.map_id == row.c.id).correlate_except(stage).scalar_subquery()


def _departments(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """In the order of the map's department_ids (the department loader's load_many)."""
    listed = func.unnest(row.c.department_ids).table_valued("id", with_ordinality="n").render_derived()
    department = t.departments.alias()
    json = select(
        j.array(sql.object_json("Department", f.children, department, build), order_by=[listed.c.n])
    ).select_from(listed.join(department, department.c.id == listed.c.id))
    return json.correlate_except(listed, department).scalar_subquery()


def visible_map(where: Any) -> sql.Encoder:
    """A map `where` picks (another version of this one, a key result's scope), as the map loader
    reads it: null unless the viewer may see it."""

    def encode(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
        other = M.alias()
        found = select(sql.object_json("JourneyMap", f.children, other, build)).where(
            where(other, row), map_visible(build.viewer, other)
        )
        # A version is replaced at most once; LIMIT keeps the subquery scalar whatever the data.
        return j.or_null(found.order_by(other.c.id).limit(1).correlate_except(other).scalar_subquery())

    return encode


JOURNEY_MAP_SQL = sql.TypeSql.of(
    JourneyMapNode,
    {
        "id": sql.node_id("JourneyMap"),
        "name": sql.column("name", "String!"),
        "description": sql.column("description", "String!"),
        "version": sql.column("version", "Int!"),
        "active": sql.computed(lambda row: row.c.retired_at.is_(None), "Boolean!"),
        "createdAt": sql.column("created_at", "DateTime!"),
        "retiredAt": sql.column("retired_at", "DateTime"),
        "stages": sql.FieldSql(_map_stages, "[JourneyStage!]!"),
        "departments": sql.FieldSql(_departments, "[Department!]!"),
        "createdBy": sql.one("created_by_id", "Person!"),
        "previousVersion": sql.FieldSql(visible_map(lambda other, row: other.c.id == row.c.replaces_id), "JourneyMap"),
        "nextVersion": sql.FieldSql(visible_map(lambda other, row: other.c.replaces_id == row.c.id), "JourneyMap"),
        "runs": nested(
            node_type="JourneyRun",
            table=R,
            parent=R.c.map_id,
            order=RUN_ORDER,
            timestamp=True,
            # Runs the viewer may see (first/after only: window_arguments finds no last/before).
            visible=lambda viewer, journey_map: run_visible(viewer, R),
        ),
    },
    rows=M,
)


def _end(run: Any, build: sql.Build) -> ColumnElement[Any]:
    """JourneyRunNode._end: the run's end, or the context's clock."""
    return func.coalesce(run.c.completed_at, run.c.cancelled_at, build.now())


def _minutes_in(entered_at: Any, left_at: Any, end: Any) -> ColumnElement[Any]:
    """Minutes in a stage (exact: extract gives a numeric), so far for a stage not left."""
    return extract("epoch", func.coalesce(left_at, end) - entered_at) / 60


def _current_stage(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    stage = ST.alias()
    found = select(sql.object_json("JourneyStage", f.children, stage, build)).where(
        stage.c.map_id == row.c.map_id, stage.c.position == row.c.current_position, row.c.status == "ACTIVE"
    )
    return j.or_null(found.correlate_except(stage).scalar_subquery())


def _run_stages(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """Every stage of the run's map, with when the run entered and left it."""
    stage, entered = ST.alias(), RS.alias()
    rows = (
        select(
            stage.c.id.label("stage_id"),
            stage.c.position,
            stage.c.target_minutes,
            entered.c.entered_at,
            entered.c.left_at,
            row.c.id.label("run_id"),
            _end(row, build).label("end_at"),
        )
        .select_from(
            stage.outerjoin(entered, and_(entered.c.run_id == row.c.id, entered.c.position == stage.c.position))
        )
        .where(stage.c.map_id == row.c.map_id)
        .correlate(row)
        .subquery("run_stage")
    )
    json = select(j.array(sql.object_json("JourneyRunStage", f.children, rows, build), order_by=[rows.c.position]))
    return json.select_from(rows).correlate_except(rows).scalar_subquery()


def _run_requests(run_id: Any, f: PlanField, build: sql.Build, *, position: Any = None) -> ColumnElement[str]:
    """run_requests: the run's requests by stage, then touchpoint, as the request loader reads them."""
    link, point, request = RR.alias(), TP.alias(), t.requests  # Request's SQL reads the requests table
    json = (
        select(
            j.array(
                sql.object_json("Request", f.children, request, build),
                order_by=[link.c.position, point.c.position, link.c.request_id],
            )
        )
        .select_from(
            link.join(point, point.c.id == link.c.touchpoint_id).join(request, request.c.id == link.c.request_id)
        )
        .where(link.c.run_id == run_id, request_visible(build.viewer, request))
    )
    if position is not None:
        json = json.where(link.c.position == position)
    return json.correlate_except(link, point, request).scalar_subquery()


def _minutes(row: Any) -> ColumnElement[Any]:
    whole = cast(func.floor(_minutes_in(row.c.entered_at, row.c.left_at, row.c.end_at)), BigInteger)
    return case((row.c.entered_at.is_(None), None), else_=whole)


def _on_time(row: Any) -> ColumnElement[Any]:
    within = _minutes_in(row.c.entered_at, row.c.left_at, row.c.end_at) <= row.c.target_minutes
    return case((or_(row.c.entered_at.is_(None), row.c.target_minutes.is_(None)), None), else_=within)


JOURNEY_RUN_STAGE_SQL = sql.TypeSql.of(
    JourneyRunStage,
    {
        "stage": sql.one("stage_id", "JourneyStage!"),
        "enteredAt": sql.column("entered_at", "DateTime"),
        "leftAt": sql.column("left_at", "DateTime"),
        "minutes": sql.computed(_minutes, "Int"),
        "onTime": sql.computed(_on_time, "Boolean"),
        "requests": sql.FieldSql(
            lambda f, row, build: _run_requests(row.c.run_id, f, build, position=row.c.position), "[Request!]!"
        ),
    },
)


def _on_track(row: Any, build: sql.Build) -> ColumnElement[bool]:
    """No stage the run entered took, or has taken so far, longer than its target."""
    entered, stage = RS.alias(), ST.alias()
    late = (
        select(1)
        .select_from(entered.join(stage, and_(stage.c.map_id == row.c.map_id, stage.c.position == entered.c.position)))
        .where(
            entered.c.run_id == row.c.id,
            stage.c.target_minutes.is_not(None),
            _minutes_in(entered.c.entered_at, entered.c.left_at, _end(row, build)) > stage.c.target_minutes,
        )
        .correlate_except(entered, stage)
    )
    return ~exists(late)


JOURNEY_RUN_SQL = sql.TypeSql.of(
    JourneyRunNode,
    {
        "id": sql.node_id("JourneyRun"),
        "subject": sql.column("subject", "String!"),
        "status": sql.column("status", "JourneyRunStatus!"),
        "startAt": sql.column("start_at", "DateTime!"),
        "startedAt": sql.column("started_at", "DateTime!"),
        "completedAt": sql.column("completed_at", "DateTime"),
        "cancelledAt": sql.column("cancelled_at", "DateTime"),
        "version": sql.column("version", "Int!"),
        "map": sql.one("map_id", "JourneyMap!"),
        "sponsor": sql.one("sponsor_id", "Person!"),
        "startedBy": sql.one("started_by_id", "Person!"),
        "currentStage": sql.FieldSql(_current_stage, "JourneyStage"),
        "stages": sql.FieldSql(_run_stages, "[JourneyRunStage!]!"),
        "requests": sql.FieldSql(lambda f, row, build: _run_requests(row.c.id, f, build), "[Request!]!"),
        "onTrack": sql.FieldSql(lambda f, row, build: j.boolean(_on_track(row, build)), "Boolean!"),
    },
    rows=R,
)

COMPILED = (TOUCHPOINT_SQL, JOURNEY_STAGE_SQL, JOURNEY_MAP_SQL, JOURNEY_RUN_STAGE_SQL, JOURNEY_RUN_SQL)
