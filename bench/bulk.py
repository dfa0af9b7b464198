"""A large history in bulk SQL: the demo's requests cloned with INSERT .. SELECT.

Each synthetic request is a copy of one demo request — its row, tasks, watchers, hand-offs,
comments and events — moved back in time. The demo was played through the real handlers, so
every copy keeps the domain's invariants (versions match events, SLA dates match the policy,
resolved requests have no open tasks) without this module re-implementing the rules. Extra
comments, each with its CommentAdded event, bring the comments to the target. Everything
runs inside PostgreSQL (generate_series, random(), window functions for ids in time order):
a million requests take minutes, not the memory of the Python process.
"""

from __future__ import annotations

import asyncpg

from api.demo import phrases
from db import tables as t

# Requests still being worked (or resolved within the reopen window) stay recent; the rest
# of the history spreads over a year. This share of copies is recent, as in a real backlog.
RECENT = ("NEW", "TRIAGED", "IN_PROGRESS", "WAITING_ON_REQUESTER", "WAITING_ON_DEPARTMENT", "RESOLVED")
RECENT_SHARE = 0.12
RECENT_HOURS = 48
HISTORY_DAYS = 365
AGENT_SHARE = 0.6  # of extra comments, written by an agent of the owning department
INTERNAL_SHARE = 0.3  # of agents' extra comments, internal notes
EXTRA_COMMENT_BODIES = phrases.PROGRESS + phrases.QUESTION + phrases.REPLY
SEED = 0.2024  # setseed(): the same history for the same demo
BULK_TABLES = ("requests", "tasks", "watchers", "comments", "handoffs", "events")
SHIFTED = {  # columns moved back in time with their request
    "requests": {
        "created_at",
        "updated_at",
        "resolved_at",
        "closed_at",
        "first_response_at",
        "response_due_at",
        "resolution_due_at",
        "sla_paused_at",
        "rated_at",
    },
    "tasks": {"created_at", "completed_at"},
}

TEMPLATES = f"""
create temp table tpl as
select r.id, r.created_at, r.status in ({", ".join(f"'{s}'" for s in RECENT)}) as recent,
       coalesce((select max(e.occurred_at) from events e where e.request_id = r.id), r.updated_at) as last_activity,
       coalesce((select e.department_ids from events e where e.request_id = r.id order by e.seq desc limit 1),
                array[r.owner_department_id]) as department_ids
from requests r;
create temp table tpl_class as
select id, recent, row_number() over (partition by recent order by id) as idx, count(*) over (partition by recent) as n
from tpl;
"""

# Which template each copy clones and how far back it moves (recent work: up to two days;
# the rest: anywhere in the year such that its last event is not in the future).
PLAN = f"""
create temp table plan as
with draws as (
  select g, random() < {RECENT_SHARE} as recent, random() as pick, random() as at
  from generate_series(1, :copies) g)
select d.g, t.id as template_id, case when d.recent
    then make_interval(secs => d.at * {RECENT_HOURS} * 3600)
    else t.created_at - (now() - (t.last_activity - t.created_at)
                         - (interval '{HISTORY_DAYS} days' - (t.last_activity - t.created_at)) * d.at) end
  as delta
from draws d
join tpl_class c on c.recent = d.recent and c.idx = 1 + floor(d.pick * c.n)::bigint
join tpl t on t.id = c.id;
--
create temp table copies as
select :first_id + row_number() over w - 1 as id, :first_number + row_number() over w - 1 as number,
       p.template_id, p.delta
from plan p join tpl t on t.id = p.template_id
window w as (order by t.created_at - p.delta, p.g);
"""

TASK_MAP = """
create temp table task_map as
select c.id as request_id, tk.id as old_id, :first_task + row_number() over (order by c.id, tk.id) - 1 as new_id,
       c.delta
from copies c join tasks tk on tk.request_id = c.template_id;
"""

