"""Seeded databases kept between runs, keyed by what produced them.

Seeding 100,000 requests takes about a minute, a million about ten: each data set is built
once into a database named after its size and a data version (a hash of the migrations, the
demo and the bulk loader, so changing any of them rebuilds), then every run works on a copy
(`CREATE DATABASE .. TEMPLATE`, a file copy) and drops it; reads that write nothing (the scale
curve) use the cached database itself. The demo organisation is cached too, as the template
every size starts from.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from bench import data
from bench.database import asyncpg_dsn
from db.migrate import upgrade_async
from tests.support.database import with_database

DATA_VERSION = "1"  # bump to rebuild every cached data set
PREFIX = "tandem_benchdata"
ROOT = Path(__file__).resolve().parent.parent
# Migrations are not part of the key: a cached data set is upgraded in place, as a production
# database would be (a new index costs an index build, not a new data set).
SOURCES = ("api/demo/*.py", "bench/bulk.py", "bench/data.py")


@dataclass(frozen=True)
class Cached:
    name: str
    url: str
    counts: dict[str, int]
    built_seconds: float | None  # None when it was already there


def data_key() -> str:
    digest = hashlib.sha256(DATA_VERSION.encode())
    for pattern in SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def cached_name(label: str) -> str:
    return f"{PREFIX}_{data_key()}_{label}"


async def ensure(server: str, *, requests: int, comments: int) -> Cached:
    """The cached data set of this size, built first when missing (or made by older code)."""
    label = f"{requests}_{comments}"
    name = cached_name(label)
    built = None
    async with _one_builder(server, name):
        if not await _exists(server, name):
            started = time.perf_counter()
            demo = await _ensure_demo(server)
            await _build(
                server, label, template=demo, fill=lambda url: data.load(url, requests=requests, comments=comments)
            )
            built = time.perf_counter() - started
        url = with_database(server, name)
        await _upgrade(url)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        counts = await data.table_counts(conn)
    finally:
        await conn.close()
    return Cached(name=name, url=url, counts=counts, built_seconds=built)


async def copy_of(server: str, cached: Cached, *, name: str) -> str:
    """A scratch copy of a cached data set for one run (writes land there); its URL."""
    await _admin(server, f'create database "{name}" template "{cached.name}" strategy file_copy')
    return with_database(server, name)


async def _ensure_demo(server: str) -> str:
    name = cached_name("demo")
    async with _one_builder(server, name):
        if not await _exists(server, name):
            await _build(server, "demo", template="template1", fill=data.load_demo)
        await _upgrade(with_database(server, name))
    return name


@contextlib.asynccontextmanager
async def _one_builder(server: str, name: str) -> AsyncIterator[None]:
    """Hold the server-wide lock for building `name`: two runs started together (two checkouts)
    must not both build it, since a build starts by dropping a half-built copy with (force)."""
    conn = await asyncpg.connect(asyncpg_dsn(server))
    try:
        await conn.execute("select pg_advisory_lock($1)", zlib.crc32(name.encode()))
        yield
    finally:
        await conn.close()  # ends the session, and with it the lock


async def _upgrade(url: str) -> None:
    """Migrate a cached database to this code's head; fresh statistics when anything changed."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        before = await conn.fetchval("select string_agg(version_num, ',') from alembic_version")
        await upgrade_async(url)
        if await conn.fetchval("select string_agg(version_num, ',') from alembic_version") != before:
            await conn.execute("vacuum analyze")
    finally:
        await conn.close()


async def _build(server: str, label: str, *, template: str, fill: Callable[[str], Awaitable[object]]) -> None:
    """Build under a temporary name and rename when complete: an interrupted build is never
    mistaken for a cached one. Data sets of the same label made by older code are dropped."""
    name = cached_name(label)
    building = f"{name}_building"
    await _admin(server, f'drop database if exists "{building}" with (force)')
    await _admin(server, f'create database "{building}" template "{template}" strategy file_copy')
    url = with_database(server, building)
    if template == "template1":
        await upgrade_async(url)
    await fill(url)
    await _drop_stale(server, label=label)
    await _admin(server, f'alter database "{building}" rename to "{name}"')


async def _drop_stale(server: str, *, label: str) -> None:
    same_label = re.compile(rf"{PREFIX}_[0-9a-f]{{10}}_{re.escape(label)}(_building)?")
    for old in await _names(server):
        if same_label.fullmatch(old) and not old.startswith(f"{PREFIX}_{data_key()}_"):
            await _admin(server, f'drop database if exists "{old}" with (force)')


async def _exists(server: str, name: str) -> bool:
    return name in await _names(server)


async def _names(server: str) -> list[str]:
    conn = await asyncpg.connect(asyncpg_dsn(server))
    try:
        return [r["datname"] for r in await conn.fetch("select datname from pg_database")]
    finally:
        await conn.close()


async def _admin(server: str, statement: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(server))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()
