"""JourneyAnalytics: figures from db.read.journey_analytics, stage by stage, as the reader may read
them (domain.journey_figures: no figure over a handful of runs the reader does not see); and the
same, figures and withholding, as SQL for the compiled read path (`COMPILED`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import ColumnElement, and_, case, false, func, not_, or_, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by

from db import tables as t
from db.read.journey_analytics import MapFigures, StageFigures
from db.read.journey_visibility import takes_part as takes_part_sql
from domain import journey_figures as rule
from domain.goal_figures import MIN_SAMPLE, Withheld
from domain.journey_access import takes_part
from domain.people import Person
from schema.compiled import json_text as j
from schema.compiled import sql
from schema.context import Info
from schema.enums import FigureWithheld
from schema.journeys import figures_sql as figures
from schema.journeys.types import JourneyStage, stages_of
from schema.organisation.types import DepartmentNode

if TYPE_CHECKING:
    from schema.compiled.planner import PlanField

COUNTS_WITHHELD = "Why the counts above are null; null when they show."
TIMES_WITHHELD = (
    "Why medianMinutes, p90Minutes and onTimeRate are null for a reason other than no runs; null when they show."
)


@strawberry.type
class StageAnalytics:
    stage: JourneyStage
    runs_entered: int | None = strawberry.field(description="Null when withheld (see countsWithheld).")
    runs_completed: int | None = strawberry.field(
        description="Runs that left the stage (finished its requests); null when withheld."
    )
    counts_withheld: FigureWithheld | None = strawberry.field(description=COUNTS_WITHHELD)
    median_minutes: float | None = strawberry.field(
        description="Over the runs that left the stage; null with none, or when withheld (see timesWithheld)."
    )
    p90_minutes: float | None
    on_time_rate: float | None = strawberry.field(
        description="Share of those runs within the stage's target; null without a target, or when withheld."
    )
    times_withheld: FigureWithheld | None = strawberry.field(description=TIMES_WITHHELD)
    bottleneck: bool = strawberry.field(description="The stage with the longest median you may read.")


@strawberry.type(
    description="From the last resolution in one stage to the first response in the next stage that "
    "opened requests, per run; grouped by the departments owning those two requests."
)
class HandOffDelay:
    from_stage: JourneyStage
    to_stage: JourneyStage
    runs: int | None = strawberry.field(description="Null when withheld.")
    median_minutes: float | None = strawberry.field(description="Null when withheld.")
    p90_minutes: float | None = strawberry.field(description="Null when withheld.")
    withheld: FigureWithheld | None = strawberry.field(
        description="Why this group's figures are null; null when they show."
    )
    from_department_id: strawberry.Private[int]
    to_department_id: strawberry.Private[int]

    @strawberry.field
    async def from_department(self, info: Info) -> DepartmentNode:
        return DepartmentNode.from_row(await info.context.loaders.department.load(self.from_department_id))

    @strawberry.field
    async def to_department(self, info: Info) -> DepartmentNode:
        return DepartmentNode.from_row(await info.context.loaders.department.load(self.to_department_id))


@strawberry.type
class JourneyAnalytics:
    runs_started: int | None = strawberry.field(description="Null when withheld (see countsWithheld).")
    runs_completed: int | None
    runs_cancelled: int | None
    runs_active: int | None
    counts_withheld: FigureWithheld | None = strawberry.field(description=COUNTS_WITHHELD)
    median_minutes: float | None = strawberry.field(
        description="Start to completion, completed runs; null with none, or when withheld (see timesWithheld)."
    )
    p90_minutes: float | None
    on_time_rate: float | None = strawberry.field(
        description="Share of completed runs in which every stage with a target met it; null without targets, or "
        "when withheld."
    )
    times_withheld: FigureWithheld | None = strawberry.field(description=TIMES_WITHHELD)
    stages: list[StageAnalytics]
    bottleneck: JourneyStage | None = strawberry.field(description="The stage with the longest median you may read.")
    hand_offs: list[HandOffDelay]

    @classmethod
    async def of_map(cls, info: Info, journey: Any) -> JourneyAnalytics:
        """`journey`: the map's row. Its runs are seen by admins and the departments taking part."""
        viewer = info.context.require_viewer()
        figures = await info.context.loaders.journeys.analytics.load(journey.id)
        stages = await stages_of(info, journey.id)
        reading = Reading(figures, stages, seen=viewer.is_admin or takes_part(viewer, journey.department_ids))
        shown = [reading.stage(s) for s in stages]
        timed = [(a.median_minutes, -a.stage.position, a) for a in shown if a.median_minutes is not None]
        bottleneck = max(timed, key=lambda entry: entry[:2])[2] if timed else None
        for analytics in shown:
            analytics.bottleneck = analytics is bottleneck
        started, completed, cancelled, active, counts_withheld = reading.counts(
            figures.runs_started, figures.runs_completed, figures.runs_cancelled, figures.runs_active
        )
        has_targets = any(s.target_minutes is not None for s in stages)
        median, p90, on_time, times_withheld = reading.times(
            figures.runs_completed,
            figures.median_minutes,
            figures.p90_minutes,
            figures.on_time_rate if has_targets else None,
        )
        return cls(
            runs_started=started,
            runs_completed=completed,
            runs_cancelled=cancelled,
            runs_active=active,
            counts_withheld=counts_withheld,
            median_minutes=median,
            p90_minutes=p90,
            on_time_rate=on_time,
            times_withheld=times_withheld,
            stages=shown,
            bottleneck=bottleneck.stage if bottleneck else None,
            hand_offs=[reading.hand_off(h) for h in figures.hand_offs],
        )