CLONED_CHILDREN = """
insert into watchers (request_id, person_id)
select c.id, w.person_id from copies c join watchers w on w.request_id = c.template_id;
insert into handoffs (request_id, from_department_id, to_department_id, reason, actor_id, at)
select c.id, h.from_department_id, h.to_department_id, h.reason, h.actor_id, h.at - c.delta
from copies c join handoffs h on h.request_id = c.template_id;
create temp table new_comments as
select c.id as request_id, cm.author_id, cm.body, cm.internal, cm.created_at - c.delta as created_at,
       cm.id as old_id
from copies c join comments cm on cm.request_id = c.template_id;
"""

# Extra comments on random copies, written while the request was open, by an agent of the
# owning department or by the requester.
EXTRA_COMMENTS = f"""
create temp table agents as
select id, department_id, row_number() over (partition by department_id order by id) as idx,
       count(*) over (partition by department_id) as n
from people where role = 'AGENT';
--
insert into new_comments (request_id, author_id, body, internal, created_at, old_id)
with draws as (
  select :first_id + floor(random() * :copies)::bigint as request_id, random() < {AGENT_SHARE} as by_agent,
         random() as who, random() < {INTERNAL_SHARE} as internal, random() as at, random() as phrase
  from generate_series(1, :extra))
select d.request_id, coalesce(a.id, r.requester_id), ($1::text[])[1 + floor(d.phrase * cardinality($1::text[]))],
       a.id is not null and d.internal,
       r.created_at + (least(r.closed_at, r.updated_at) - r.created_at) * d.at, null
from draws d
join requests r on r.id = d.request_id
left join (select distinct department_id, n from agents) dn on dn.department_id = r.owner_department_id
left join agents a on d.by_agent and a.department_id = r.owner_department_id
    and a.idx = 1 + floor(d.who * dn.n)::bigint;
"""

COMMENTS = """
create temp table comment_map as
select :first_comment + row_number() over (order by created_at, request_id, old_id) - 1 as id, *
from new_comments;
--
insert into comments (id, request_id, author_id, body, internal, created_at)
select id, request_id, author_id, body, internal, created_at from comment_map order by id;
"""

# Every copy's events, payloads pointing at the copy's number, tasks and comments; then one
# CommentAdded per extra comment; sequence numbers in time order.
EVENTS = """
create temp table new_events as
select c.id as request_id, e.type, e.occurred_at - c.delta as occurred_at, e.actor_id, e.journey_run_id,
       e.department_ids, e.internal,
       e.payload
       || case when e.payload ? 'number' then jsonb_build_object('number', c.number) else '{}' end
       || case when tm.new_id is not null then jsonb_build_object('taskId', tm.new_id) else '{}' end
       || case when cm.id is not null then jsonb_build_object('commentId', cm.id) else '{}' end as payload
from copies c join events e on e.request_id = c.template_id
left join task_map tm on tm.request_id = c.id and tm.old_id = (e.payload->>'taskId')::bigint
left join comment_map cm on cm.request_id = c.id and cm.old_id = (e.payload->>'commentId')::bigint;
insert into new_events
select cm.request_id, 'CommentAdded', cm.created_at, cm.author_id, null, t.department_ids, cm.internal,
       jsonb_build_object('excerpt', left(cm.body, 140), 'commentId', cm.id)
from comment_map cm join copies c on c.id = cm.request_id join tpl t on t.id = c.template_id
where cm.old_id is null;
--
insert into events (seq, type, occurred_at, actor_id, request_id, journey_run_id, department_ids, internal, payload)
select :first_seq + row_number() over (order by occurred_at, request_id) - 1, type, occurred_at, actor_id,
       request_id, journey_run_id, department_ids, internal, payload
from new_events;
"""

SECONDARY_INDEXES = """
select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
from pg_index i join pg_class c on c.oid = i.indrelid
where c.relname = any($1::text[]) and c.relnamespace = 'public'::regnamespace
  and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
"""


