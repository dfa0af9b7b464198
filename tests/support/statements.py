"""Counting the SQL statements an operation sends: through SQLAlchemy, and straight on the driver
(db.engine.driver_connection: the optimistic writes, the token's person)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

from asyncpg import introspection
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

# Not statements of the operation: the pool's ping on checkout (db.engine._ping), the transaction
# control SQLAlchemy sends through the driver (the bench counts both as round trips), and asyncpg's
# type lookups on a fresh connection (when it first meets a type, or sets SQLAlchemy's JSON codecs;
# it switches JIT off around them).
NOT_STATEMENTS = frozenset({"select", "BEGIN;", "COMMIT;", "ROLLBACK;", introspection.TYPE_BY_NAME})
INTROSPECTION = ("typeinfo_tree", "set_config('jit'")


class StatementLog:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextlib.contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[StatementLog]:
    """asyncpg hands each query to its loggers on the next turn of the event loop: a statement
    run on the driver just before the block ends is counted by count_all_statements only."""
    log = StatementLog()
    watched = []

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        log.statements.append(statement)

    # asyncpg's query logger sees what runs on the driver directly, not SQLAlchemy's prepared
    # statements (counted above), so nothing is counted twice.
    def on_driver(query) -> None:  # noqa: ANN001
        if query.query not in NOT_STATEMENTS and not any(mark in query.query for mark in INTROSPECTION):
            log.statements.append(query.query)

    def checkout(dbapi_connection, record, proxy) -> None:  # noqa: ANN001
        driver = dbapi_connection.driver_connection
        driver.add_query_logger(on_driver)
        watched.append(driver)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    event.listen(engine.sync_engine.pool, "checkout", checkout)
    try:
        yield log
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)
        event.remove(engine.sync_engine.pool, "checkout", checkout)
        for driver in watched:
            driver.remove_query_logger(on_driver)


@contextlib.asynccontextmanager
async def count_all_statements(engine: AsyncEngine) -> AsyncIterator[StatementLog]:
    """count_statements, waiting for the driver's last query to reach its loggers."""
    with count_statements(engine) as log:
        yield log
        await asyncio.sleep(0)
