"""Writing a request command's whole outcome as ONE statement of data-modifying CTEs.

Every part is joined to `upd`, the guarded UPDATE of the request row: when the row is no longer
the version that was read, `upd` is empty and nothing else is written, events included. The
statement text never changes (children travel as JSON arrays), so each connection prepares it
once. A key already claimed by a concurrent call fails the statement as a whole (unique
violation), which the caller treats as contention.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asyncpg import Connection, Record

from db.durability import ASYNC_COMMIT, wait_flushed
from db.mapping import request_values, task_values
from domain.events import Event
from domain.requests import Request

_UPDATED = (
    "title",
    "description",
    "status",
    "priority",
    "service_id",
    "request_type_id",
    "requester_id",
    "assignee_id",
    "owner_department_id",
    "fields",
    "version",
    "updated_at",
    "resolved_at",
    "closed_at",
    "first_response_at",
    "response_due_at",
    "resolution_due_at",
    "sla_paused_at",
    "sla_paused_seconds",
    "satisfaction_score",
    "satisfaction_comment",
    "rated_at",
)
_SET = ", ".join(f"{name} = ${i}" for i, name in enumerate(_UPDATED, start=3))
_N = len(_UPDATED) + 3  # the first parameter after the request's columns


def append_events(*, after: str, parameter: int) -> str:
    """The INSERT of the events (a JSON array, in order) for a CTE, written only if `after` has a row."""
    return f"""
  insert into events (type, occurred_at, actor_id, request_id, journey_run_id, department_ids, internal, payload)
  select e.doc->>'type', (e.doc->>'occurred_at')::timestamptz, (e.doc->>'actor_id')::bigint,
         (e.doc->>'request_id')::bigint, (e.doc->>'journey_run_id')::bigint,
         array(select jsonb_array_elements_text(e.doc->'department_ids')::bigint),
         (e.doc->>'internal')::boolean, e.doc->'payload'
  from {after}, jsonb_array_elements(${parameter}::jsonb) with ordinality as e(doc, n)
  order by e.n
  returning seq"""


WRITE = f"""
with upd as (
  update requests set {_SET} where id = $1 and xmin = $2::text::xid returning id),
new_comments as (
  insert into comments (id, request_id, author_id, body, internal, created_at)
  select c.id, upd.id, c.author_id, c.body, c.internal, c.created_at
  from upd, jsonb_to_recordset(${_N}::jsonb)
    as c(id bigint, author_id bigint, body text, internal boolean, created_at timestamptz)),
new_handoffs as (
  insert into handoffs (request_id, from_department_id, to_department_id, reason, actor_id, at)
  select upd.id, h.from_department_id, h.to_department_id, h.reason, h.actor_id, h.at
  from upd, jsonb_to_recordset(${_N + 1}::jsonb)
    as h(from_department_id bigint, to_department_id bigint, reason text, actor_id bigint, at timestamptz)),
new_tasks as (
  insert into tasks (id, request_id, title, department_id, assignee_id, status, created_at, completed_at)
  select k.id, upd.id, k.title, k.department_id, k.assignee_id, k.status, k.created_at, k.completed_at
  from upd, jsonb_to_recordset(${_N + 2}::jsonb)
    as k(id bigint, title text, department_id bigint, assignee_id bigint, status text,
         created_at timestamptz, completed_at timestamptz)),
changed_tasks as (
  update tasks tk set status = k.status, assignee_id = k.assignee_id, completed_at = k.completed_at,
                      title = k.title
  from upd, jsonb_to_recordset(${_N + 3}::jsonb)
    as k(id bigint, title text, assignee_id bigint, status text, completed_at timestamptz)
  where tk.id = k.id and tk.request_id = upd.id),
added_watchers as (
  insert into watchers (request_id, person_id)
  select upd.id, p from upd, unnest(${_N + 4}::bigint[]) as p),
removed_watchers as (
  delete from watchers w using upd where w.request_id = upd.id and w.person_id = any(${_N + 5}::bigint[])),
claimed as (
  insert into idempotency_keys (person_id, operation, key, fingerprint, result_id)
  select ${_N + 6}::bigint, ${_N + 7}::text, ${_N + 8}::text, ${_N + 9}::text, ${_N + 10}::bigint
  from upd where ${_N + 8}::text is not null),
appended as ({append_events(after="upd", parameter=_N + 11)})
select (select count(*) from upd) as updated, (select max(seq) from appended) as last_seq,
       {ASYNC_COMMIT} as commit_mode
"""


@dataclass
class Claim:
    """An idempotency key this command uses for the first time, with the result it gives."""

    person_id: int
    operation: str
    key: str
    fingerprint: str
    result_id: int | None = None


@dataclass
class Loaded:
    """What was read of the request: the diff of tasks and watchers is taken against it."""

    row_xmin: str
    tasks: dict[int, dict[str, Any]] = field(default_factory=dict)
    watcher_ids: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, request: Request, row_xmin: str) -> Loaded:
        return cls(row_xmin, {tk.id: task_values(tk) for tk in request.tasks}, set(request.watcher_ids))


def json_text(value: Any) -> str:
    return json.dumps(value, default=_iso, separators=(",", ":"))


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {value!r}")


def event_rows(events: list[Event]) -> list[dict[str, Any]]:
    return [_event(e) for e in events]


def _event(e: Event) -> dict[str, Any]:
    return {
        "type": e.type,
        "occurred_at": e.occurred_at,
        "actor_id": e.actor_id,
        "request_id": e.request_id,
        "journey_run_id": e.journey_run_id,
        "department_ids": list(e.department_ids),
        "internal": e.internal,
        "payload": e.payload,
    }


def _children(request: Request, loaded: Loaded) -> list[Any]:
    current = [task_values(tk) for tk in request.tasks]
    return [
        json_text([vars(c) for c in request.new_comments]),
        json_text([vars(h) for h in request.new_handoffs]),
        json_text([v for v in current if v["id"] not in loaded.tasks]),
        json_text([v for v in current if v["id"] in loaded.tasks and loaded.tasks[v["id"]] != v]),
        sorted(request.watcher_ids - loaded.watcher_ids),
        sorted(loaded.watcher_ids - request.watcher_ids),
    ]


def parameters(request: Request, loaded: Loaded, events: list[Event], claim: Claim | None) -> list[Any]:
    values = request_values(request)
    row = [values[name] for name in _UPDATED]
    row[_UPDATED.index("fields")] = json_text(values["fields"])
    key = [claim.person_id, claim.operation, claim.key, claim.fingerprint, claim.result_id] if claim else [None] * 5
    return [request.id, loaded.row_xmin, *row, *_children(request, loaded), *key, json_text(event_rows(events))]


async def write(
    conn: Connection[Record], request: Request, loaded: Loaded, events: list[Event], claim: Claim | None
) -> tuple[bool, int | None]:
    """(whether the guard held and everything was written, the last event sequence written).
    Returns once the write is on disk (db.durability)."""
    record = await conn.fetchrow(WRITE, *parameters(request, loaded, events, claim))
    assert record is not None  # the statement always returns one row
    written = record["updated"] == 1
    if written:  # with or without events, it committed asynchronously
        await wait_flushed(conn)
    return written, record["last_seq"]
