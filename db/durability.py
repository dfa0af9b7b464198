"""Committing events without holding the event log's lock through the disk flush.

The events table's ordering lock (migration 0002) is held until the writing transaction ends, and
a synchronous commit ends only once its WAL is on disk: every writer waits for every other's
flush, one at a time, so all event-writing commits together are capped by the disk's flush rate
whatever the CPUs do (~235 commits/s when this was written; later, 16 connections appending
events: ~400/s synchronously against ~1,850-2,500/s this way, `python -m bench.durability`). So a
transaction that appends events commits asynchronously (the lock goes as soon as the commit
record is in the WAL buffers), and then, before its caller or this process's broker is told,
waits for the flush with a tiny synchronous transaction of its own: concurrent writers' flushes
group into one.

That transaction must write WAL itself. PostgreSQL flushes at commit only for a transaction that
wrote WAL (xact.c, RecordTransactionCommit: `wrote_xlog` is taken before the commit record is
written), so one that merely takes an xid (`select pg_current_xact_id()`, the first version of
this) writes its commit record and returns without flushing anything: acknowledged writes were
lost when PostgreSQL crashed (tests/e2e/test_crash_durability.py). A transactional logical message
writes a small WAL record (and takes an xid) without touching a table or a lock, so waiters never
contend; its commit flushes the WAL up to its own commit record, past ours. It works at any
wal_level, PostgreSQL grants EXECUTE on it to PUBLIC, and logical decoding clients see the
messages only if they ask for messages. The wait honours the server's synchronous_commit: with
`remote_apply` it also waits for the standbys; with `off` (set for the role or the database) it
waits for nothing, as every commit there.

What changes: the writer is still answered only once its change is on disk. Other sessions (and
subscribers in other processes, woken by the NOTIFY) may see the change up to a few milliseconds
before it is; if PostgreSQL crashes in that window, the change is lost although they saw it.
"""

from __future__ import annotations

from typing import Any

# In the writing transaction (as a select list item, or a statement of its own): commit without
# waiting for the flush. Transaction-local: the connection's next transaction is synchronous again.
ASYNC_COMMIT = "set_config('synchronous_commit', 'off', true)"

# After the commit, as a transaction of its own: it writes WAL, so it commits
# synchronously, and its flush covers every commit written before it, ours included.
FLUSHED = "select pg_logical_emit_message(true, 'tandem.flushed', '')"


async def wait_flushed(driver: Any) -> None:
    """Return once every commit made so far on this server is on disk (asyncpg connection)."""
    await driver.execute(FLUSHED)
