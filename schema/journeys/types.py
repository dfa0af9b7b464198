"""Journey maps, their stages and touchpoints, and runs through them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from db.mapping import field_definitions
from domain.journey_runs import within_target
from schema import ids
from schema.catalog.types import RequestTypeNode
from schema.context import Info
from schema.organisation.types import DepartmentNode, PersonNode
from schema.relay import Connection, Node, load_page, window

if TYPE_CHECKING:
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
