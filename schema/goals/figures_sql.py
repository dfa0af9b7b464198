"""A shared goal's key results with their figures, progress and status, as SQL for the compiled
read path: the figure rows normal execution reads (db.read.goal_values.figures_sql, for the key
results of the goal's row, at the call's clock and for the viewer's audience), then what
domain.goal_figures shows of them and what domain.goal_progress makes of that, rule for rule and
in the same float arithmetic (so the values are Python's to the last bit).

Each key result is one row of `key_result_rows`: its columns, its goal's departments as it counts
them, its figures' aggregates (the goal's figure rows are worked out once), the total figure as
shown, its progress and its status. SharedGoal.keyResults writes the rows; SharedGoal.progress
and status aggregate them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Float,
    FromClause,
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    column,
    extract,
    false,
    func,
    literal_column,
    not_,
    null,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, aggregate_order_by

from db import tables as t
from db.read.goal_values import FIGURES_FUNCTION, Audience
from domain.goal_figures import MIN_SAMPLE, Withheld
from domain.goal_participation import Participation
from domain.goal_progress import AT_RISK_SHARE, SEVERITY, GoalStatus
from domain.goals import COUNTS, JOURNEY_METRICS, Direction, Metric
from schema.compiled import json_text as j
from schema.compiled.sql import Build, Values
from schema.enums import FigureCoverage

KR, GD = t.key_results, t.shared_goal_departments
KEY_RESULT = "goal_key_result"
FIGURE_ROWS = (
    column("kr_id", BigInteger),
    column("department_id", BigInteger),
    column("total", Boolean),
    column("n", BigInteger),
    column("value", Float),
    column("unseen", BigInteger),
)


def _float(value: float) -> ColumnElement[float]:
    """A float8 constant, parsed from its repr: the same double as Python's."""
    return literal_column(f"float8 '{value!r}'", Float)


def _name(member: Any) -> ColumnElement[str]:
    return j.const(member.value)


def _names(members: Any) -> list[str]:
    return sorted(m.value for m in members)


# --- domain.goal_figures ------------------------------------------------------------------------


def _singles_out(n: Any, unseen: Any) -> ColumnElement[bool]:
    return and_(unseen > 0, n > 0, n < MIN_SAMPLE)


def _empty_value(metric: Any) -> ColumnElement[Any]:
    """db.read.goal_values.empty_value: 0 for a count, no value for the rest."""
    return case((metric.in_(_names(COUNTS)), _float(0.0)), else_=null())


def _figures(goal: FromClause, build: Build) -> Any:
    """The figure rows of `goal`'s key results (worked out once per goal), aggregated into one row
    per key result: its total's, and its parts' as arrays by credited department; and what of the
    parts withholds the total (COMPLEMENT). A key result without samples has no row.

    The rows are those a Prefetch read for the goal (`prefetched_goal_figures`: {goal id: rows},
    shared with other readers, schema.goals.shared_figures), or else worked out here."""
    # The figure rows' SQL names the goal's row: the table itself, as root_list reads its nodes.
    assert isinstance(goal, Table), goal
    audience = Audience.of(build.viewer)
    computed_json = getattr(func, FIGURES_FUNCTION)(
        goal.c.id,
        build.now(),
        bindparam("everything", audience.everything, type_=Boolean),
        bindparam("viewer_department", audience.department_id, type_=BigInteger),
        type_=JSONB,
    )
    prefetched = cast(build.prefetched("goal_figures", Text), JSONB).op("->")(cast(goal.c.id, Text))
    # coalesce reads its second argument only without the first: a prefetched goal's rows are not worked out again.
    rows = (
        func.jsonb_to_recordset(func.coalesce(prefetched, computed_json))
        .table_valued(*(column(c.name, c.type) for c in FIGURE_ROWS))
        .render_derived(name="figure_rows", with_types=True)
    )
    total, part = rows.c.total, not_(rows.c.total)
    withheld_part = and_(part, _singles_out(rows.c.n, rows.c.unseen))
    return (
        select(
            rows.c.kr_id,
            func.coalesce(func.bool_or(total), false()).label("has_total"),
            func.max(rows.c.n).filter(total).label("total_n"),
            func.max(rows.c.value).filter(total).label("total_value"),
            func.max(rows.c.unseen).filter(total).label("total_unseen"),
            func.count().filter(withheld_part).label("withheld_parts"),
            func.coalesce(func.sum(rows.c.n).filter(withheld_part), 0).label("withheld_parts_n"),
            func.array_agg(rows.c.department_id, type_=ARRAY(BigInteger)).filter(part).label("part_departments"),
            func.array_agg(rows.c.n, type_=ARRAY(BigInteger)).filter(part).label("part_n"),
            func.array_agg(rows.c.value, type_=ARRAY(Float)).filter(part).label("part_values"),
            func.array_agg(rows.c.unseen, type_=ARRAY(BigInteger)).filter(part).label("part_unseen"),
        )
        .group_by(rows.c.kr_id)
        .subquery("key_result_figures")
    )


