"""A real PostgreSQL for the tests: TEST_DATABASE_URL's server, or an embedded one."""

from __future__ import annotations

import os
import tempfile
import uuid

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from db.tables import metadata

_embedded = None


def server_url() -> str:
    """A URL to a server where the tests may create and drop databases."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    global _embedded
    if _embedded is None:
        import pgserver

        folder = os.environ.get("TANDEM_TEST_PGDATA") or os.path.join(tempfile.gettempdir(), "tandem-test-pg")
        _embedded = pgserver.get_server(folder, cleanup_mode="stop")
    return _embedded.get_uri("postgres")


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def create_database(url: str, *, prefix: str = "tandem_test") -> tuple[str, str]:
    """Create a fresh, uniquely named database; return (its URL, its name)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(f'create database "{name}"')
    finally:
        await conn.close()
    return with_database(url, name), name


async def drop_database(url: str, name: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await conn.close()


TABLES = ", ".join(t.name for t in metadata.sorted_tables)


async def truncate_all(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(f"truncate {TABLES} restart identity cascade"))
        await conn.execute(text("alter sequence request_number_seq restart"))


async def snapshot(engine: AsyncEngine) -> dict[str, str]:
    """A fingerprint of every table's content: equal snapshots mean nothing changed."""
    fingerprints = {}
    async with engine.connect() as conn:
        for table in metadata.sorted_tables:
            row = await conn.execute(
                text(
                    f"select count(*), coalesce(md5(string_agg(t::text, '|' order by t::text)), '') from {table.name} t"
                )
            )
            count, digest = row.one()
            fingerprints[table.name] = f"{count}:{digest}"
        # is_called too: the first nextval leaves last_value at the start value and only sets is_called.
        sequence = await conn.execute(text("select last_value, is_called from request_number_seq"))
        fingerprints["request_number_seq"] = str(tuple(sequence.one()))
    return fingerprints