@dataclass
class Reading:
    """One map's figures, as one reader may read them."""

    figures: MapFigures
    stages: list[JourneyStage]
    seen: bool

    def __post_init__(self) -> None:
        measured = {s.position: self.figures.stages.get(s.position) or StageFigures(s.position) for s in self.stages}
        self.by_position = {s.position: s for s in self.stages}
        self.measured = measured
        f = self.figures
        counts = rule.RunCounts(
            started=f.runs_started,
            completed=f.runs_completed,
            cancelled=f.runs_cancelled,
            going=f.runs_active,
            stages={p: rule.StageRuns(m.runs_entered, m.runs_left, m.runs_going) for p, m in measured.items()},
        )
        hand_offs = [rule.HandOffRuns(h.from_position, h.runs) for h in f.hand_offs]
        self.groups = rule.count_groups(counts, hand_offs=hand_offs, seen=self.seen)

    def counts(self, *values: int) -> list[Any]:
        """The values, or Nones; then why."""
        withheld = rule.counts_withheld(values, groups=self.groups, seen=self.seen)
        return [None if withheld else v for v in values] + [withheld]

    def times(self, runs: int, median: float | None, p90: float | None, on_time: float | None) -> list[Any]:
        """Median, p90 and on-time rate over `runs` runs, or Nones; then why."""
        withheld = rule.figure(median, runs, seen=self.seen).withheld
        return [None if withheld else v for v in (median, p90, on_time)] + [withheld]

    def stage(self, stage: JourneyStage) -> StageAnalytics:
        f = self.measured[stage.position]
        entered, left, counts_withheld = self.counts(f.runs_entered, f.runs_left)
        median, p90, on_time, times_withheld = self.times(f.runs_left, f.median_minutes, f.p90_minutes, f.on_time_rate)
        return StageAnalytics(
            stage=stage,
            runs_entered=entered,
            runs_completed=left,
            counts_withheld=counts_withheld,
            median_minutes=median,
            p90_minutes=p90,
            on_time_rate=on_time,
            times_withheld=times_withheld,
            bottleneck=False,
        )

    def hand_off(self, h: Any) -> HandOffDelay:
        withheld = rule.figure(h.median_minutes, h.runs, seen=self.seen).withheld
        runs, median, p90 = (None, None, None) if withheld else (h.runs, h.median_minutes, h.p90_minutes)
        return HandOffDelay(
            from_stage=self.by_position[h.from_position],
            to_stage=self.by_position[h.to_position],
            runs=runs,
            median_minutes=median,
            p90_minutes=p90,
            withheld=withheld,
            from_department_id=h.from_department_id,
            to_department_id=h.to_department_id,
        )