def _total(key_result: FromClause, figures: Any) -> tuple[Any, Any, Any]:
    """domain.goal_figures.total_figure, or the empty figure without samples: (value, size, withheld)."""
    has_total = func.coalesce(figures.c.has_total, false())  # no row: no samples
    withheld = case(
        (not_(has_total), null()),
        (_singles_out(figures.c.total_n, figures.c.total_unseen), _name(Withheld.SMALL_SAMPLE)),
        (
            and_(
                figures.c.withheld_parts > 0,
                or_(key_result.c.metric.in_(_names(JOURNEY_METRICS)), figures.c.withheld_parts_n < MIN_SAMPLE),
            ),
            _name(Withheld.COMPLEMENT),
        ),
        else_=null(),
    )
    shown = has_total & withheld.is_(None)
    value = case((not_(has_total), _empty_value(key_result.c.metric)), (shown, figures.c.total_value))
    size = case((not_(has_total), 0), (shown, figures.c.total_n))
    return value, size, withheld


def part_figure(row: Any, department_id: Any) -> tuple[Any, Any, Any]:
    """KeyResultValue.of_department then domain.goal_figures.part_figure, for a key result's row:
    (value, size, withheld)."""
    index = func.array_position(row.c["part_departments"], department_id)
    n, unseen = row.c["part_n"][index], row.c["part_unseen"][index]
    withheld = case((and_(index.is_not(None), _singles_out(n, unseen)), _name(Withheld.SMALL_SAMPLE)), else_=null())
    value = case((index.is_(None), _empty_value(row.c["metric"])), (withheld.is_(None), row.c["part_values"][index]))
    size = case((index.is_(None), 0), (withheld.is_(None), n))
    return value, size, withheld


def coverage(build: Build, shared: ColumnElement[bool]) -> ColumnElement[str]:
    """schema.goals.types._coverage."""
    if build.viewer.is_admin:
        return _name(FigureCoverage.ALL_WORK)
    return case((shared, _name(FigureCoverage.ALL_WORK)), else_=_name(FigureCoverage.VISIBLE_WORK))


def _accepted(goal_id: Any, department_id: Any) -> ColumnElement[bool]:
    # Correlated explicitly: it is nested below selects that do not list the key result.
    gd = GD.alias("accepting_department")
    accepting = select(1).where(gd.c.goal_id == goal_id, gd.c.department_id == department_id)
    return accepting.where(gd.c.participation == Participation.ACCEPTED.value).correlate_except(gd).exists()


# --- domain.goal_progress -----------------------------------------------------------------------


def _microseconds(later: Any, earlier: Any) -> ColumnElement[float]:
    """A timedelta's microseconds, exactly (extract gives numeric seconds), as a double."""
    return cast(cast((extract("epoch", later) - extract("epoch", earlier)) * 1000000, BigInteger), Float)


def _elapsed(goal: FromClause, now: Any) -> ColumnElement[float]:
    share = _microseconds(now, goal.c.period_start) / _microseconds(goal.c.period_end, goal.c.period_start)
    return func.least(_float(1.0), func.greatest(_float(0.0), share))


def _progress(direction: Any, target: Any, current: Any) -> ColumnElement[float]:
    at_least = case((current >= target, _float(1.0)), else_=func.greatest(_float(0.0), current / target))
    at_most = case((current <= target, _float(1.0)), else_=func.greatest(_float(0.0), target / current))
    return case((current.is_(None), _float(0.0)), (direction == Direction.AT_LEAST.value, at_least), else_=at_most)


