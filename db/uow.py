"""The unit of work: one transaction for the change and its events, then tell the broker."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import durability, event_log
from db.repositories.api_tokens import ApiTokenRepository
from db.repositories.catalog import RequestTypeRepository, ServiceRepository
from db.repositories.goals import CatalogReferences, GoalRepository
from db.repositories.idempotency import IdempotencyStore
from db.repositories.journeys import JourneyMapRepository, JourneyRunRepository
from db.repositories.organisation import DepartmentRepository, PersonRepository
from db.repositories.requests import RequestRepository
from domain.events import Event
from domain.journey_runs import JourneyRun
from domain.journeys import JourneyMap
from domain.requests import Comment, Request

# Told the last event sequence after a commit; never inside the transaction.
CommitListener = Callable[[int], None]


@dataclass(frozen=True)
class Written:
    """What a unit of work committed, whole, that a mutation's payload may be answered from
    instead of reading it back. Empty: read it back."""

    request: Request | None = None
    comments: tuple[Comment, ...] = ()

    def comment(self, comment_id: int | None) -> Comment | None:
        return next((c for c in self.comments if c.id == comment_id), None)


NOTHING_KEPT = Written()


class SqlUnitOfWork:
    # What it writes goes through its repositories' SQL, which keep no copy: payloads read back.
    written = NOTHING_KEPT

    def __init__(self, engine: AsyncEngine, *, on_commit: CommitListener | None = None):
        self.engine = engine
        self.on_commit = on_commit
        self.conn: AsyncConnection | None = None
        self._events: list[Event] = []
        self.last_seq: int | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        self.conn = await self.engine.connect()
        await self.conn.begin()
        self.departments = DepartmentRepository(self.conn)
        self.people = PersonRepository(self.conn)
        self.services = ServiceRepository(self.conn)
        self.request_types = RequestTypeRepository(self.conn)
        self.requests = RequestRepository(self.conn)
        self.idempotency = IdempotencyStore(self.conn)
        self.goals = GoalRepository(self.conn)
        self.references = CatalogReferences(self.conn)
        self.journey_maps = JourneyMapRepository(self.conn)
        self.journey_runs = JourneyRunRepository(self.conn)
        self.api_tokens = ApiTokenRepository(self.conn)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.conn is not None
        try:
            if self.conn.in_transaction():
                await self.conn.rollback()
        finally:
            await self.conn.close()

    def record(self, events: Iterable[Event]) -> None:
        self._events.extend(events)

    def _collect(self) -> list[Event]:
        events = list(self._events)
        self._events.clear()
        seen: list[Request | JourneyMap | JourneyRun] = [
            *self.requests.seen,
            *self.journey_maps.seen,
            *self.journey_runs.seen,
        ]
        for aggregate in seen:
            events.extend(aggregate.events)
            aggregate.events.clear()
        return events

    async def commit(self) -> None:
        assert self.conn is not None
        self.last_seq = await event_log.append(self.conn, self._collect())
        if self.last_seq is None:
            await self.conn.commit()
            return
        # The events' ordering lock is released at commit: not held through the flush (db.durability).
        await self.conn.execute(text(f"select {durability.ASYNC_COMMIT}"))
        await self.conn.commit()
        await durability.wait_flushed((await self.conn.get_raw_connection()).driver_connection)
        if self.on_commit is not None:
            self.on_commit(self.last_seq)