# --- JourneyAnalytics as SQL -------------------------------------------------------------------
#
# JourneyMap.analytics reads one row per map (`_analytics_row`: the map's run figures, a summary of
# its stages, and whether the viewer sees its runs), and writes each figure from it as Reading
# does: withheld from a reader who does not see the runs when it, or a group the counts are sums
# of, holds 1 to MIN_SAMPLE - 1 runs.

SMALL_SAMPLE, COMPLEMENT = j.const(Withheld.SMALL_SAMPLE.value), j.const(Withheld.COMPLEMENT.value)


def _small(count: ColumnElement[Any]) -> ColumnElement[bool]:
    """domain.goal_figures.singles_out, for a reader who does not see the runs (a group's size
    may be a difference: its absolute value, as count_groups takes it)."""
    return func.abs(count).between(1, MIN_SAMPLE - 1)


def _sees_runs(viewer: Person, journey_map: Any) -> ColumnElement[bool]:
    """Reading.seen: admins and the staff of the departments taking part see every run."""
    return true() if viewer.is_admin else takes_part_sql(viewer, journey_map)


def _stage_summary(journey_map: Any, seen: ColumnElement[bool]) -> Any:
    """What the map's figures need of its stages at once: the groups count_groups takes from them
    (each stage's, the first stage's entries, the last one's exits, each stage's exits less its
    hand-off groups shown), whether any stage has a target, and the bottleneck you may read."""
    stage = figures.stage_figures(journey_map.c.id, of=journey_map).subquery("stage_figures")
    groups = figures.hand_off_groups(journey_map.c.id, of=journey_map).subquery("hand_off_group")
    # The hand-off groups a reader who does not see the runs is shown, their runs by stage.
    shown = (
        select(groups.c.from_position, func.sum(groups.c.runs).label("runs"))
        .where(groups.c.runs >= MIN_SAMPLE)
        .group_by(groups.c.from_position)
        .subquery("shown_hand_off")
    )
    timed = case((or_(seen, ~_small(stage.c.left_)), stage.c.median))
    c = stage.c
    return (
        select(
            func.bool_or(
                or_(_small(c.entered), _small(c.left_), _small(c.going), _small(c.entered - c.left_ - c.going))
            ).label("stage_small"),
            func.array_agg(aggregate_order_by(c.entered, c.position))[1].label("first_entered"),
            func.array_agg(aggregate_order_by(c.left_, c.position.desc()))[1].label("last_left"),
            func.bool_or(_small(c.left_ - shown.c.runs)).label("hand_off_small"),
            func.bool_or(c.target_minutes.is_not(None)).label("has_targets"),
            # max(timed, key=(median, -position)): the longest median, the earliest stage on a tie.
            func.array_agg(aggregate_order_by(c.stage_id, timed.desc(), c.position))
            .filter(timed.is_not(None))[1]
            .label("bottleneck_id"),
        )
        .select_from(stage.outerjoin(shown, shown.c.from_position == c.position))
        .correlate(journey_map)
        .subquery("stage_summary")
    )


def _analytics_row(journey_map: Any, build: sql.Build) -> Any:
    seen = _sees_runs(build.viewer, journey_map)
    runs = figures.run_figures(journey_map.c.id, of=journey_map).subquery("run_figures")
    stages = _stage_summary(journey_map, seen)
    # OFFSET 0: computed once per map, not inlined where each figure reads it.
    return (
        select(journey_map.c.id.label("map_id"), seen.label("seen"), *runs.c, *stages.c)
        .select_from(runs.join(stages, true()))
        .correlate(journey_map)
        .offset(0)
        .subquery("analytics")
    )


