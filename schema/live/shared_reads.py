"""One read for every reader that would see the same thing, while it would.

A wallboard on every agent's screen means hundreds of `departmentStats` subscribers on one
department; each change would otherwise run the same statements once per subscriber. Readers
that would see the same thing (the same key) at the same version share one read. For the
subscriptions the version is the broker's head, the last event read from the log, so a read shared
under it started after that event committed: a later event moves the head and makes a new read, an
event that commits during a read wakes its subscribers again, under the next head. Goal figures
(schema.goals.loaders) are versioned by the database's snapshot and a window of the clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class SharedReads:
    def __init__(self, *, capacity: int = 1024, keep: Callable[[Any], bool] | None = None):
        self.capacity = capacity  # keys kept: the most recent reads of that many audiences
        # Whether a finished read is kept for later readers (those already waiting share it anyway):
        # a bound on memory where one read may be large.
        self.keep = keep
        self._latest: dict[Hashable, tuple[Hashable, asyncio.Future[Any]]] = {}

    async def read(self, key: Hashable, version: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        entry = self._latest.get(key)
        if entry is None or entry[0] != version:
            # A task of its own: the subscriber that started it may leave before it finishes.
            entry = (version, asyncio.ensure_future(load()))
            self._latest.pop(key, None)
            self._latest[key] = entry
            if len(self._latest) > self.capacity:
                del self._latest[next(iter(self._latest))]
        try:
            value: T = await asyncio.shield(entry[1])
        except Exception:
            if self._latest.get(key) is entry:  # the next reader tries again
                del self._latest[key]
            raise
        if self.keep is not None and not self.keep(value) and self._latest.get(key) is entry:
            del self._latest[key]
        return value
