"""Key result values, computed in SQL from the work itself: one statement per batch of key results.

Each key result becomes a set of samples (one per request or journey run that counts), each
credited to a department; the value is aggregated over all samples and per credited department.

The window is [period start, min(period end, now)). Which requests count, and who gets credit:
- REQUESTS_RESOLVED, MEDIAN_/P90_RESOLUTION_HOURS: requests resolved in the window (their latest
  resolution). Resolution hours run from creation to resolution, less the time the SLA clock was
  paused waiting on the requester; percentiles interpolate (PostgreSQL percentile_cont). Credit:
  the department that owned the request when it was resolved.
- SLA_COMPLIANCE_RATE: each request whose SLA outcome was decided in the window, met = 1,
  breached = 0. An outcome is decided when the request is resolved (breached when the response
  or the resolution was late, as `Request.sla.breached` says), or, for a request not resolved,
  when its resolution deadline passes while it is still open (cancelled first: not counted).
  Credit: a met SLA goes to the department that owned the request when it was resolved; a breach
  to the department that held the request when the SLA broke (the response deadline when the
  response was late, else the resolution deadline), so handing a late request on passes no blame.
- CSAT_AVERAGE: ratings given in the window; credit: the owner when the request was resolved.
- OPEN_BACKLOG: requests open now (not in the window: a backlog is a level); credit: the current owner.
- JOURNEY_ON_TIME_RATE: journey runs completed in the window, 1 when every stage with a target
  took no longer than it; per department, over the stages where it owns a touchpoint (see
  JOURNEY_SAMPLES: a run counts once in the total and once for each department it involved).
A journey map in a request metric's scope keeps the requests its runs opened (any map version).

Figures are computed for an audience (admins, or one department's staff): a sample counts when
the audience could see its work anyway, or when its department accepted the goal (or, for a
run's own outcome, every department of the key result it involves did); domain.goal_figures
then decides what of each figure is shown.
The owner at a moment comes from the hand-off log: the target of the last hand-off at or before
it, else the source of the first hand-off, else the request's owner (never handed off).
Only samples credited to the key result's departments count (its scope's, or else the goal's).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, Boolean, DateTime, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.goal_figures import Aggregate, Figure, part_figure, total_figure
from domain.goals import COUNTS, JOURNEY_METRICS, Metric
from domain.people import Person
from domain.workflow import OPEN

OPEN_STATUSES = ", ".join(f"'{s.value}'" for s in sorted(OPEN, key=lambda s: s.value))


def owner_at(request: str, moment: str) -> str:
    """SQL for the department that owned `request` at `moment`, from the hand-off log."""
    return f"""coalesce(
        (select h.to_department_id from handoffs h where h.request_id = {request}.id and h.at <= {moment}
          order by h.at desc, h.id desc limit 1),
        (select h.from_department_id from handoffs h where h.request_id = {request}.id
          order by h.at, h.id limit 1),
        {request}.owner_department_id)"""


_RESPONSE_LATE = "coalesce(s.first_response_at, s.resolved_at) > s.response_due_at"
_RESOLUTION_LATE = "s.resolved_at > s.resolution_due_at"
_BREACHED_AT = f"""case when {_RESPONSE_LATE} then s.response_due_at
                        when {_RESOLUTION_LATE} then s.resolution_due_at else s.resolved_at end"""
_RESOLUTION_HOURS = "greatest(0, extract(epoch from s.resolved_at - s.created_at) - s.sla_paused_seconds) / 3600.0"


def _in_window(column: str) -> str:
    return f"{column} >= kr.starts and {column} < kr.ends"


# Whether the reader could see a request anyway: their department owns it or has a task on it
# (db.read.visibility.works_on_request; a reader's own requests and those they watch are left
# out, so that one read serves their whole department). Admins see everything.
_SEEN_REQUEST = """coalesce(:everything or s.owner_department_id = :viewer_department
  or exists (select 1 from tasks tk where tk.request_id = s.id and tk.department_id = :viewer_department), false)"""


def _samples(metrics: tuple[str, ...], *, which: str, credited_to: str, value: str) -> str:
    """One sample per request `which` selects for key results of `metrics`, credited and valued.

    Each kind joins the requests on its own window, so it reads only the requests it needs."""
    names = ", ".join(f"'{m}'" for m in metrics)
    return f"""
  select kr.kr_id, kr.metric, kr.departments, kr.accepted, {credited_to} as department_id,
         ({value})::float8 as value, true as whole, {_SEEN_REQUEST} as seen, null::boolean as run_shared
    from kr join requests s
      on (cardinality(kr.services) = 0 or s.service_id = any(kr.services))
     and (cardinality(kr.types) = 0 or s.request_type_id = any(kr.types))
     and (kr.maps is null or exists (select 1 from journey_runs jr
                                      where jr.id = s.journey_run_id and jr.map_id = any(kr.maps)))
     and {which}
   where kr.metric in ({names})"""


SAMPLES = " union all ".join(
    [
        _samples(
            ("REQUESTS_RESOLVED", "MEDIAN_RESOLUTION_HOURS", "P90_RESOLUTION_HOURS"),
            which=_in_window("s.resolved_at"),
            credited_to=owner_at("s", "s.resolved_at"),
            value=_RESOLUTION_HOURS,
        ),
        _samples(
            ("SLA_COMPLIANCE_RATE",),
            which=_in_window("s.resolved_at"),
            credited_to=owner_at("s", _BREACHED_AT),
            value=f"case when {_RESPONSE_LATE} or {_RESOLUTION_LATE} then 0 else 1 end",
        ),
        _samples(
            ("SLA_COMPLIANCE_RATE",),
            credited_to=owner_at("s", "s.resolution_due_at"),
            value="0",
            which=f"""s.resolved_at is null and {_in_window("s.resolution_due_at")}
                       and coalesce(s.closed_at, s.sla_paused_at, :now) > s.resolution_due_at""",
        ),
        _samples(
            ("CSAT_AVERAGE",),
            which=f"s.satisfaction_score is not null and {_in_window('s.rated_at')}",
            credited_to=owner_at("s", "coalesce(s.resolved_at, s.rated_at)"),
            value="s.satisfaction_score",
        ),
        _samples(
            ("OPEN_BACKLOG",), which=f"s.status in ({OPEN_STATUSES})", credited_to="s.owner_department_id", value="1"
        ),
    ]
)

# Journey runs completed in the window, of the scoped map (any of its versions), on a map one of
# the key result's departments has a touchpoint on. A run is on time when every stage with a
# target took no longer than it (as JourneyMap.analytics counts); a department's sample is the
# same question over the stages where it owns a touchpoint, so a run counts once in the total
# and once for each department it involved.
JOURNEY_SAMPLES = """
  select kr_id, metric, departments, accepted, department_id, min(on_time::int)::float8, false, seen, null
    from stage_outcomes group by kr_id, metric, departments, accepted, run_id, department_id, seen
  union all
  select r.kr_id, r.metric, r.departments, r.accepted, null, coalesce(min(o.on_time::int), 1)::float8, true,
         r.seen, r.shared
    from runs r left join stage_outcomes o on o.kr_id = r.kr_id and o.run_id = r.run_id
   group by r.kr_id, r.metric, r.departments, r.accepted, r.run_id, r.seen, r.shared"""

# A run is seen by the staff of the departments owning its map's touchpoints (run_visible, less
# its sponsor); a run's own outcome is shared when every department of the key result it
# involves accepted the goal, since it is made of their stages.
JOURNEY_RUNS = """
runs as materialized (
  select kr.kr_id, kr.metric, kr.departments, kr.accepted, jr.id as run_id, jr.map_id,
         coalesce(:everything or :viewer_department = any(jm.department_ids), false) as seen,
         not exists (select 1 from unnest(jm.department_ids) d
                      where d = any(kr.departments) and d <> all(kr.accepted)) as shared
    from kr join journey_runs jr
      on jr.status = 'COMPLETED' and jr.completed_at >= kr.starts and jr.completed_at < kr.ends
     and (kr.maps is null or jr.map_id = any(kr.maps))
    join journey_maps jm on jm.id = jr.map_id and jm.department_ids && kr.departments
   where kr.metric = 'JOURNEY_ON_TIME_RATE'
),
stage_outcomes as materialized (
  select r.kr_id, r.metric, r.departments, r.accepted, r.run_id, r.seen, tp.department_id,
         extract(epoch from s.left_at - s.entered_at) / 60 <= st.target_minutes as on_time
    from runs r
    join journey_run_stages s on s.run_id = r.run_id
    join journey_stages st on st.map_id = r.map_id and st.position = s.position and st.target_minutes is not null
    join journey_touchpoints tp on tp.stage_id = st.id
),"""

AGGREGATE = """count(*) as n,
       case metric
         when 'MEDIAN_RESOLUTION_HOURS' then percentile_cont(0.5) within group (order by value)
         when 'P90_RESOLUTION_HOURS' then percentile_cont(0.9) within group (order by value)
         when 'REQUESTS_RESOLVED' then count(*)::float8
         when 'OPEN_BACKLOG' then count(*)::float8
         else avg(value)
       end as value,
       count(*) filter (where not seen) as unseen"""
# A sample counts for the reader when they could see its work, or its department shares it.
COUNTED = "(seen or coalesce(run_shared, department_id = any(accepted)))"


def figures_sql(key_results: str) -> str:
    """The figure rows of the key results `key_results` picks (an SQL condition on `k`, their
    key_results row): for each, its total (department_id null, total true) and its part per
    credited department, as (kr_id, department_id, total, n, value, unseen); the parameters are
    :now, :everything and :viewer_department (an Audience). The normal read path asks for a batch
    of ids (VALUES); the compiled one for the key result of the row it is written from.

    Scope: every axis left empty matches everything; departments default to the goal's; a journey
    map stands for all its versions. The CTEs are materialized so that each is worked out once."""
    return f"""
