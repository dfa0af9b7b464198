"""Committing events without holding the event log's lock through the disk flush.

The events table's ordering lock (migration 0002) is held until the writing transaction ends, and
a synchronous commit ends only once its WAL is on disk (~4 ms on this machine): every writer
waited for every other's flush, one at a time, so all writes together were capped at ~235
commits/s whatever the CPUs did. So a transaction that appends events commits asynchronously (the
lock goes as soon as the commit is in the WAL buffers), and then, before its caller or this
process's broker is told, waits for the flush with a tiny synchronous commit of its own, which
flushes everything before it: concurrent writers' flushes now group into one.

What changes: the writer is still answered only once its change is on disk. Other sessions (and
subscribers in other processes, woken by the NOTIFY) may see the change up to a few milliseconds
before it is; if PostgreSQL crashes in that window, the change is lost although they saw it.
"""
from __future__ import annotations

from typing import Any

# In the writing transaction (as a select list item, or a statement of its own): commit without
# waiting for the flush. Transaction-local: the connection's next transaction is synchronous again.
ASYNC_COMMIT = "set_config('synchronous_commit', 'off', true)"

# After the commit, on its own: a transaction with an id commits synchronously, and its flush
# covers every commit written before it, ours included.
FLUSHED = "select pg_current_xact_id()"


async def wait_flushed(driver: Any) -> None:
    """Return once every commit made so far on this server is on disk (asyncpg connection)."""
    await driver.fetchval(FLUSHED)
