"""The event log (transactional outbox): events are appended in the writing transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from domain.events import Event


async def append(conn: AsyncConnection, events: Sequence[Event]) -> int | None:
    """Append events in order; return the last sequence written (None when there were none)."""
    if not events:
        return None
    rows = await conn.execute(
        t.events.insert().returning(t.events.c.seq),
        [
            {
                "type": e.type,
                "occurred_at": e.occurred_at,
                "actor_id": e.actor_id,
                "request_id": e.request_id,
                "journey_run_id": e.journey_run_id,
                "department_ids": list(e.department_ids),
                "internal": e.internal,
                "payload": e.payload,
            }
            for e in events
        ],
    )
    last: int = max(r.seq for r in rows)
    return last