with kr as materialized (
  select k.id as kr_id, k.metric, k.scope_service_ids as services, k.scope_request_type_ids as types,
         coalesce(nullif(k.scope_department_ids, '{{}}'),
                  array(select gd.department_id from shared_goal_departments gd where gd.goal_id = k.goal_id))
           as departments,
         array(select gd.department_id from shared_goal_departments gd
                where gd.goal_id = k.goal_id and gd.participation = 'ACCEPTED') as accepted,
         case when k.scope_journey_map_id is not null then
           array(select m.id from journey_maps m
                  where m.lineage_id = (select n.lineage_id from journey_maps n where n.id = k.scope_journey_map_id))
         end as maps,
         g.period_start as starts, least(g.period_end, :now) as ends
    from key_results k join shared_goals g on g.id = k.goal_id
   where {key_results}
),
{JOURNEY_RUNS}
samples as materialized ({SAMPLES} union all {JOURNEY_SAMPLES})
select kr_id, null::bigint as department_id, true as total, {AGGREGATE}
  from samples where whole and (department_id is null or department_id = any(departments)) and {COUNTED}
 group by kr_id, metric
union all
select kr_id, department_id, false, {AGGREGATE}
  from samples where department_id = any(departments) and {COUNTED}
 group by kr_id, metric, department_id
