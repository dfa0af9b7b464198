"""A department's wallboard figures (Department.stats, the departmentStats subscription), and the
same figures as SQL for the compiled read path (`COMPILED`): aggregates over the requests the
viewer may see, as db.read.stats.stats_by_department counts them and DepartmentStats.from_stats
shapes them, at the call's clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import BigInteger, ColumnElement, FromClause, cast, extract, func, select
from sqlalchemy.dialects.postgresql import array

from db import tables as t
from db.read.requests import BREACHED
from db.read.stats import OPEN_STATUSES
from db.read.visibility import request_visible
from schema.compiled import json_text as j
from schema.compiled import sql
from schema.enums import Priority, RequestStatus

if TYPE_CHECKING:
    from schema.compiled.planner import PlanField


@strawberry.type
class StatusCount:
    status: RequestStatus
    count: int


@strawberry.type
class PriorityCount:
    priority: Priority
    count: int


def day_start(now: datetime) -> datetime:
    """Where "today" starts for `now`: midnight UTC."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@strawberry.type
class DepartmentStats:
    open: int
    by_status: list[StatusCount]
    by_priority: list[PriorityCount]
    sla_breached: int
    oldest_open_minutes: int | None
    resolved_today: int

    @classmethod
    def from_stats(cls, stats: Any, *, now: datetime) -> DepartmentStats:
        """`now`: the call's clock (Context.now), which the figures were read at."""
        oldest = None
        if stats.oldest_open_at is not None:
            oldest = int((now - stats.oldest_open_at).total_seconds() // 60)
        return cls(
            open=stats.open,
            sla_breached=stats.sla_breached,
            oldest_open_minutes=oldest,
            resolved_today=stats.resolved_today,
            by_status=[
                StatusCount(status=s, count=stats.by_status[s.value])
                for s in RequestStatus
                if s.value in stats.by_status
            ],
            by_priority=[
                PriorityCount(priority=p, count=stats.by_priority[p.value])
                for p in Priority
                if p.value in stats.by_priority
            ],
        )


# --- DepartmentStats as SQL --------------------------------------------------------------------

R = t.requests
STATUS_COUNT_SQL = sql.TypeSql.of(
    StatusCount, {"status": sql.column("status", "RequestStatus!"), "count": sql.column("count", "Int!")}
)
PRIORITY_COUNT_SQL = sql.TypeSql.of(
    PriorityCount, {"priority": sql.column("priority", "Priority!"), "count": sql.column("count", "Int!")}
)


STATUSES = [s.value for s in RequestStatus]
PRIORITIES = [p.value for p in Priority]


class Figures:
    """What DepartmentStats' fields are read from: the department's row, the viewer and clock,
    and its open requests' figures (`totals`), worked out in one pass over them."""

    def __init__(self, department: FromClause, build: sql.Build):
        self.department, self.build = department, build
        # stats_by_department's `base`: the department's requests, as the viewer may see them.
        self.mine = [R.c.owner_department_id == department.c.id, request_visible(build.viewer)]
        self.open = [*self.mine, R.c.status.in_(OPEN_STATUSES)]
        # One pass over the open requests for every figure of them: a department with thousands
        # of open requests read them once, not once per figure.
        self.totals = (
            select(
                func.count().label("open"),
                func.count().filter(BREACHED).label("breached"),
                func.min(R.c.created_at).label("oldest"),
                *(func.count().filter(R.c.status == s).label(f"status_{s}") for s in STATUSES),
                *(func.count().filter(R.c.priority == p).label(f"priority_{p}") for p in PRIORITIES),
            )
            .where(*self.open)
            .correlate(department)
            .subquery("open_figures")
        )

    def over(self, value: ColumnElement[Any], where: list[ColumnElement[bool]]) -> ColumnElement[Any]:
        return select(value).select_from(R).where(*where).correlate_except(R).scalar_subquery()

    def counts(self, f: PlanField, column: str, values: list[str]) -> ColumnElement[str]:
        """Open requests counted by `column`, in the enum's order, only the values present."""
        counted = (
            func.unnest(array([j.const(v) for v in values]), array([self.totals.c[f"{column}_{v}"] for v in values]))
            .table_valued(column, "count", with_ordinality="n")
            .render_derived(name=f"{column}_counts")
        )
        json = j.array(
            sql.object_json(f.type_name, f.children, counted, self.build),
            order_by=[counted.c.n],
            where=counted.c["count"] > 0,
        )
        return select(json).select_from(counted).scalar_subquery()


def _integer(figure: Any) -> sql.FieldSql:
    return sql.FieldSql(lambda f, figures, build: j.integer(figure(figures)), "Int!")


def _oldest_open_minutes(f: PlanField, figures: Figures, build: sql.Build) -> ColumnElement[str]:
    """from_stats' whole minutes (floored) from the oldest open request to the call's clock."""
    seconds = extract("epoch", build.now() - figures.totals.c.oldest)
    return j.integer(cast(func.floor(seconds.op("/")(60)), BigInteger))


DEPARTMENT_STATS_SQL = sql.TypeSql.of(
    DepartmentStats,
    {
        "open": _integer(lambda figures: figures.totals.c.open),
        "byStatus": sql.FieldSql(lambda f, figures, build: figures.counts(f, "status", STATUSES), "[StatusCount!]!"),
        "byPriority": sql.FieldSql(
            lambda f, figures, build: figures.counts(f, "priority", PRIORITIES), "[PriorityCount!]!"
        ),
        "slaBreached": _integer(lambda figures: figures.totals.c.breached),
        "oldestOpenMinutes": sql.FieldSql(_oldest_open_minutes, "Int"),
        "resolvedToday": sql.FieldSql(
            lambda f, figures, build: j.integer(
                figures.over(
                    func.count(),
                    [*figures.mine, R.c.resolved_at >= func.date_trunc(j.const("day"), build.now(), j.const("UTC"))],
                )
            ),
            "Int!",
        ),
    },
)


def department_stats(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """Department.stats: the figures of the department `row`, its open requests read once."""
    figures = Figures(row, build)
    json = sql.object_json("DepartmentStats", f.children, figures, build)
    return select(json).select_from(figures.totals).scalar_subquery()


COMPILED = (STATUS_COUNT_SQL, PRIORITY_COUNT_SQL, DEPARTMENT_STATS_SQL)
