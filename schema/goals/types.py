"""Shared goals, key results and their per-department breakdown; every number is computed. What
of them the compiled read path writes in SQL: `COMPILED` (figures: schema.goals.figures_sql)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import ColumnElement, and_, collate, func, select

from db import tables as t
from db.read.goal_values import KeyResultValue
from db.read.visibility import service_visible
from domain import goal_progress as rules
from domain.goal_figures import Figure
from domain.goal_participation import Participation
from domain.goals import Direction, Metric
from schema import ids
from schema.catalog.types import RequestTypeNode, ServiceNode
from schema.compiled import json_text as j
from schema.compiled import sql
from schema.context import Info
from schema.enums import FigureCoverage, FigureWithheld, GoalParticipationStatus, GoalStatus, TargetDirection
from schema.enums import Metric as MetricEnum
from schema.goals import figures_sql as figures
from schema.journeys.types import JourneyMapNode, visible_map
from schema.organisation.types import DepartmentNode, PersonNode
from schema.relay import Node

if TYPE_CHECKING:
    from schema.compiled.planner import PlanField


async def _departments(info: Info, department_ids: list[int]) -> list[DepartmentNode]:
    rows = await info.context.loaders.department.load_many(department_ids)
    return sorted((DepartmentNode.from_row(r) for r in rows if r is not None), key=lambda d: d.name)


@strawberry.type
class KeyResultScope:
    service_ids: strawberry.Private[list[int]]
    request_type_ids: strawberry.Private[list[int]]
    department_ids: strawberry.Private[list[int]]
    journey_map_id: strawberry.Private[int | None]

    @strawberry.field(
        description="Requests on these services only (see `everyService`), those you may see "
        "as node(id:) shows them: a retired one only to its department and admins."
    )
    async def services(self, info: Info) -> list[ServiceNode]:
        # As node(id:) of the service: seeing the goal is no reason to see a retired service's name.
        rows = await info.context.loaders.service.load_many(self.service_ids)
        return [ServiceNode.from_row(r) for r in rows if r is not None]

    @strawberry.field(
        description="True when the key result counts requests on every service; false when only "
        "those of `services` (some of which you may not see)."
    )
    def every_service(self) -> bool:
        return not self.service_ids

    @strawberry.field(
        description="Requests of these types only (see `everyRequestType`), those you may see "
        "as node(id:) shows them: a retired service's only to its department and admins."
    )
    async def request_types(self, info: Info) -> list[RequestTypeNode]:
        rows = await info.context.loaders.visible_request_type.load_many(self.request_type_ids)
        return [RequestTypeNode.from_row(r) for r in rows if r is not None]

    @strawberry.field(
        description="True when the key result counts requests of every type; false when only "
        "those of `requestTypes` (some of which you may not see)."
    )
    def every_request_type(self) -> bool:
        return not self.request_type_ids

    @strawberry.field(description="Work credited to these departments (none given: the goal's departments).")
    async def departments(self, info: Info) -> list[DepartmentNode]:
        return await _departments(info, self.department_ids)

    @strawberry.field(description="Runs of this journey map (any of its versions), or the requests they opened.")
    async def journey_map(self, info: Info) -> JourneyMapNode | None:
        if self.journey_map_id is None:
            return None
        return JourneyMapNode.maybe(await info.context.loaders.journeys.map.load(self.journey_map_id))


@strawberry.type
class DepartmentContribution:
    department: DepartmentNode
    current: float | None = strawberry.field(
        description="Null with no samples (a rate, an average, a percentile), or when withheld."
    )
    sample_size: int | None = strawberry.field(description="Null when withheld.")
    withheld: FigureWithheld | None = strawberry.field(description="Why the figure is not shown; null when it is.")
    participation: GoalParticipationStatus
    coverage: FigureCoverage


@strawberry.type
class GoalParticipation:
    department: DepartmentNode
    status: GoalParticipationStatus
    decided_at: datetime | None
    decided_by_id: strawberry.Private[int | None]

    @strawberry.field
    async def decided_by(self, info: Info) -> PersonNode | None:
        if self.decided_by_id is None:
            return None
        return PersonNode.from_row(await info.context.loaders.person.load(self.decided_by_id))


@strawberry.type
class KeyResult:
    id: strawberry.ID
    title: str
    metric: MetricEnum
    direction: TargetDirection
    target: float
    scope: KeyResultScope
    row: strawberry.Private[Any]
    goal: strawberry.Private[SharedGoalNode]

    @classmethod
    def from_row(cls, row: Any, goal: SharedGoalNode) -> KeyResult:
        return cls(
            id=ids.encode("KeyResult", row.id),
            title=row.title,
            metric=Metric(row.metric),
            direction=Direction(row.direction),
            target=row.target,
            row=row,
            goal=goal,
            scope=KeyResultScope(
                service_ids=list(row.scope_service_ids),
                request_type_ids=list(row.scope_request_type_ids),
                department_ids=list(row.scope_department_ids),
                journey_map_id=row.scope_journey_map_id,
            ),
        )

    async def value(self, info: Info) -> KeyResultValue:
        return await info.context.loaders.key_result_value.load((self.row.id, self.metric))

    @strawberry.field(
        description="The value now, over the scope as you may count it (see `coverage`); null "
        "while a rate, an average or a percentile has no samples, or when withheld."
    )
    async def current(self, info: Info) -> float | None:
        return (await self.value(info)).total.value

    @strawberry.field(description="How many requests (or runs) the value is computed from; null when withheld.")
    async def sample_size(self, info: Info) -> int | None:
        return (await self.value(info)).total.sample_size

    @strawberry.field(
        description="Why the value is not shown; null when it is (then it counts for progress "
        "and status; a withheld one counts as no value)."
    )
    async def withheld(self, info: Info) -> FigureWithheld | None:
        return (await self.value(info)).total.withheld

    @strawberry.field(
        description="ALL_WORK when every department of the key result accepted the goal (or "
        "you are an admin), else VISIBLE_WORK: some part counts only work you may see."
    )
    async def coverage(self, info: Info) -> FigureCoverage:
        departments = self.scope.department_ids or await self.goal.department_ids(info)
        decisions = await self.goal.decisions(info)
        return _coverage(info, all(decisions.get(d) is Participation.ACCEPTED for d in departments))

    async def measure(self, info: Info) -> tuple[float, rules.GoalStatus]:
        """Progress and status, from the computed value and the clock."""
        value = (await self.value(info)).total.value  # None when withheld: progress and status tell nothing
        progress = rules.progress(direction=self.direction, target=self.target, current=value)
        return progress, rules.status(
            metric=self.metric,
            direction=self.direction,
            target=self.target,
            measured=value is not None,
            progress=progress,
            elapsed=self.goal.elapsed(info.context.now()),
        )

    @strawberry.field(description="From 0 to 1: how close the current value is to the target.")
    async def progress(self, info: Info) -> float:
        return (await self.measure(info))[0]

    @strawberry.field(description="Progress against the time elapsed in the goal's period (see README).")
    async def status(self, info: Info) -> GoalStatus:
        return (await self.measure(info))[1]

    @strawberry.field(description="The value per credited department, with how many samples each.")
    async def by_department(self, info: Info) -> list[DepartmentContribution]:
        department_ids = self.scope.department_ids or await self.goal.department_ids(info)
        value, departments, decisions = await asyncio.gather(
            self.value(info), _departments(info, department_ids), self.goal.decisions(info)
        )
        return [
            _contribution(info, d, value.of_department(d.db_id), decisions.get(d.db_id, Participation.INVITED))
            for d in departments
        ]


def _contribution(
    info: Info, department: DepartmentNode, figure: Figure, status: Participation
) -> DepartmentContribution:
    return DepartmentContribution(
        department=department,
        current=figure.value,
        sample_size=figure.sample_size,
        withheld=figure.withheld,
        participation=status,
        coverage=_coverage(info, status is Participation.ACCEPTED),
    )


def _coverage(info: Info, shared: bool) -> FigureCoverage:
    return FigureCoverage.ALL_WORK if shared or info.context.require_viewer().is_admin else FigureCoverage.VISIBLE_WORK


@strawberry.type(name="SharedGoal")
class SharedGoalNode(Node):
    id: strawberry.ID
    title: str
    description: str
    period_start: datetime
    period_end: datetime
    version: int
    db_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> SharedGoalNode:
        return cls(
            id=ids.encode("SharedGoal", row.id),
            title=row.title,
            description=row.description,
            period_start=row.period_start,
            period_end=row.period_end,
            version=row.version,
            db_id=row.id,
        )

    @classmethod
    def maybe(cls, row: Any | None) -> SharedGoalNode | None:
        return cls.from_row(row) if row is not None else None

    def elapsed(self, now: datetime) -> float:
        return rules.elapsed(period_start=self.period_start, period_end=self.period_end, now=now)

    async def department_ids(self, info: Info) -> list[int]:
        return [r.department_id for r in await info.context.loaders.goal_departments.load(self.db_id)]

    @strawberry.field(description="The participating departments: their people read the goal, their managers edit it.")
    async def departments(self, info: Info) -> list[DepartmentNode]:
        return await _departments(info, await self.department_ids(info))

    async def decisions(self, info: Info) -> dict[int, Participation]:
        rows = await info.context.loaders.goal_departments.load(self.db_id)
        return {r.department_id: Participation(r.participation) for r in rows}

    @strawberry.field(
        description="Whether each department shares its figures with everyone who reads the goal (by department name)."
    )
    async def participation(self, info: Info) -> list[GoalParticipation]:
        rows = {r.department_id: r for r in await info.context.loaders.goal_departments.load(self.db_id)}
        return [
            GoalParticipation(
                department=d,
                status=Participation(rows[d.db_id].participation),
                decided_at=rows[d.db_id].decided_at,
                decided_by_id=rows[d.db_id].decided_by,
            )
            for d in await _departments(info, list(rows))
        ]

    async def load_key_results(self, info: Info) -> list[KeyResult]:
        rows = await info.context.loaders.key_results_of_goal.load(self.db_id)
        return [KeyResult.from_row(r, self) for r in rows]

    async def measures(self, info: Info) -> list[tuple[float, rules.GoalStatus]]:
        return list(await asyncio.gather(*(k.measure(info) for k in await self.load_key_results(info))))

    @strawberry.field
    async def key_results(self, info: Info) -> list[KeyResult]:
        return await self.load_key_results(info)

    @strawberry.field(description="The mean progress of the key results.")
    async def progress(self, info: Info) -> float:
        return rules.goal_progress([p for p, _ in await self.measures(info)])

    @strawberry.field(description="The worst status among the key results.")
    async def status(self, info: Info) -> GoalStatus:
        return rules.goal_status([s for _, s in await self.measures(info)])


# --- Shared goals as SQL -------------------------------------------------------------------------
# The key results' figures, progress and status: schema.goals.figures_sql. Lists of departments
# are in _departments' order: by name (code points, as Python compares), then as loaded.


def _listed(ids: Any) -> Any:
    """The elements of an id array, with their place in it (`n`), as the loaders take them."""
    return func.unnest(ids).table_valued("value", with_ordinality="n").render_derived()


def _by_name(department: Any, *then: Any) -> list[Any]:
    return [collate(department.c.name, "C"), *then]


def _per_goal_department(type_name: str, *, participation: bool) -> sql.Encoder:
    """A list over the goal's departments, by name: each department (Department), or its
    participation row (GoalParticipation)."""

    def encode(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
        gd, d = t.shared_goal_departments.alias(), t.departments.alias()
        element = gd if participation else d
        json = select(
            j.array(sql.object_json(type_name, f.children, element, build), order_by=_by_name(d, gd.c.department_id))
        ).select_from(gd.join(d, d.c.id == gd.c.department_id))
        return json.where(gd.c.goal_id == row.c.id).correlate_except(gd, d).scalar_subquery()

    return encode


_goal_departments = _per_goal_department("Department", participation=False)
_participation = _per_goal_department("GoalParticipation", participation=True)


def _key_results(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """key_results_by_goal's order (position)."""
    rows, key_result = figures.key_result_rows(row, build)
    json = j.array(sql.object_json("KeyResult", f.children, key_result, build), order_by=[rows.c.position])
    return select(json).select_from(rows).scalar_subquery()