"""


# The figure rows of one goal's key results as a function of the database (migration 0011), for the
# compiled read path's goals that were not prefetched (schema.goals.figures_sql): a call in its
# statement, planned only when it runs, where the SQL written out five times over made every call's
# plan 100 KB. Its body is FIGURES_FUNCTION_BODY as of its migration; tests/integration/
# test_migrations.py checks the two are the same (change figures_sql: add a migration replacing it).
FIGURES_FUNCTION = "tandem_goal_figure_rows"
FIGURES_FUNCTION_ARGUMENTS = "for_goal bigint, now_at timestamptz, everything boolean, viewer_department bigint"


def _function_parameters(sql: str) -> str:
    for name, argument in (
        (":now", "now_at"),
        (":everything", "everything"),
        (":viewer_department", "viewer_department"),
    ):
        sql = re.sub(f"(?<!:){name}\\b", argument, sql)
    return sql


FIGURES_FUNCTION_BODY = f"""
select coalesce(jsonb_agg(jsonb_build_object('kr_id', kr_id, 'department_id', department_id, 'total', total,
                                             'n', n, 'value', value, 'unseen', unseen)), '[]'::jsonb)
  from ({_function_parameters(figures_sql("k.goal_id = for_goal"))}) figure_rows
"""

VALUES = text(figures_sql("k.id = any(:ids)")).bindparams(
    bindparam("ids", type_=ARRAY(BigInteger)),
    bindparam("now", type_=DateTime(timezone=True)),
    bindparam("everything", type_=Boolean),
    bindparam("viewer_department", type_=BigInteger),
)


@dataclass(frozen=True)
class Audience:
    """Whose work a reader could see anyway: everything (admins), or their department's."""

    everything: bool
    department_id: int | None

    @classmethod
    def of(cls, viewer: Person) -> Audience:
        return cls(everything=viewer.is_admin, department_id=viewer.department_id if viewer.is_staff else None)


