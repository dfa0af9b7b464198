"""Engine construction: one async engine per process, URLs normalised for asyncpg."""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
from asyncpg import Record
from sqlalchemy import event, exc
from sqlalchemy.engine import AdaptedConnection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from compat import greenlet_spawn
from db.failures import CANCELLED, TIMEOUT, failure_code, sqlstate
from db.pool import WaitingPool


def async_url(url: str) -> str:
    """Accept plain `postgresql://` URLs (as pgserver and most tools print them)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


@dataclass(frozen=True)
class Timeouts:
    """Seconds. None leaves the server's setting (no limit by default), as migrations and the CLI
    want; the API process sets them all (api.settings)."""

    statement: float | None = None  # a statement's run, lock waits included (statement_timeout)
    lock: float | None = None  # a wait for one lock (lock_timeout)
    idle_in_transaction: float | None = None  # a transaction left open doing nothing holds its locks
    pool: float = 30.0  # a call's wait for a pooled connection (SQLAlchemy's default)
    connect: float = 60.0  # opening a connection (asyncpg's default)

    def server_settings(self) -> dict[str, str]:
        limits = {
            "statement_timeout": self.statement,
            "lock_timeout": self.lock,
            "idle_in_transaction_session_timeout": self.idle_in_transaction,
        }
        return {name: str(round(seconds * 1000)) for name, seconds in limits.items() if seconds is not None}

    def command_timeout(self) -> float | None:
        """asyncpg's own limit, a backstop for a server that stops answering (a half-open TCP
        connection never times out on the server's side): later than the server's, which cancels
        the statement cleanly."""
        return self.statement + 5 if self.statement else None


def create_engine(url: str, *, pool_size: int = 20, timeouts: Timeouts = Timeouts()) -> AsyncEngine:
    engine = create_async_engine(
        async_url(url),
        poolclass=WaitingPool,  # a server out of connections makes calls wait, not fail (db.pool)
        pool_size=pool_size,
        max_overflow=pool_size // 2,  # for bursts; a worker holds at most 1.5x its pool
        pool_timeout=timeouts.pool,
        connect_args={
            # JIT compiles the visibility-filtered counts (estimated costs pass jit_above_cost) and costs
            # more than it saves on these short queries: measured 9.2 ms with, 3.4 ms without.
            "server_settings": {"application_name": "tandem", "jit": "off", **timeouts.server_settings()},
            "timeout": timeouts.connect,
            "command_timeout": timeouts.command_timeout(),
            # The driver keeps a statement prepared (read_first, fetch_one) only up to this size; its
            # default, 15 KB, is less than a compiled read's statement, which was then parsed and
            # planned again on every call (3 ms of a request page's 4). SQLAlchemy's own cache of
            # prepared statements has no such limit.
            "max_cacheable_statement_size": 1024 * 1024,
        },
    )
    event.listen(engine.sync_engine.pool, "checkout", _ping)
    return engine


def _ping(dbapi_connection: AdaptedConnection, record: object, proxy: object) -> None:
    """A connection broken by a database restart is replaced before use instead of failing a
    request. SQLAlchemy's own pool_pre_ping does the same in three round trips with asyncpg
    (BEGIN, the ping, ROLLBACK, for pgbouncer's transaction mode); a pool of its own here
    needs one: `select` as a simple query. Raising DisconnectionError makes the pool discard the
    connection and hand out a fresh one."""
    try:
        if dbapi_connection.driver_connection.is_closed():
            raise exc.DisconnectionError("the connection was closed")
        if not _READ_IS_THE_PING.get():
            dbapi_connection.run_async(lambda driver: driver.execute("select"))
    except exc.DisconnectionError:
        raise
    except Exception as error:  # whatever the driver raises, the connection is not usable
        raise exc.DisconnectionError(f"ping failed: {error!r}") from error


def reader(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, for reads: each statement runs on its own (autocommit), so a read costs
    no BEGIN/ROLLBACK round trips. Writes go through the unit of work's transaction instead."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


# Set while a caller takes a connection to run a read it may repeat (see read_first).
_READ_IS_THE_PING: contextvars.ContextVar[bool] = contextvars.ContextVar("read_is_the_ping", default=False)

T = TypeVar("T")


async def read_first(engine: AsyncEngine, read: Callable[[asyncpg.Connection[Record]], Awaitable[T]]) -> tuple[Any, T]:
    """A pooled connection at the driver's cost, and what `read` read on it first.

    The driver's prepared statements (cached per connection) skip SQLAlchemy's execution layer:
    ~0.1 ms of CPU per statement against ~0.4 ms through Core. And the checkout skips the ping:
    `read` is the ping. When it fails, whatever the driver raised (a connection killed under us
    shows as several errors, depending on when the driver noticed), the connection is discarded and
    `read` runs again on a connection pinged first — so `read` must be safe to repeat. A read that
    timed out is not run again: it would wait as long again. The caller closes the connection
    (`close`), after whatever else it runs on it."""
    connection = await _checkout(engine, ping=False)
    try:
        return connection, await read(connection.driver_connection)
    except Exception as error:  # the same rule as the ping's: the connection is not usable
        if sqlstate(error) in CANCELLED:  # ... unless the server only cancelled the statement
            await close(connection)
            raise
        await greenlet_spawn(connection.invalidate)  # never handed out again
        if failure_code(error) == TIMEOUT:
            raise
    except BaseException:  # cancelled: the connection is fine
        await close(connection)
        raise
    connection = await _checkout(engine, ping=True)
    try:
        return connection, await read(connection.driver_connection)
    except BaseException:
        await close(connection)
        raise


async def _checkout(engine: AsyncEngine, *, ping: bool) -> Any:
    token = _READ_IS_THE_PING.set(not ping)
    try:
        return await engine.raw_connection()
    finally:
        _READ_IS_THE_PING.reset(token)


async def close(connection: Any) -> None:
    """Back to the pool (its reset may need the event loop)."""
    await greenlet_spawn(connection.close)


async def fetch_one(engine: AsyncEngine, sql: str, *args: object) -> Record | None:
    """One row at the driver's cost (see read_first), for the hottest reads: the bearer token's
    person, on every call; a compiled read's statement."""
    connection, row = await read_first(engine, lambda driver: driver.fetchrow(sql, *args))
    await close(connection)
    return row


async def fetch_all(engine: AsyncEngine, sql: str, *args: object) -> list[Record]:
    """Every row at the driver's cost (see read_first)."""
    connection, rows = await read_first(engine, lambda driver: driver.fetch(sql, *args))
    await close(connection)
    return rows
