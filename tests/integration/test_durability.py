"""db.durability: the wait after an asynchronous commit returns only once that commit is on disk."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from db.durability import ASYNC_COMMIT, wait_flushed
from tests.support.own_postgres import OwnPostgres


@pytest.fixture
async def lazy_wal_writer() -> AsyncIterator[asyncpg.Connection]:
    """A connection to a PostgreSQL of this test's own whose WAL writer flushes asynchronous commits
    only every 10 s (the longest it allows), so nothing but the wait flushes one within the test."""
    cluster = OwnPostgres()
    try:
        cluster.start(wal_writer_delay="10s")
        conn = await asyncpg.connect(cluster.url)
        try:
            yield conn
        finally:
            await conn.close()
    finally:
        cluster.remove()


async def _flushed_past(conn: asyncpg.Connection, lsn: str) -> bool:
    return await conn.fetchval("select pg_current_wal_flush_lsn() >= $1::text::pg_lsn", lsn)


async def test_the_wait_returns_once_the_asynchronous_commit_before_it_is_flushed(lazy_wal_writer):
    conn = lazy_wal_writer
    await conn.execute("create table notes (body text)")
    # given a transaction committed without waiting for its flush, as a write appending events does
    await conn.execute(f"select {ASYNC_COMMIT}; insert into notes values ('acknowledged')")
    committed = await conn.fetchval("select pg_current_wal_insert_lsn()::text")
    assert not await _flushed_past(conn, committed)  # (so the wait below has something to do)

    # when the writer waits before answering
    await wait_flushed(conn)

    # then the WAL is on disk past that commit record
    assert await _flushed_past(conn, committed)
