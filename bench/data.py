"""The benchmark's data: the demo organisation through the real handlers, then a large history
cloned from it in bulk SQL (bench.bulk)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import asyncpg

from api.demo import seed_demo_if_empty
from bench.bulk import BULK_TABLES, clone_history
from bench.database import asyncpg_dsn

COMMENTS_PER_REQUEST = 4  # the 100,000 requests with 400,000 comments


@dataclass(frozen=True)
class Loaded:
    counts: dict[str, int]
    seconds: float
    cached: bool = False


async def load(url: str, *, requests: int, comments: int) -> Loaded:
    """Demo organisation, then about `requests` requests in all with `comments` comments in all."""
    started = time.perf_counter()
    await seed_demo_if_empty(url)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        demo_requests = await conn.fetchval("select count(*) from requests")
        await clone_history(conn, requests=max(0, requests - demo_requests), comments=comments)
        # Fresh statistics and visibility map, as autovacuum would give a live system, so plans
        # are the same on every run instead of depending on when autovacuum gets to it.
        await conn.execute("vacuum analyze")
        counts = await table_counts(conn)
    finally:
        await conn.close()
    return Loaded(counts=counts, seconds=time.perf_counter() - started)


async def load_demo(url: str) -> None:
    await seed_demo_if_empty(url)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute("vacuum analyze")
    finally:
        await conn.close()


async def table_counts(conn: asyncpg.Connection) -> dict[str, int]:
    return {table: await conn.fetchval(f"select count(*) from {table}") for table in BULK_TABLES}
