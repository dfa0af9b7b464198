"""The optimistic unit of work: request commands in two statements, no transaction held open.

One statement reads the request whole (row, tasks, watchers, its `xmin`) with no lock, plus what
the command needs up front (an idempotency key's first result, reserved comment ids). The domain
acts on it in Python. One statement of data-modifying CTEs then writes every change and its
events, guarded by the `xmin` read: one statement is atomic, so the events' ordering lock
(migration 0002) is held for that statement only, not for a transaction's round trips (nor
through the disk flush: db.durability). If the
guard finds the row changed, the command runs again from a fresh read; after a few tries it takes
the locking unit of work (db.uow) instead.
"""