def _scope_departments(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    listed, d = _listed(row.c["scope_department_ids"]), t.departments.alias()
    json = select(j.array(sql.object_json("Department", f.children, d, build), order_by=_by_name(d, listed.c.n)))
    return json.select_from(listed.join(d, d.c.id == listed.c.value)).scalar_subquery()


def _scope_services(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """As the service loader reads them: retired ones only to their department and admins."""
    listed, s = _listed(row.c["scope_service_ids"]), t.services.alias()
    json = select(j.array(sql.object_json("Service", f.children, s, build), order_by=[listed.c.n]))
    json = json.select_from(listed.join(s, s.c.id == listed.c.value)).where(service_visible(build.viewer, s))
    return json.scalar_subquery()


def _scope_request_types(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """As visible_request_types_by_ids reads them: a retired service's forms are hidden like it."""
    listed, rt, s = _listed(row.c["scope_request_type_ids"]), t.request_types.alias(), t.services.alias()
    json = select(j.array(sql.object_json("RequestType", f.children, rt, build), order_by=[listed.c.n]))
    joined = listed.join(rt, rt.c.id == listed.c.value).join(s, s.c.id == rt.c.service_id)
    return json.select_from(joined).where(service_visible(build.viewer, s)).scalar_subquery()


def _by_department(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """Each credited department's part, with its decision on the goal (none made: INVITED)."""
    listed, d, gd = _listed(row.c["departments"]), t.departments.alias(), t.shared_goal_departments.alias()
    value, size, withheld = figures.part_figure(row, d.c.id)
    participation = func.coalesce(gd.c.participation, j.const(Participation.INVITED.value))
    contribution = sql.Values(
        department_id=d.c.id,
        current=value,
        sample_size=size,
        withheld=withheld,
        participation=participation,
        coverage=figures.coverage(build, participation == Participation.ACCEPTED.value),
    )
    json = select(
        j.array(
            sql.object_json("DepartmentContribution", f.children, contribution, build), order_by=_by_name(d, listed.c.n)
        )
    )
    decided = and_(gd.c.goal_id == row.c["goal_id"], gd.c.department_id == d.c.id)
    return json.select_from(listed.join(d, d.c.id == listed.c.value).outerjoin(gd, decided)).scalar_subquery()


def _computed(name: str, writes: str) -> sql.FieldSql:
    """A value key_result_rows (or _by_department) computes, by its name in the row."""
    return sql.computed(lambda row: row.c[name], writes)


KEY_RESULT_SCOPE_SQL = sql.TypeSql.of(
    KeyResultScope,
    {
        "services": sql.FieldSql(_scope_services, "[Service!]!"),
        "everyService": sql.computed(lambda row: func.cardinality(row.c["scope_service_ids"]) == 0, "Boolean!"),
        "requestTypes": sql.FieldSql(_scope_request_types, "[RequestType!]!"),
        "everyRequestType": sql.computed(
            lambda row: func.cardinality(row.c["scope_request_type_ids"]) == 0, "Boolean!"
        ),
        "departments": sql.FieldSql(_scope_departments, "[Department!]!"),
        "journeyMap": sql.FieldSql(
            visible_map(lambda other, row: other.c.id == row.c["scope_journey_map_id"]), "JourneyMap"
        ),
    },
)

DEPARTMENT_CONTRIBUTION_SQL = sql.TypeSql.of(
    DepartmentContribution,
    {
        "department": sql.one("department_id", "Department!"),
        "current": _computed("current", "Float"),
        "sampleSize": _computed("sample_size", "Int"),
        "withheld": _computed("withheld", "FigureWithheld"),
        "participation": _computed("participation", "GoalParticipationStatus!"),
        "coverage": _computed("coverage", "FigureCoverage!"),
    },
)

GOAL_PARTICIPATION_SQL = sql.TypeSql.of(
    GoalParticipation,
    {
        "department": sql.one("department_id", "Department!"),
        "status": sql.column("participation", "GoalParticipationStatus!"),
        "decidedAt": sql.column("decided_at", "DateTime"),
        "decidedBy": sql.one("decided_by", "Person"),
    },
    rows=t.shared_goal_departments,
)

KEY_RESULT_SQL = sql.TypeSql.of(
    KeyResult,
    {
        "id": sql.node_id("KeyResult"),
        "title": sql.column("title", "String!"),
        "metric": sql.column("metric", "Metric!"),
        "direction": sql.column("direction", "TargetDirection!"),
        "target": sql.column("target", "Float!"),
        "scope": sql.same_row("KeyResultScope!"),
        "current": _computed("current", "Float"),
        "sampleSize": _computed("sample_size", "Int"),
        "withheld": _computed("withheld", "FigureWithheld"),
        "coverage": _computed("coverage", "FigureCoverage!"),
        "progress": _computed("progress", "Float!"),
        "status": _computed("status", "GoalStatus!"),
        "byDepartment": sql.FieldSql(_by_department, "[DepartmentContribution!]!"),
    },
    rows=t.key_results,
)

SHARED_GOAL_SQL = sql.TypeSql.of(
    SharedGoalNode,
    {
        "id": sql.node_id("SharedGoal"),
        "title": sql.column("title", "String!"),
        "description": sql.column("description", "String!"),
        "periodStart": sql.column("period_start", "DateTime!"),
        "periodEnd": sql.column("period_end", "DateTime!"),
        "version": sql.column("version", "Int!"),
        "departments": sql.FieldSql(_goal_departments, "[Department!]!"),
        "participation": sql.FieldSql(_participation, "[GoalParticipation!]!"),
        "keyResults": sql.FieldSql(_key_results, "[KeyResult!]!"),
        "progress": sql.FieldSql(lambda f, row, build: j.number(figures.goal_progress(row, build)), "Float!"),
        "status": sql.FieldSql(lambda f, row, build: j.quoted(figures.goal_status(row, build)), "GoalStatus!"),
    },
    rows=t.shared_goals,
)

COMPILED = (
    SHARED_GOAL_SQL,
    GOAL_PARTICIPATION_SQL,
    KEY_RESULT_SQL,
    KEY_RESULT_SCOPE_SQL,
    DEPARTMENT_CONTRIBUTION_SQL,
)
