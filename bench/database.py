"""A fresh, migrated database for one benchmark run, on a server that may create databases."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from db.migrate import upgrade_async
from tests.support import database as test_databases
from tests.support.database import asyncpg_dsn

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
EMBEDDED_DATA = Path(__file__).resolve().parent / ".cache" / "pgdata"


async def reachable(url: str) -> bool:
    try:
        conn = await asyncpg.connect(asyncpg_dsn(url), timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
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

    # Kept alive by the module-level handle until the process exits, then stopped; its data
    # folder stays, with the cached data sets (bench.cache) for the next run.
    global _embedded
    EMBEDDED_DATA.mkdir(parents=True, exist_ok=True)
    _embedded = pgserver.get_server(str(EMBEDDED_DATA), cleanup_mode="stop")
    return _embedded.get_uri("postgres"), f"embedded pgserver in {EMBEDDED_DATA}"


_embedded = None


async def server_version(url: str) -> str:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await conn.fetchval("show server_version")
    finally:
        await conn.close()


async def create_database(server: str) -> tuple[str, str]:
    """Create and migrate a uniquely named, empty database; (its URL, its name)."""
    url, name = await test_databases.create_database(server, prefix="tandem_bench")
    await upgrade_async(url)
    return url, name


drop_database = test_databases.drop_database
