"""Reading a request whole, with no lock, in one statement: what the optimistic write guards on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from asyncpg import Connection, Record

from db import tables as t
from db.mapping import request_from_row, task_from_row
from db.repositories.requests import task_row
from domain.read_plans import RequestReads
from domain.requests import Request

_COLUMNS = ", ".join(f"r.{c.name}" for c in t.requests.c if c.name != "search")

# One snapshot for the row and its children (a single statement), and `xmin`: the id of the
# transaction that wrote this version of the row. Every command on a request rewrites its row,
# so an unchanged `xmin` at write time means nothing of the aggregate changed since this read.
# The idempotency key's first result and the reserved ids ride along: one round trip in all.
READ = f"""
select {_COLUMNS}, r.xmin::text as row_xmin,
  coalesce((select json_agg(tk order by tk.id) from tasks tk where tk.request_id = r.id), '[]') as tasks_json,
  coalesce((select array_agg(w.person_id) from watchers w where w.request_id = r.id), '{{}}') as watcher_ids,
  k.result_id as prior_result_id, k.fingerprint as prior_fingerprint,
  array(select nextval('comments_id_seq') from generate_series(1, $5::int)) as comment_ids
from (values (1)) as one (x)
left join requests r on r.id = $1
left join idempotency_keys k on k.person_id = $2 and k.operation = $3 and k.key = $4
"""


@dataclass
class Snapshot:
    request: Request | None
    row_xmin: str | None
    prior: tuple[int, str] | None  # (first result id, its fingerprint) when the key was used
    comment_ids: list[int] = field(default_factory=list)


class _Row:
    """Attribute access over a driver record, as db.mapping reads rows."""

    __slots__ = ("_record",)

    def __init__(self, record: Any):
        self._record = record

    def __getattr__(self, name: str) -> Any:
        return self._record[name]


async def read(conn: Connection[Record], plan: RequestReads) -> Snapshot:
    record = await conn.fetchrow(READ, plan.request_id, plan.person_id, plan.operation, plan.key, plan.comment_ids)
    assert record is not None  # the statement always returns one row
    prior = None
    if record["prior_result_id"] is not None:
        prior = (record["prior_result_id"], record["prior_fingerprint"])
    request = None
    if record["id"] is not None:
        tasks = [task_from_row(task_row(d)) for d in record["tasks_json"]]
        request = request_from_row(_Row(record), tasks, set(record["watcher_ids"]))
    return Snapshot(request=request, row_xmin=record["row_xmin"], prior=prior, comment_ids=list(record["comment_ids"]))
