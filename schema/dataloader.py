"""The three kinds of per-request dataloader, each batch ONE set-based statement on its own pooled
connection: rows by key (`ById`), a value per parent (`Grouped`), pages per parent (`Paged`).

A relation's loader is a subclass naming its key and value types and saying how it fetches
(`schema/<domain>/loaders.py`); `schema.loaders.Loaders` makes each on first use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from strawberry.dataloader import DataLoader

from domain.people import Person

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
W = TypeVar("W", bound=tuple[Any, ...])

# A row read by attribute: a SQLAlchemy row, or an object with the same attributes (a written
# aggregate, or the viewer primed into the people loader).
Row = Any


class Reading(Protocol):
    """What every loader of one call shares (schema.loaders.Loaders): where it reads, for whom,
    and the call's clock."""

    engine: AsyncEngine
    viewer: Person
    clock: Callable[[], datetime]


class _Batched(DataLoader[K, V]):
    def __init__(self, reading: Reading):
        super().__init__(load_fn=self.load_batch)
        self.engine, self.viewer, self.clock = reading.engine, reading.viewer, reading.clock

    async def load_batch(self, keys: list[K]) -> list[V]:
        raise NotImplementedError


class ById(_Batched[K, V | None], Generic[K, V]):
    """Rows by key; a key that names nothing, or something the viewer may not see, loads as None."""

    async def fetch(self, conn: AsyncConnection, keys: Sequence[K]) -> Mapping[K, V]:
        raise NotImplementedError

    async def load_batch(self, keys: list[K]) -> list[V | None]:
        async with self.engine.connect() as conn:
            found = await self.fetch(conn, keys)
        return [found.get(k) for k in keys]


class Grouped(_Batched[K, V], Generic[K, V]):
    """One value per parent key (a list of children, a count, …): `fetch` answers every key."""

    async def fetch(self, conn: AsyncConnection, keys: Sequence[K]) -> Mapping[K, V]:
        raise NotImplementedError

    async def load_batch(self, keys: list[K]) -> list[V]:
        async with self.engine.connect() as conn:
            found = await self.fetch(conn, keys)
        return [found[k] for k in keys]


class Paged(_Batched[W, V], Generic[W, V]):
    """Keys are (parent, *window), e.g. (request, first, after): parents asking for the same
    window share one statement."""

    async def fetch(self, conn: AsyncConnection, parents: list[Any], window: tuple[Any, ...]) -> Mapping[Any, V]:
        raise NotImplementedError

    async def load_batch(self, keys: list[W]) -> list[V]:
        by_window: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
        for key in keys:
            by_window[key[1:]].append(key[0])
        found: dict[tuple[Any, ...], V] = {}
        for window, parents in by_window.items():
            async with self.engine.connect() as conn:
                values = await self.fetch(conn, parents, window)
            found.update({(p, *window): values[p] for p in parents})
        return [found[k] for k in keys]
