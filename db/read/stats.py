"""Department wallboard numbers, over the requests the viewer may see."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.read.requests import BREACHED
from db.read.visibility import request_visible
from domain.people import Person
from domain.workflow import OPEN

R = t.requests
OPEN_STATUSES = tuple(s.value for s in OPEN)


@dataclass
class DepartmentStats:
    open: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_priority: dict[str, int] = field(default_factory=dict)
    sla_breached: int = 0
    oldest_open_at: datetime | None = None
    resolved_today: int = 0


async def stats_by_department(
    conn: AsyncConnection, viewer: Person, department_ids: Sequence[int], *, day_start: datetime
) -> dict[int, DepartmentStats]:
    """One grouped pass over open requests plus one over today's resolutions."""
    is_open = R.c.status.in_(OPEN_STATUSES)
    base = [R.c.owner_department_id.in_(list(department_ids)), request_visible(viewer)]
    open_rows = await conn.execute(
        select(
            R.c.owner_department_id,
            R.c.status,
            R.c.priority,
            func.count().label("n"),
            func.count().filter(BREACHED).label("breached"),
            func.min(R.c.created_at).label("oldest"),
        )
        .where(is_open, *base)
        .group_by(R.c.owner_department_id, R.c.status, R.c.priority)
    )
    stats = {d: DepartmentStats() for d in department_ids}
    for row in open_rows:
        s = stats[row.owner_department_id]
        s.open += row.n
        s.sla_breached += row.breached
        s.by_status[row.status] = s.by_status.get(row.status, 0) + row.n
        s.by_priority[row.priority] = s.by_priority.get(row.priority, 0) + row.n
        if s.oldest_open_at is None or row.oldest < s.oldest_open_at:
            s.oldest_open_at = row.oldest
    resolved = await conn.execute(
        select(R.c.owner_department_id, func.count().label("n"))
        .where(R.c.resolved_at >= day_start, *base)
        .group_by(R.c.owner_department_id)
    )
    for row in resolved:
        stats[row.owner_department_id].resolved_today = row.n
    return stats
