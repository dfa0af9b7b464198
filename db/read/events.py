"""The event log, read back: a request's activity, single events, and replay after a cursor."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.read import pages
from db.read.visibility import event_visible

E = t.events
EVENT_ORDER = pages.Order(key=E.c.seq, tiebreak=E.c.seq)


def visible_events(viewer) -> Select:
    return select(E).outerjoin(t.requests, t.requests.c.id == E.c.request_id).where(event_visible(viewer))


async def activity_pages(conn: AsyncConnection, viewer, request_ids: Sequence[int], *, first: int | None,
                         after: str | None, last: int | None = None,
                         before: str | None = None) -> dict[int, pages.Page]:
    return await pages.fetch_pages_by_parent(conn, visible_events(viewer), parent=E.c.request_id,
                                             parent_ids=request_ids, order=EVENT_ORDER, first=first, after=after,
                                             last=last, before=before)


async def activity_counts(conn: AsyncConnection, viewer, request_ids: Sequence[int]) -> dict[int, int]:
    return await pages.count_by_parent(conn, visible_events(viewer), parent=E.c.request_id,
                                       parent_ids=request_ids)


async def events_by_seqs(conn: AsyncConnection, viewer, seqs: Sequence[int]) -> dict[int, Any]:
    rows = await conn.execute(visible_events(viewer).where(E.c.seq.in_(list(seqs))))
    return {r.seq: r for r in rows}
