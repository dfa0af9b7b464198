"""Raising a request in three statements: what the form needs, the ids once it passed, the write.

Nothing read here is changed by the command, so nothing is guarded: the write is one INSERT of
the request, its tasks, its events and its idempotency key (a key claimed meanwhile fails the
statement as a whole: the command runs again and finds the first result).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asyncpg import Connection, Record

from db import tables as t
from db.durability import ASYNC_COMMIT, wait_flushed
from db.mapping import person_from_row, request_type_from_row, request_values, service_from_row, task_values
from db.optimistic.flush import Claim, append_events, event_rows, json_text
from domain.catalog import RequestType, Service
from domain.events import Event
from domain.people import Person
from domain.read_plans import OpeningReads
from domain.requests import Request


def _columns(table: Any, alias: str) -> str:
    return ", ".join(f"{alias}.{c.name} as {alias}_{c.name}" for c in table.c if c.name != "search")


READ = f"""
select {_columns(t.services, "s")}, {_columns(t.request_types, "rt")}, {_columns(t.people, "p")},
  array(select c.department_id from service_collaborators c where c.service_id = s.id) as collaborators,
  k.result_id as prior_result_id, k.fingerprint as prior_fingerprint
from (values (1)) as one (x)
left join services s on s.id = $1
left join request_types rt on rt.id = $2
left join people p on p.id = $3
left join idempotency_keys k on k.person_id = $4 and k.operation = $5 and k.key = $6
"""

IDS = """
select nextval('requests_id_seq') as id, nextval('request_number_seq') as number,
       array(select nextval('tasks_id_seq') from generate_series(1, $1::int)) as task_ids
"""

_INSERTED = [c.name for c in t.requests.c if c.name != "search"]
WRITE = f"""
with new_request as (
  insert into requests ({", ".join(_INSERTED)})
  values ({", ".join(f"${i}" for i in range(1, len(_INSERTED) + 1))}) returning id),
new_tasks as (
  insert into tasks (id, request_id, title, department_id, assignee_id, status, created_at, completed_at)
  select k.id, r.id, k.title, k.department_id, k.assignee_id, k.status, k.created_at, k.completed_at
  from new_request r, jsonb_to_recordset(${len(_INSERTED) + 1}::jsonb)
    as k(id bigint, title text, department_id bigint, assignee_id bigint, status text,
         created_at timestamptz, completed_at timestamptz)),
claimed as (
  insert into idempotency_keys (person_id, operation, key, fingerprint, result_id)
  select ${len(_INSERTED) + 2}::bigint, ${len(_INSERTED) + 3}::text, ${len(_INSERTED) + 4}::text,
         ${len(_INSERTED) + 5}::text, r.id
  from new_request r where ${len(_INSERTED) + 4}::text is not null),
appended as ({append_events(after="new_request", parameter=len(_INSERTED) + 6)})
select (select max(seq) from appended) as last_seq, {ASYNC_COMMIT} as commit_mode
"""


@dataclass
class Form:
    service: Service | None
    request_type: RequestType | None
    requester: Person | None
    prior: tuple[int, str] | None


class _Prefixed:
    """One joined table's columns of a record, by attribute, as db.mapping reads rows."""

    __slots__ = ("_record", "_prefix")

    def __init__(self, record: Any, prefix: str):
        self._record, self._prefix = record, prefix

    def __getattr__(self, name: str) -> Any:
        return self._record[self._prefix + name]


async def read(conn: Connection[Record], plan: OpeningReads) -> Form:
    r = await conn.fetchrow(
        READ, plan.service_id, plan.request_type_id, plan.requester_id, plan.person_id, plan.operation, plan.key
    )
    assert r is not None  # the statement always returns one row
    prior = (r["prior_result_id"], r["prior_fingerprint"]) if r["prior_result_id"] is not None else None
    return Form(
        service=service_from_row(_Prefixed(r, "s_"), list(r["collaborators"])) if r["s_id"] is not None else None,
        request_type=request_type_from_row(_Prefixed(r, "rt_")) if r["rt_id"] is not None else None,
        requester=person_from_row(_Prefixed(r, "p_")) if r["p_id"] is not None else None,
        prior=prior,
    )


async def ids(conn: Connection[Record], *, tasks: int) -> tuple[int, int, list[int]]:
    r = await conn.fetchrow(IDS, tasks)
    assert r is not None  # the statement always returns one row
    return r["id"], r["number"], list(r["task_ids"])


async def write(conn: Connection[Record], request: Request, events: list[Event], claim: Claim | None) -> int | None:
    """Insert the new request whole; the last event sequence. Returns once it is on disk."""
    values = request_values(request)
    row = [json_text(values[name]) if name == "fields" else values[name] for name in _INSERTED]
    tasks = json_text([task_values(tk) for tk in request.tasks])
    key = [claim.person_id, claim.operation, claim.key, claim.fingerprint] if claim else [None] * 4
    record = await conn.fetchrow(WRITE, *row, tasks, *key, json_text(event_rows(events)))
    assert record is not None  # the statement always returns one row
    await wait_flushed(conn)
    last_seq: int | None = record["last_seq"]
    return last_seq