def _status(row: Any) -> ColumnElement[str]:
    c = row.c
    accrues = and_(c.metric == Metric.REQUESTS_RESOLVED.value, c.direction == Direction.AT_LEAST.value)
    met = c.progress >= _float(1.0)
    pace = case((c.target > 0, func.floor(c.elapsed * c.target + _float(1e-9)) / c.target), else_=_float(0.0))
    expected = case((accrues, pace), else_=_float(1.0))
    return case(
        (c.elapsed >= _float(1.0), case((met, _name(GoalStatus.ACHIEVED)), else_=_name(GoalStatus.OFF_TRACK))),
        (met, case((accrues, _name(GoalStatus.ACHIEVED)), else_=_name(GoalStatus.ON_TRACK))),
        (c.current.is_(None), _name(GoalStatus.ON_TRACK)),
        (c.progress >= expected, _name(GoalStatus.ON_TRACK)),
        (c.progress >= _float(AT_RISK_SHARE) * expected, _name(GoalStatus.AT_RISK)),
        else_=_name(GoalStatus.OFF_TRACK),
    )


# --- the rows -----------------------------------------------------------------------------------


def _departments(key_result: FromClause) -> ColumnElement[Any]:
    """The departments it credits: its scope's, or else the goal's (by id, as the loader gives them)."""
    gd = GD.alias("goal_department")
    goal_ids = select(gd.c.department_id).where(gd.c.goal_id == key_result.c.goal_id).order_by(gd.c.department_id)
    goal_ids = goal_ids.correlate_except(gd)
    no_scope = cast(literal_column("'{}'"), ARRAY(BigInteger))
    return func.coalesce(
        func.nullif(key_result.c.scope_department_ids, no_scope),
        func.array(goal_ids.scalar_subquery(), type_=ARRAY(BigInteger)),
        type_=ARRAY(BigInteger),
    )


def key_result_rows(goal: FromClause, build: Build) -> tuple[Any, Values]:
    """The key results of `goal`'s row (a select to add the JSON to, not yet ordered) and each one's
    row: its columns and figures, `progress` and `status`."""
    k = KR.alias(KEY_RESULT)
    figures = _figures(goal, build)
    value, size, withheld = _total(k, figures)
    departments = _departments(k)
    credited = func.unnest(departments).alias("credited")
    unaccepted = select(1).select_from(credited).where(not_(_accepted(k.c.goal_id, literal_column("credited"))))
    every_accepted = ~unaccepted.correlate_except(credited).exists()
    measured = (
        select(
            *k.c,
            *[figures.c[name] for name in ("part_departments", "part_n", "part_values", "part_unseen")],
            departments.label("departments"),
            value.label("current"),
            size.label("sample_size"),
            withheld.label("withheld"),
            coverage(build, every_accepted).label("coverage"),
            _elapsed(goal, build.now()).label("elapsed"),
        )
        .select_from(k.outerjoin(figures, figures.c.kr_id == k.c.id))
        .where(k.c.goal_id == goal.c.id)
        .correlate(goal)
        .subquery("measured_key_result")
    )
    progressed = select(
        *measured.c, _progress(measured.c.direction, measured.c.target, measured.c.current).label("progress")
    ).subquery("progressed_key_result")
    judged = select(*progressed.c, _status(progressed).label("status")).subquery("key_result_row")
    return judged, Values(**{c.key: c for c in judged.c})


def goal_progress(goal: FromClause, build: Build) -> ColumnElement[float]:
    """domain.goal_progress.goal_progress: the mean, summed in the key results' order."""
    rows, _ = key_result_rows(goal, build)
    mean = func.sum(aggregate_order_by(rows.c.progress, rows.c.position)) / cast(func.count(), Float)
    return func.coalesce(select(mean).select_from(rows).scalar_subquery(), _float(0.0))


def goal_status(goal: FromClause, build: Build) -> ColumnElement[str]:
    """domain.goal_progress.goal_status: the worst (ON_TRACK without key results)."""
    rows, _ = key_result_rows(goal, build)
    rank = case({s.value: i for i, s in enumerate(SEVERITY)}, value=rows.c.status)
    worst = select(func.min(rank)).select_from(rows).scalar_subquery()
    named = case({i: _name(s) for i, s in enumerate(SEVERITY)}, value=worst, else_=_name(GoalStatus.ON_TRACK))
    return named