def _cloned_columns(table: str) -> tuple[list[str], list[str]]:
    """(target columns, select expressions) copying a template row of `table` into copy `c`."""
    columns = [col.name for col in t.metadata.tables[table].c if col.computed is None and col.name != "id"]
    shifted = SHIFTED[table]
    return columns, [f"x.{name} - c.delta" if name in shifted else f"x.{name}" for name in columns]


def _requests_insert() -> str:
    columns, values = _cloned_columns("requests")
    values = ["c.number" if v == "x.number" else v for v in values]
    return (
        f"insert into requests (id, {', '.join(columns)}) select c.id, {', '.join(values)} "
        "from copies c join requests x on x.id = c.template_id order by c.id"
    )


def _tasks_insert() -> str:
    columns, values = _cloned_columns("tasks")
    values = ["m.request_id" if v == "x.request_id" else v.replace("c.delta", "m.delta") for v in values]
    return (
        f"insert into tasks (id, {', '.join(columns)}) select m.new_id, {', '.join(values)} "
        "from task_map m join tasks x on x.id = m.old_id"
    )


async def _run(conn: asyncpg.Connection, script: str, *args: object, **numbers: int) -> None:
    """Statements separated by `--` lines, `:name` replaced by the integer `numbers[name]`;
    $n parameters only in the last statement."""
    for name, value in sorted(numbers.items(), key=lambda item: -len(item[0])):
        script = script.replace(f":{name}", str(int(value)))
    *plain, last = script.split("\n--\n")
    for statement in plain:
        await conn.execute(statement)
    await conn.execute(last, *args)


async def _next(conn: asyncpg.Connection, table: str, column: str) -> int:
    return await conn.fetchval(f"select coalesce(max({column}), 0) + 1 from {table}")


async def clone_history(conn: asyncpg.Connection, *, requests: int, comments: int) -> None:
    """Add `requests` copies of the demo's requests and bring all comments to `comments`; in
    one transaction, with secondary indexes dropped during the load and rebuilt after it."""
    async with conn.transaction():
        await conn.execute(
            f"select setseed({SEED}); set local synchronous_commit = off; "
            "set local maintenance_work_mem = '512MB'; set local work_mem = '256MB'"
        )
        indexes = await conn.fetch(SECONDARY_INDEXES, list(BULK_TABLES))
        for index in indexes:
            await conn.execute(f"drop index {index['name']}")
        await conn.execute(TEMPLATES)
        first_id = await _next(conn, "requests", "id")
        first_number = await conn.fetchval("select nextval('request_number_seq')")
        await _run(conn, PLAN, copies=requests, first_id=first_id, first_number=first_number)
        await conn.execute(_requests_insert())
        await _run(conn, TASK_MAP, first_task=await _next(conn, "tasks", "id"))
        await conn.execute(_tasks_insert())
        await _run(conn, CLONED_CHILDREN)
        have = await conn.fetchval("select (select count(*) from comments) + (select count(*) from new_comments)")
        await _run(
            conn,
            EXTRA_COMMENTS,
            list(EXTRA_COMMENT_BODIES),
            first_id=first_id,
            copies=requests,
            extra=max(0, comments - have),
        )
        await _run(conn, COMMENTS, first_comment=await _next(conn, "comments", "id"))
        await _run(conn, EVENTS, first_seq=await _next(conn, "events", "seq"))
        for index in indexes:
            await conn.execute(index["definition"])
        await _move_sequences(conn, last_number=first_number + requests - 1)


async def _move_sequences(conn: asyncpg.Connection, *, last_number: int) -> None:
    """Explicit ids were written: each identity continues after them, numbers after the last."""
    for table, column in (
        ("requests", "id"),
        ("tasks", "id"),
        ("comments", "id"),
        ("handoffs", "id"),
        ("events", "seq"),
    ):
        await conn.execute(
            f"select setval(pg_get_serial_sequence('{table}', '{column}'), (select max({column}) from {table}))"
        )
    await conn.execute("select setval('request_number_seq', $1)", last_number)