def _small_group(a: Any) -> ColumnElement[bool]:
    """Any group of count_groups holds 1 to MIN_SAMPLE - 1 runs (never NULL)."""
    # The runs that started but never entered the first stage, and those that left the last one
    # without completing: none, as runs go, but counted as Python counts them.
    ends = and_(
        a.c.first_entered.is_not(None),
        or_(_small(a.c.started - a.c.first_entered), _small(a.c.last_left - a.c.completed)),
    )
    any_small = or_(
        *(_small(a.c[k]) for k in ("started", "completed", "cancelled", "active")),
        a.c.stage_small,
        ends,
        a.c.hand_off_small,
    )
    return func.coalesce(any_small, false())


def _counts_withheld(seen: Any, counts: list[ColumnElement[Any]], small_group: ColumnElement[bool]) -> Any:
    """domain.journey_figures.counts_withheld (NULL: shown)."""
    return case(
        (seen, None),
        (or_(*(_small(n) for n in counts)), SMALL_SAMPLE),
        (small_group, COMPLEMENT),
    )


def _times_withheld(seen: Any, runs: ColumnElement[Any]) -> Any:
    """domain.journey_figures.figure's reason, over `runs` runs."""
    return case((and_(not_(seen), _small(runs)), SMALL_SAMPLE))


