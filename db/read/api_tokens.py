"""API tokens as their owners and admins list them (never the secret, which is not stored)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.read import pages
from domain.people import Person

T = t.api_tokens
NEWEST_FIRST = pages.Order(key=T.c.created_at, tiebreak=T.c.id, descending=True)


def token_visible(viewer: Person) -> Any:
    """Mirrors domain.api_tokens.may_see_tokens_of: the owner and admins."""
    return true() if viewer.is_admin else T.c.person_id == viewer.id


def tokens_of(owner_id: Any, *, include_revoked: bool) -> Select[Any]:
    """One person's tokens (the compiled read path passes the viewer's id as a parameter)."""
    query = select(T).where(T.c.person_id == owner_id)
    return query if include_revoked else query.where(T.c.revoked_at.is_(None))


async def tokens_page(
    conn: AsyncConnection, owner_id: int, *, include_revoked: bool, first: int | None, after: str | None
) -> pages.Page:
    return await pages.fetch_page(
        conn, tokens_of(owner_id, include_revoked=include_revoked), order=NEWEST_FIRST, first=first, after=after
    )


async def tokens_count(conn: AsyncConnection, owner_id: int, *, include_revoked: bool) -> int:
    return await pages.count(conn, tokens_of(owner_id, include_revoked=include_revoked))


async def tokens_by_ids(conn: AsyncConnection, viewer: Person, ids: Sequence[int]) -> dict[int, Any]:
    rows = await conn.execute(select(T).where(T.c.id.in_(list(ids)), token_visible(viewer)))
    return {r.id: r for r in rows}
