"""Idempotency keys: a retried create returns the first result and writes nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t

K = t.idempotency_keys.c


class IdempotencyStore:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def claim(self, *, person_id: int, operation: str, key: str, fingerprint: str) -> tuple[int, str] | None:
        # ON CONFLICT waits for a concurrent transaction holding the same key: if it commits,
        # we see its result; if it rolls back, this insert wins. Either way no double write.
        claimed = await self.conn.execute(
            insert(t.idempotency_keys)
            .values(person_id=person_id, operation=operation, key=key, fingerprint=fingerprint)
            .on_conflict_do_nothing()
            .returning(K.key)
        )
        if claimed.first() is not None:
            return None
        row = (
            await self.conn.execute(
                select(K.result_id, K.fingerprint).where(
                    K.person_id == person_id, K.operation == operation, K.key == key
                )
            )
        ).one()
        return row.result_id, row.fingerprint

    async def record(self, *, person_id: int, operation: str, key: str, result_id: int) -> None:
        await self.conn.execute(
            t.idempotency_keys.update()
            .where(K.person_id == person_id, K.operation == operation, K.key == key)
            .values(result_id=result_id)
        )
