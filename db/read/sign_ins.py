"""What signing in reads: an API token with its person, and the current state of the people and
tokens open websockets signed in with. Raw SQL at the driver's cost (db.engine.fetch_one): an API
token is read on every call that is not answered from the last second's reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import close, fetch_one, read_first

PERSON_COLUMNS = "p.id, p.name, p.email, p.role, p.department_id, p.created_at, p.kind, p.deactivated_at, p.version"

TOKEN_BY_HASH = f"""
    select t.id as token_id, t.scopes, t.expires_at, t.revoked_at, t.last_used_at, {PERSON_COLUMNS}
    from api_tokens t join people p on p.id = t.person_id
    where t.token_hash = $1"""

# At most once a minute per token (api.api_tokens decides when): the row is written only when
# the stored time is older than that, so several processes rarely write it twice.
TOUCH = """
    update api_tokens set last_used_at = $2
    where id = $1 and (last_used_at is null or last_used_at < $3)"""

PEOPLE = f"select {PERSON_COLUMNS} from people p where p.id = any($1::bigint[])"
TOKENS = "select id, revoked_at, expires_at from api_tokens where id = any($1::bigint[])"


async def token_by_hash(engine: AsyncEngine, token_hash: str) -> Any | None:
    return await fetch_one(engine, TOKEN_BY_HASH, token_hash)


async def touch_token(engine: AsyncEngine, token_id: int, *, now: datetime, older_than: datetime) -> None:
    """`engine`: an autocommit one (db.engine.reader): the update commits on its own."""
    connection, _ = await read_first(engine, lambda driver: driver.execute(TOUCH, token_id, now, older_than))
    await close(connection)


async def people_now(engine: AsyncEngine, person_ids: Sequence[int]) -> dict[int, Any]:
    return {r["id"]: r for r in await _fetch(engine, PEOPLE, list(person_ids))}


async def tokens_now(engine: AsyncEngine, token_ids: Sequence[int]) -> dict[int, Any]:
    return {r["id"]: r for r in await _fetch(engine, TOKENS, list(token_ids))}


async def _fetch(engine: AsyncEngine, sql: str, ids: list[int]) -> list[Any]:
    if not ids:
        return []
    connection, rows = await read_first(engine, lambda driver: driver.fetch(sql, ids))
    await close(connection)
    return rows