@dataclass
class KeyResultValue:
    """A key result's figures for one audience: over all its samples, and per credited department."""

    metric: Metric
    total: Figure = field(init=False)
    by_department: dict[int, Figure] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.total = Figure(empty_value(self.metric), 0)

    def of_department(self, department_id: int) -> Figure:
        return self.by_department.get(department_id) or Figure(empty_value(self.metric), 0)


def empty_value(metric: Metric) -> float | None:
    """With no samples a count is 0; a rate, an average or a percentile has no value."""
    return 0.0 if metric in COUNTS else None


# db.read.goal_values.data_version's columns, for a statement that reads it beside other rows.
DATA_VERSION_COLUMNS = (
    "(select max(seq) from events)",
    "pg_relation_filenode('events')",
    "(select oid from pg_database where datname = current_database())",
    "pg_postmaster_start_time()",
)
DATA_VERSION = text(f"select {', '.join(DATA_VERSION_COLUMNS)}")


async def data_version(conn: AsyncConnection) -> tuple[Any, ...]:
    """Where the database's event log is: every command that changes work appends events in its
    transaction, in commit order (the log's ordering lock), so the same version means no command
    has committed since. The rest tells this log from another that reached the same sequence: one
    truncated (a new file), another database, the same one restored (the server's start)."""
    return tuple((await conn.execute(DATA_VERSION)).one())


class FigureRow(NamedTuple):
    """A key result's figure over its samples (`total`, department_id None) or over those credited
    to one department: n samples, the value, and how many the audience could not see."""

    kr_id: int
    department_id: int | None
    total: bool
    n: int
    value: float | None
    unseen: int


async def figure_rows(
    conn: AsyncConnection, key_result_ids: Sequence[int], *, now: datetime, audience: Audience
) -> list[FigureRow]:
    """The figure rows at `now` of the key results `key_result_ids`, counted for `audience` (a key
    result without samples has none)."""
    rows = await conn.execute(
        VALUES,
        {
            "ids": list(key_result_ids),
            "now": now,
            "everything": audience.everything,
            "viewer_department": audience.department_id,
        },
    )
    return [FigureRow(*row) for row in rows]


def key_result_values(
    key_results: Sequence[tuple[int, Metric]], rows: Sequence[FigureRow]
) -> dict[tuple[int, Metric], KeyResultValue]:
    """The figures of key results keyed (id, metric) from their figure rows, as the audience they
    were counted for may read them (domain.goal_figures); the metric shapes an empty value."""
    totals: dict[int, Aggregate] = {}
    parts: dict[int, dict[int, Aggregate]] = {k: {} for k, _ in key_results}
    for row in rows:
        aggregate = Aggregate(row.value, row.n, row.unseen)
        if row.total:
            totals[row.kr_id] = aggregate
        elif row.kr_id in parts:
            assert row.department_id is not None
            parts[row.kr_id][row.department_id] = aggregate
    values = {}
    for k, metric in key_results:
        value = values[(k, metric)] = KeyResultValue(metric)
        value.by_department = {d: part_figure(a) for d, a in parts[k].items()}
        if k in totals:
            value.total = total_figure(totals[k], parts[k].values(), runs=metric in JOURNEY_METRICS)
    return values
