"""API tokens: the row of each, written by the unit of work."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.repositories.organisation import next_value
from domain.api_tokens import ApiToken, Scope

T = t.api_tokens


class ApiTokenRepository:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def next_id(self) -> int:
        return await next_value(self.conn, "api_tokens_id_seq")

    async def get_for_update(self, token_id: int) -> ApiToken | None:
        row = (await self.conn.execute(select(T).where(T.c.id == token_id).with_for_update())).first()
        return api_token_from_row(row) if row else None

    async def add(self, token: ApiToken) -> None:
        await self.conn.execute(
            T.insert().values(
                id=token.id,
                person_id=token.person_id,
                name=token.name,
                token_hash=token.token_hash,
                shown_prefix=token.shown_prefix,
                scopes=sorted(s.value for s in token.scopes),
                created_at=token.created_at,
                created_by_id=token.created_by_id,
                expires_at=token.expires_at,
            )
        )

    async def save(self, token: ApiToken) -> None:
        await self.conn.execute(
            T.update().where(T.c.id == token.id).values(revoked_at=token.revoked_at, revoked_by_id=token.revoked_by_id)
        )


def api_token_from_row(row: Any) -> ApiToken:
    return ApiToken(
        id=row.id,
        person_id=row.person_id,
        name=row.name,
        scopes=frozenset(Scope(s) for s in row.scopes),
        token_hash=row.token_hash,
        shown_prefix=row.shown_prefix,
        created_at=row.created_at,
        created_by_id=row.created_by_id,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
        revoked_by_id=row.revoked_by_id,
    )
