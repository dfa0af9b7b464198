"""A journey map's figures as correlated SQL, for the compiled read path: db.read.journey_analytics's
three statements (RUNS, STAGES, HAND_OFFS) rewritten to run for one map inside a larger statement,
with the same aggregates, the same units (minutes as exact numerics, percentiles interpolated) and
the same nulls. Each select reads the map's id from `of`, an enclosing row it is correlated to.

schema.journeys.analytics writes JourneyAnalytics from these, with the withholding rules of
domain.journey_figures on top.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Numeric,
    Select,
    and_,
    case,
    exists,
    extract,
    func,
    literal_column,
    select,
)

from db import tables as t

JR, RS, ST, RR = t.journey_runs, t.journey_run_stages, t.journey_stages, t.journey_run_requests

# Numeric literals, as in db.read.journey_analytics: avg over them is a numeric, which float() reads.
ONE, ZERO = literal_column("1.0", Numeric), literal_column("0.0", Numeric)
MEDIAN, P90 = literal_column("0.5", Numeric), literal_column("0.9", Numeric)


def minutes(interval: ColumnElement[Any]) -> ColumnElement[Any]:
    """db.read.journey_analytics.MINUTES."""
    return extract("epoch", interval) / 60


def _percentiles(value: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    return [
        func.percentile_cont(MEDIAN).within_group(value).label("median"),
        func.percentile_cont(P90).within_group(value).label("p90"),
    ]


def run_figures(map_id: ColumnElement[Any], *, of: FromClause) -> Select[Any]:
    """RUNS for one map: always one row (no runs: counts 0, times and rate null)."""
    run, entered, stage = JR.alias("run"), RS.alias(), ST.alias()
    late = exists(
        select(1)
        .select_from(entered.join(stage, and_(stage.c.map_id == run.c.map_id, stage.c.position == entered.c.position)))
        .where(
            entered.c.run_id == run.c.id,
            stage.c.target_minutes.is_not(None),
            minutes(entered.c.left_at - entered.c.entered_at) > stage.c.target_minutes,
        )
    )
    completed = run.c.status == "COMPLETED"
    return (
        select(
            func.count().label("started"),
            func.count().filter(completed).label("completed"),
            func.count().filter(run.c.status == "CANCELLED").label("cancelled"),
            func.count().filter(run.c.status == "ACTIVE").label("active"),
            *_percentiles(minutes(run.c.completed_at - run.c.started_at)),
            func.avg(case((late, ZERO), else_=ONE)).filter(completed).label("on_time"),
        )
        .where(run.c.map_id == map_id)
        .correlate(of)
    )


def stage_figures(map_id: ColumnElement[Any], *, of: FromClause) -> Select[Any]:
    """STAGES for one map, a row for every stage of it (one no run entered: 0s and nulls, as
    schema.journeys.analytics.Reading measures it)."""
    stage, entered, run = ST.alias(), RS.alias(), JR.alias()
    taken = minutes(entered.c.left_at - entered.c.entered_at)
    left = entered.c.left_at.is_not(None)
    runs = entered.join(run, run.c.id == entered.c.run_id)
    return (
        select(
            stage.c.id.label("stage_id"),
            stage.c.position,
            stage.c.target_minutes,
            func.count(entered.c.run_id).label("entered"),
            func.count(entered.c.left_at).label("left_"),
            func.count().filter(and_(entered.c.left_at.is_(None), run.c.status == "ACTIVE")).label("going"),
            *_percentiles(taken),
            func.avg(case((taken <= stage.c.target_minutes, ONE), else_=ZERO))
            .filter(and_(left, stage.c.target_minutes.is_not(None)))
            .label("on_time"),
        )
        .select_from(
            stage.outerjoin(runs, and_(entered.c.position == stage.c.position, run.c.map_id == stage.c.map_id))
        )
        .where(stage.c.map_id == map_id)
        .group_by(stage.c.id)
        .correlate(of)
    )


def _links(map_id: ColumnElement[Any], *, of: FromClause) -> Any:
    """HAND_OFFS's `links`: the run's requests with their owners and times."""
    link, run, request = RR.alias(), JR.alias(), t.requests.alias()
    return (
        select(
            link.c.run_id,
            link.c.position,
            request.c.owner_department_id.label("department_id"),
            request.c.resolved_at,
            func.coalesce(request.c.first_response_at, request.c.resolved_at).label("responded_at"),
        )
        .select_from(link.join(run, run.c.id == link.c.run_id).join(request, request.c.id == link.c.request_id))
        .where(run.c.map_id == map_id)
        .correlate(of)
        .subquery()
    )


def hand_off_groups(map_id: ColumnElement[Any], *, of: FromClause) -> Select[Any]:
    """HAND_OFFS for one map: a row per (stage, next stage with requests, their departments)."""
    at = _links(map_id, of=of)
    positions = select(at.c.run_id, at.c.position).distinct().subquery()
    steps = select(
        positions.c.run_id,
        positions.c.position,
        func.lead(positions.c.position)
        .over(partition_by=positions.c.run_id, order_by=positions.c.position)
        .label("next_position"),
    ).subquery("step")
    resolved = _links(map_id, of=of)
    last = (
        select(resolved.c.run_id, resolved.c.position, resolved.c.department_id, resolved.c.resolved_at)
        .where(resolved.c.resolved_at.is_not(None))
        .distinct(resolved.c.run_id, resolved.c.position)
        .order_by(resolved.c.run_id, resolved.c.position, resolved.c.resolved_at.desc(), resolved.c.department_id)
        .subquery("last_resolution")
    )
    responded = _links(map_id, of=of)
    first = (
        select(responded.c.run_id, responded.c.position, responded.c.department_id, responded.c.responded_at)
        .where(responded.c.responded_at.is_not(None))
        .distinct(responded.c.run_id, responded.c.position)
        .order_by(responded.c.run_id, responded.c.position, responded.c.responded_at, responded.c.department_id)
        .subquery("first_response")
    )
    delays = (
        select(
            last.c.position.label("from_position"),
            first.c.position.label("to_position"),
            last.c.department_id.label("from_department_id"),
            first.c.department_id.label("to_department_id"),
            func.greatest(0, minutes(first.c.responded_at - last.c.resolved_at)).label("minutes"),
        )
        .select_from(
            last.join(steps, and_(steps.c.run_id == last.c.run_id, steps.c.position == last.c.position)).join(
                first, and_(first.c.run_id == last.c.run_id, first.c.position == steps.c.next_position)
            )
        )
        .subquery("delay")
    )
    keys = [delays.c.from_position, delays.c.to_position, delays.c.from_department_id, delays.c.to_department_id]
    return select(*keys, func.count().label("runs"), *_percentiles(delays.c.minutes)).group_by(*keys)
