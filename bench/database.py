"""A fresh, migrated database for one benchmark run, on a server that may create databases."""
from __future__ import annotations

import asyncio
import tempfile
import uuid

import asyncpg
from sqlalchemy.engine import make_url

from db.migrate import upgrade_async

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def reachable(url: str) -> bool:
    try:
        conn = await asyncpg.connect(asyncpg_dsn(url), timeout=3)
    except (OSError, asyncio.TimeoutError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


async def choose_server(url: str | None) -> tuple[str, str]:
    """(server URL, where it came from): the given one, else this machine's, else an embedded one."""
    if url:
        return url, "--database-url"
    if await reachable(DEFAULT_SERVER):
        return DEFAULT_SERVER, "local server"
    import pgserver

    # Kept alive by the module-level handle until the process exits; then stopped and its
    # temporary data folder deleted.
    global _embedded
    _embedded = pgserver.get_server(tempfile.mkdtemp(prefix="tandem-bench-pg-"), cleanup_mode="delete")
    return _embedded.get_uri("postgres"), "embedded pgserver"


_embedded = None


async def server_version(url: str) -> str:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await conn.fetchval("show server_version")
    finally:
        await conn.close()


async def create_database(server: str) -> tuple[str, str]:
    """Create and migrate a uniquely named database; (its URL, its name)."""
    name = f"tandem_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(asyncpg_dsn(server))
    try:
        await conn.execute(f'create database "{name}"')
    finally:
        await conn.close()
    url = with_database(server, name)
    await upgrade_async(url)
    return url, name


async def drop_database(server: str, name: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(server))
    try:
        await conn.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await conn.close()
