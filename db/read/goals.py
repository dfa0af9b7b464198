"""Shared goals as a viewer sees them: only goals of the viewer's department (admins: all)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.read import pages
from db.read.visibility import goal_visible
from domain.people import Person

G, GD, KR = t.shared_goals, t.shared_goal_departments, t.key_results
# Latest periods first.
GOAL_ORDER = pages.Order(key=G.c.period_start, tiebreak=G.c.id, descending=True)


@dataclass(frozen=True)
class GoalCriteria:
    department_id: int | None = None
    active_at: datetime | None = None
    search: str | None = None


def visible_goals(viewer: Person, criteria: GoalCriteria | None = None) -> Select[Any]:
    c = criteria or GoalCriteria()
    query = select(G).where(goal_visible(viewer))
    if c.department_id is not None:
        query = query.where(
            exists(select(1).select_from(GD).where(GD.c.goal_id == G.c.id, GD.c.department_id == c.department_id))
        )
    if c.active_at is not None:
        query = query.where(G.c.period_start <= c.active_at, G.c.period_end > c.active_at)
    if c.search:
        pattern = "%" + c.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(G.c.title.ilike(pattern))
    return query


async def goals_page(
    conn: AsyncConnection, viewer: Person, criteria: GoalCriteria, *, first: int | None, after: str | None
) -> pages.Page:
    return await pages.fetch_page(conn, visible_goals(viewer, criteria), order=GOAL_ORDER, first=first, after=after)


async def goals_count(conn: AsyncConnection, viewer: Person, criteria: GoalCriteria) -> int:
    return await pages.count(conn, visible_goals(viewer, criteria))


async def goals_by_ids(conn: AsyncConnection, viewer: Person, ids: Sequence[int]) -> dict[int, Any]:
    rows = await conn.execute(visible_goals(viewer).where(G.c.id.in_(list(ids))))
    return {r.id: r for r in rows}


async def key_results_by_goal(conn: AsyncConnection, goal_ids: Sequence[int]) -> dict[int, list[Any]]:
    rows = await conn.execute(select(KR).where(KR.c.goal_id.in_(list(goal_ids))).order_by(KR.c.goal_id, KR.c.position))
    grouped: dict[int, list[Any]] = {i: [] for i in goal_ids}
    for row in rows:
        grouped[row.goal_id].append(row)
    return grouped


async def departments_by_goal(conn: AsyncConnection, goal_ids: Sequence[int]) -> dict[int, list[Any]]:
    """Each goal's departments, with whether they share their figures (domain.goal_participation)."""
    rows = await conn.execute(
        select(GD).where(GD.c.goal_id.in_(list(goal_ids))).order_by(GD.c.goal_id, GD.c.department_id)
    )
    grouped: dict[int, list[Any]] = {i: [] for i in goal_ids}
    for row in rows:
        grouped[row.goal_id].append(row)
    return grouped
