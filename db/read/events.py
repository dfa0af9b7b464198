"""The event log, read back: a request's activity, single events, and replay after a cursor."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Select, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.read import pages
from db.read.organisation import people_by_ids
from db.read.requests import REQUEST_COLUMNS
from db.read.visibility import event_visible
from domain.people import Person

E = t.events
EVENT_ORDER = pages.Order(key=E.c.seq, tiebreak=E.c.seq)


def visible_events(viewer: Person) -> Select[Any]:
    return select(E).outerjoin(t.requests, t.requests.c.id == E.c.request_id).where(event_visible(viewer))


async def activity_pages(
    conn: AsyncConnection,
    viewer: Person,
    request_ids: Sequence[int],
    *,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> dict[int, pages.Page]:
    return await pages.fetch_pages_by_parent(
        conn,
        visible_events(viewer),
        parent=E.c.request_id,
        parent_ids=request_ids,
        order=EVENT_ORDER,
        first=first,
        after=after,
        last=last,
        before=before,
    )


async def activity_counts(conn: AsyncConnection, viewer: Person, request_ids: Sequence[int]) -> dict[int, int]:
    return await pages.count_by_parent(conn, visible_events(viewer), parent=E.c.request_id, parent_ids=request_ids)


async def events_by_seqs(conn: AsyncConnection, viewer: Person, seqs: Sequence[int]) -> dict[int, Any]:
    rows = await conn.execute(visible_events(viewer).where(E.c.seq.in_(list(seqs))))
    return {r.seq: r for r in rows}


def _people_and_departments() -> Select[Any]:
    """The event with what decides who may see it (domain.access.EventAudience), read now."""
    tk, w = t.tasks.alias("audience_task"), t.watchers.alias("audience_watcher")
    task_departments = (
        select(func.coalesce(func.array_agg(tk.c.department_id.distinct()), literal([], ARRAY(BigInteger))))
        .where(tk.c.request_id == E.c.request_id)
        .scalar_subquery()
    )
    watchers = (
        select(func.coalesce(func.array_agg(w.c.person_id), literal([], ARRAY(BigInteger))))
        .where(w.c.request_id == E.c.request_id)
        .scalar_subquery()
    )
    # The request's service and type too: goal subscriptions match them against their scope.
    return select(
        E,
        t.requests.c.requester_id,
        t.requests.c.owner_department_id,
        t.requests.c.service_id,
        t.requests.c.request_type_id,
        task_departments.label("task_department_ids"),
        watchers.label("watcher_ids"),
    ).outerjoin(t.requests, t.requests.c.id == E.c.request_id)


@functools.cache
def _log_after() -> Select[Any]:
    # Built once: the broker reads after every commit, and building the statement cost more
    # than running it (bound parameters, so SQLAlchemy's compiled cache serves every call).
    return _people_and_departments().where(E.c.seq > bindparam("after")).order_by(E.c.seq).limit(bindparam("limit"))


async def read_after(conn: AsyncConnection, after: int, *, limit: int) -> list[Any]:
    """Every event after `after`, in order, whoever may see it: the broker reads each once."""
    rows = await conn.execute(_log_after(), {"after": after, "limit": limit})
    return list(rows)


@dataclass(frozen=True)
class Subjects:
    """The requests and actors of a batch of events, as their loaders would return them."""

    requests: dict[int, Any]
    people: dict[int, Any]


async def subjects_of(conn: AsyncConnection, batch: Sequence[Any]) -> Subjects:
    """Read once for every subscriber rendering these events. Unfiltered: only a caller that
    knows its viewer may see an event may hand on that event's request (see schema.live.render)."""
    request_ids = sorted({e.request_id for e in batch if e.request_id is not None})
    person_ids = sorted({e.actor_id for e in batch if e.actor_id is not None})
    found = Subjects({}, {})
    if request_ids:
        rows = await conn.execute(select(*REQUEST_COLUMNS).where(t.requests.c.id.in_(request_ids)))
        found.requests.update((r.id, r) for r in rows)
    if person_ids:
        found.people.update(await people_by_ids(conn, person_ids))
    return found


async def last_seq(conn: AsyncConnection) -> int:
    seq: int = (await conn.execute(select(func.coalesce(func.max(E.c.seq), 0)))).scalar_one()
    return seq


def concerning(query: Select[Any], *, request_id: int | None, department_id: int | None) -> Select[Any]:
    """The `events(requestId:, departmentId:)` filters."""
    if request_id is not None:
        query = query.where(E.c.request_id == request_id)
    if department_id is not None:
        query = query.where(E.c.department_ids.contains([department_id]))
    return query


async def replay_after(
    conn: AsyncConnection, viewer: Person, after: int, *, request_id: int | None, department_id: int | None, limit: int
) -> list[Any]:
    """The viewer's events after a cursor, in order: what a subscription missed."""
    query = concerning(visible_events(viewer), request_id=request_id, department_id=department_id)
    return list(await conn.execute(query.where(E.c.seq > after).order_by(E.c.seq).limit(limit)))