def _shown(withheld: Any, value: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((withheld.is_(None), value))


MAP_COUNTS = ("started", "completed", "cancelled", "active")


def _map_counts_withheld(a: Any) -> Any:
    return _counts_withheld(a.c.seen, [a.c[k] for k in MAP_COUNTS], _small_group(a))


def _map_count(name: str) -> sql.FieldSql:
    return sql.FieldSql(lambda f, a, build: j.integer(_shown(_map_counts_withheld(a), a.c[name])), "Int")


def _map_time(name: str, *, rate: bool = False) -> sql.FieldSql:
    def encode(f: PlanField, a: Any, build: sql.Build) -> ColumnElement[str]:
        value = case((a.c.has_targets, a.c[name])) if rate else a.c[name]
        return j.number(_shown(_times_withheld(a.c.seen, a.c.completed), value))

    return sql.FieldSql(encode, "Float")


def _stage_rows(f: PlanField, a: Any, build: sql.Build) -> ColumnElement[str]:
    """Every stage of the map, in order, with its figures and what the map's row says of them."""
    stage = figures.stage_figures(a.c.map_id, of=a).subquery("stage_figures")
    row = sql.Values(
        **dict(stage.c.items()),
        seen=a.c.seen,
        small_group=_small_group(a),
        bottleneck=func.coalesce(stage.c.stage_id == a.c.bottleneck_id, false()),
    )
    json = select(j.array(sql.object_json("StageAnalytics", f.children, row, build), order_by=[stage.c.position]))
    return json.select_from(stage).correlate_except(stage).scalar_subquery()


def _hand_off_rows(f: PlanField, a: Any, build: sql.Build) -> ColumnElement[str]:
    """HAND_OFFS's order: by stage, the longest median first."""
    group = figures.hand_off_groups(a.c.map_id, of=a).subquery("hand_off_group")
    row = sql.Values(**dict(group.c.items()), map_id=a.c.map_id, seen=a.c.seen)
    order = [
        group.c.from_position,
        group.c.median.desc(),
        group.c.from_department_id,
        group.c.to_department_id,
        group.c.to_position,
    ]
    json = select(j.array(sql.object_json("HandOffDelay", f.children, row, build), order_by=order))
    return json.select_from(group).correlate_except(group).scalar_subquery()


def _analytics(f: PlanField, journey_map: Any, build: sql.Build) -> ColumnElement[str]:
    a = _analytics_row(journey_map, build)
    return select(sql.object_json("JourneyAnalytics", f.children, a, build)).select_from(a).scalar_subquery()


JOURNEY_ANALYTICS_SQL = sql.TypeSql.of(
    JourneyAnalytics,
    {
        "runsStarted": _map_count("started"),
        "runsCompleted": _map_count("completed"),
        "runsCancelled": _map_count("cancelled"),
        "runsActive": _map_count("active"),
        "countsWithheld": sql.computed(_map_counts_withheld, "FigureWithheld"),
        "medianMinutes": _map_time("median"),
        "p90Minutes": _map_time("p90"),
        "onTimeRate": _map_time("on_time", rate=True),
        "timesWithheld": sql.computed(lambda a: _times_withheld(a.c.seen, a.c.completed), "FigureWithheld"),
        "stages": sql.FieldSql(_stage_rows, "[StageAnalytics!]!"),
        "bottleneck": sql.one("bottleneck_id", "JourneyStage"),
        "handOffs": sql.FieldSql(_hand_off_rows, "[HandOffDelay!]!"),
    },
)


def _stage_counts_withheld(row: Any) -> Any:
    return _counts_withheld(row.c["seen"], [row.c["entered"], row.c["left_"]], row.c["small_group"])


def _stage_figure(name: str, writes: str, *, times: bool) -> sql.FieldSql:
    write = sql.writer(writes)

    def encode(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
        withheld = _times_withheld(row.c["seen"], row.c["left_"]) if times else _stage_counts_withheld(row)
        return write(_shown(withheld, row.c[name]))

    return sql.FieldSql(encode, writes)


STAGE_ANALYTICS_SQL = sql.TypeSql.of(
    StageAnalytics,
    {
        "stage": sql.one("stage_id", "JourneyStage!"),
        "runsEntered": _stage_figure("entered", "Int", times=False),
        "runsCompleted": _stage_figure("left_", "Int", times=False),
        "countsWithheld": sql.computed(_stage_counts_withheld, "FigureWithheld"),
        "medianMinutes": _stage_figure("median", "Float", times=True),
        "p90Minutes": _stage_figure("p90", "Float", times=True),
        "onTimeRate": _stage_figure("on_time", "Float", times=True),
        "timesWithheld": sql.computed(lambda row: _times_withheld(row.c["seen"], row.c["left_"]), "FigureWithheld"),
        "bottleneck": sql.computed(lambda row: row.c["bottleneck"], "Boolean!"),
    },
)


def _stage_at(key: str) -> sql.FieldSql:
    """The map's stage at the position a hand-off group names in `key`."""

    def encode(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
        stage = t.journey_stages.alias()
        found = select(sql.object_json("JourneyStage", f.children, stage, build)).where(
            stage.c.map_id == row.c["map_id"], stage.c.position == row.c[key]
        )
        return j.or_null(found.correlate_except(stage).scalar_subquery())

    return sql.FieldSql(encode, "JourneyStage!")


def _hand_off_figure(name: str, writes: str) -> sql.FieldSql:
    write = sql.writer(writes)
    return sql.FieldSql(
        lambda f, row, build: write(_shown(_times_withheld(row.c["seen"], row.c["runs"]), row.c[name])), writes
    )


HAND_OFF_DELAY_SQL = sql.TypeSql.of(
    HandOffDelay,
    {
        "fromStage": _stage_at("from_position"),
        "toStage": _stage_at("to_position"),
        "runs": _hand_off_figure("runs", "Int"),
        "medianMinutes": _hand_off_figure("median", "Float"),
        "p90Minutes": _hand_off_figure("p90", "Float"),
        "withheld": sql.computed(lambda row: _times_withheld(row.c["seen"], row.c["runs"]), "FigureWithheld"),
        "fromDepartment": sql.one("from_department_id", "Department!"),
        "toDepartment": sql.one("to_department_id", "Department!"),
    },
)

# JourneyMap.analytics, beside JourneyAnalytics.of_map (the map's other fields: schema.journeys.types).
MAP_ANALYTICS_SQL = sql.TypeSql("JourneyMap", {"analytics": sql.FieldSql(_analytics, "JourneyAnalytics!")})

COMPILED = (JOURNEY_ANALYTICS_SQL, STAGE_ANALYTICS_SQL, HAND_OFF_DELAY_SQL, MAP_ANALYTICS_SQL)
