"""Journey measurement, computed in SQL over every run of a map.

- Run duration: started -> completed, completed runs only. Median and p90 (percentile_cont,
  i.e. interpolated).
- Stage duration: entered -> left, over every run that left the stage (a cancelled run's
  earlier stages count; the stage it was cancelled in does not).
- On time: a stage is on time when it took no longer than its target; a completed run is on
  time when every stage with a target was. Rates are NULL when nothing could be measured.
- Hand-off delay: from the last resolution among a stage's requests to the first response
  (or resolution) among the requests of the next stage that opened any, per run; grouped by
  the two stages and the departments owning those two requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import SupportsFloat

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


@dataclass(frozen=True)
class StageFigures:
    position: int
    runs_entered: int = 0
    runs_left: int = 0
    runs_going: int = 0  # still in the stage, of runs still going
    median_minutes: float | None = None
    p90_minutes: float | None = None
    on_time_rate: float | None = None


@dataclass(frozen=True)
class HandOffFigures:
    from_position: int
    to_position: int
    from_department_id: int
    to_department_id: int
    runs: int
    median_minutes: float
    p90_minutes: float


@dataclass(frozen=True)
class MapFigures:
    runs_started: int = 0
    runs_completed: int = 0
    runs_cancelled: int = 0
    runs_active: int = 0
    median_minutes: float | None = None
    p90_minutes: float | None = None
    on_time_rate: float | None = None
    stages: dict[int, StageFigures] = field(default_factory=dict)
    hand_offs: list[HandOffFigures] = field(default_factory=list)


MINUTES = "extract(epoch from {}) / 60"
STAGE_MINUTES = MINUTES.format("s.left_at - s.entered_at")

RUNS = text(f"""
with runs as (select id, map_id, status, started_at, completed_at from journey_runs where map_id = any(:ids)),
lateness as (
  select s.run_id, bool_or({STAGE_MINUTES} > st.target_minutes) as late
  from journey_run_stages s
  join runs r on r.id = s.run_id
  join journey_stages st on st.map_id = r.map_id and st.position = s.position
  where r.status = 'COMPLETED' and st.target_minutes is not null
  group by s.run_id)
select r.map_id,
  count(*) as started,
  count(*) filter (where r.status = 'COMPLETED') as completed,
  count(*) filter (where r.status = 'CANCELLED') as cancelled,
  count(*) filter (where r.status = 'ACTIVE') as active,
  percentile_cont(0.5) within group (order by {MINUTES.format("r.completed_at - r.started_at")}) as median,
  percentile_cont(0.9) within group (order by {MINUTES.format("r.completed_at - r.started_at")}) as p90,
  avg(case when coalesce(l.late, false) then 0.0 else 1.0 end) filter (where r.status = 'COMPLETED') as on_time
from runs r left join lateness l on l.run_id = r.id
group by r.map_id
""")

STAGES = text(f"""
select r.map_id, s.position,
  count(*) as entered,
  count(s.left_at) as left_,
  count(*) filter (where s.left_at is null and r.status = 'ACTIVE') as going,
  percentile_cont(0.5) within group (order by {STAGE_MINUTES}) as median,
  percentile_cont(0.9) within group (order by {STAGE_MINUTES}) as p90,
  avg(case when {STAGE_MINUTES} <= st.target_minutes then 1.0 else 0.0 end)
    filter (where s.left_at is not null and st.target_minutes is not null) as on_time
from journey_run_stages s
join journey_runs r on r.id = s.run_id
join journey_stages st on st.map_id = r.map_id and st.position = s.position
where r.map_id = any(:ids)
group by r.map_id, s.position
""")

HAND_OFFS = text(f"""
with links as (
  select l.run_id, l.position, q.owner_department_id as department_id, q.resolved_at,
         coalesce(q.first_response_at, q.resolved_at) as responded_at
  from journey_run_requests l
  join journey_runs jr on jr.id = l.run_id
  join requests q on q.id = l.request_id
  where jr.map_id = any(:ids)),
steps as (
  select run_id, position, lead(position) over (partition by run_id order by position) as next_position
  from (select distinct run_id, position from links) p),
last_resolution as (
  select distinct on (run_id, position) run_id, position, department_id, resolved_at
  from links where resolved_at is not null
  order by run_id, position, resolved_at desc, department_id),
first_response as (
  select distinct on (run_id, position) run_id, position, department_id, responded_at
  from links where responded_at is not null
  order by run_id, position, responded_at, department_id),
delays as (
  select jr.map_id, lr.position as from_position, fr.position as to_position,
         lr.department_id as from_department_id, fr.department_id as to_department_id,
         greatest(0, {MINUTES.format("fr.responded_at - lr.resolved_at")}) as minutes
  from last_resolution lr
  join steps st on st.run_id = lr.run_id and st.position = lr.position
  join first_response fr on fr.run_id = lr.run_id and fr.position = st.next_position
  join journey_runs jr on jr.id = lr.run_id)
select map_id, from_position, to_position, from_department_id, to_department_id, count(*) as runs,
  percentile_cont(0.5) within group (order by minutes) as median,
  percentile_cont(0.9) within group (order by minutes) as p90
from delays
group by map_id, from_position, to_position, from_department_id, to_department_id
order by map_id, from_position, median desc, from_department_id, to_department_id
""")


def _float(value: SupportsFloat | None) -> float | None:
    return float(value) if value is not None else None


async def analytics_by_map(conn: AsyncConnection, map_ids: Sequence[int]) -> dict[int, MapFigures]:
    """Three statements for any number of maps."""
    ids = list(map_ids)
    stages: dict[int, dict[int, StageFigures]] = {i: {} for i in ids}
    for row in await conn.execute(STAGES, {"ids": ids}):
        stages[row.map_id][row.position] = StageFigures(
            position=row.position,
            runs_entered=row.entered,
            runs_left=row.left_,
            runs_going=row.going,
            median_minutes=_float(row.median),
            p90_minutes=_float(row.p90),
            on_time_rate=_float(row.on_time),
        )
    hand_offs: dict[int, list[HandOffFigures]] = {i: [] for i in ids}
    for row in await conn.execute(HAND_OFFS, {"ids": ids}):
        hand_offs[row.map_id].append(
            HandOffFigures(
                from_position=row.from_position,
                to_position=row.to_position,
                from_department_id=row.from_department_id,
                to_department_id=row.to_department_id,
                runs=row.runs,
                median_minutes=float(row.median),
                p90_minutes=float(row.p90),
            )
        )
    figures = {i: MapFigures(stages=stages[i], hand_offs=hand_offs[i]) for i in ids}
    for row in await conn.execute(RUNS, {"ids": ids}):
        figures[row.map_id] = MapFigures(
            runs_started=row.started,
            runs_completed=row.completed,
            runs_cancelled=row.cancelled,
            runs_active=row.active,
            median_minutes=_float(row.median),
            p90_minutes=_float(row.p90),
            on_time_rate=_float(row.on_time),
            stages=stages[row.map_id],
            hand_offs=hand_offs[row.map_id],
        )
    return figures
