"""Departments and people: the directory every signed-in person may read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.read import pages

DEPARTMENT_ORDER = pages.Order(key=t.departments.c.name, tiebreak=t.departments.c.id)


async def departments_by_ids(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, Any]:
    rows = await conn.execute(select(t.departments).where(t.departments.c.id.in_(list(ids))))
    return {r.id: r for r in rows}


async def departments_page(conn: AsyncConnection, *, first: int | None, after: str | None) -> pages.Page:
    return await pages.fetch_page(conn, select(t.departments), order=DEPARTMENT_ORDER, first=first, after=after)


async def departments_count(conn: AsyncConnection) -> int:
    return await pages.count(conn, select(t.departments))


async def people_by_ids(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, Any]:
    rows = await conn.execute(select(t.people).where(t.people.c.id.in_(list(ids))))
    return {r.id: r for r in rows}


async def members_by_department(conn: AsyncConnection, department_ids: Sequence[int]) -> dict[int, list[Any]]:
    rows = await conn.execute(
        select(t.people)
        .where(t.people.c.department_id.in_(list(department_ids)))
        .order_by(t.people.c.department_id, t.people.c.name, t.people.c.id)
    )
    grouped: dict[int, list[Any]] = {i: [] for i in department_ids}
    for row in rows:
        grouped[row.department_id].append(row)
    return grouped


async def person_by_email(conn: AsyncConnection, email: str) -> Any | None:
    query = select(t.people).where(func.lower(t.people.c.email) == email.strip().lower())
    return (await conn.execute(query)).first()


async def people_count(conn: AsyncConnection) -> int:
    return (await conn.execute(select(func.count()).select_from(t.people))).scalar_one()
