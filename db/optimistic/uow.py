"""A unit of work for one request command, read and written without a lock (see the package doc)."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any, NoReturn, TypeVar

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import close, read_first
from db.optimistic import flush, opening, snapshot
from db.uow import NOTHING_KEPT, CommitListener, Written
from domain.events import Event
from domain.read_plans import OpeningReads, ReadPlan, RequestReads
from domain.requests import Request

T = TypeVar("T")


class Contended(Exception):
    """The request changed between the read and the write (or the key was claimed meanwhile):
    nothing was written; run the command again."""


class NotPlanned(Exception):
    """The command needs something the read did not plan for: run it with the locking unit of work."""


class _Unplanned:
    """Any repository the plan did not read: using it sends the command down the locking path."""

    def __init__(self, name: str):
        self.name = name

    def __getattr__(self, method: str) -> NoReturn:
        raise NotPlanned(f"{self.name}.{method}")


class _Requests(_Unplanned):
    def __init__(self, uow: OptimisticUnitOfWork):
        super().__init__("requests")
        self.uow = uow
        self.seen: list[Request] = []

    async def get_for_update(self, request_id: int) -> Request | None:
        if request_id != self.uow.plan.request_id:
            raise NotPlanned("another request")
        return self.uow.request

    async def next_comment_id(self) -> int:
        if not self.uow.comment_ids:
            raise NotPlanned("more comment ids")
        return self.uow.comment_ids.pop(0)

    async def save(self, request: Request) -> None:
        if request is not self.uow.request:
            raise NotPlanned("saving a request that was not read")
        self.uow.saved = request


class _Claims:
    def __init__(self, uow: _Unlocked):
        self.uow = uow

    async def claim(self, *, person_id: int, operation: str, key: str, fingerprint: str) -> tuple[int, str] | None:
        plan = self.uow.plan
        if (person_id, operation, key) != (plan.person_id, plan.operation, plan.key):
            raise NotPlanned("another idempotency key")
        if self.uow.prior is None:
            self.uow.claim = flush.Claim(person_id, operation, key, fingerprint)
        return self.uow.prior

    async def record(self, *, person_id: int, operation: str, key: str, result_id: int) -> None:
        assert self.uow.claim is not None and self.uow.claim.key == key
        self.uow.claim.result_id = result_id


class _Runs(_Unplanned):
    def __init__(self, uow: OptimisticUnitOfWork):
        super().__init__("journey_runs")
        self.uow = uow

    async def get_for_update_of_request(self, request_id: int) -> None:
        """A request's run is set when it opens and never changes: with none, there is none to lock."""
        request = self.uow.request
        if request is None or request.id != request_id or request.journey_run_id is not None:
            raise NotPlanned("a journey run")
        return None


class _Unlocked:
    """What both units of work share: one pooled connection, the key claimed, the events recorded,
    and what they wrote (the request and its new comments, as the domain made them)."""

    def __init__(self, engine: AsyncEngine, plan: ReadPlan, *, on_commit: CommitListener | None = None):
        self.engine, self.plan, self.on_commit = engine, plan, on_commit
        self.connection: Any = None
        self.last_seq: int | None = None
        self.saved: Request | None = None
        self.written: Written = NOTHING_KEPT
        self.prior: tuple[int, str] | None = None
        self.claim: flush.Claim | None = None
        self._events: list[Event] = []
        self.idempotency = _Claims(self)

    async def __aexit__(self, *exc: Any) -> None:
        await close(self.connection)

    def record(self, events: Iterable[Event]) -> None:
        self._events.extend(events)

    def _taken_events(self, request: Request) -> list[Event]:
        """The events to write, in order; taken: a try that fails starts again from a fresh read."""
        events = [*self._events, *request.events]
        self._events.clear()
        request.events.clear()
        return events

    async def _claiming(self, write: Awaitable[T]) -> T:
        """The write's result; a key claimed meanwhile (the statement failed whole) is contention."""
        try:
            return await write
        except asyncpg.UniqueViolationError as error:
            if error.table_name != "idempotency_keys":
                raise
            raise Contended("the idempotency key was claimed meanwhile") from error

    def _announce(self) -> None:
        if self.last_seq is not None and self.on_commit is not None:
            self.on_commit(self.last_seq)


class OptimisticUnitOfWork(_Unlocked):
    # The repositories no planned command reads (shared: they hold nothing).
    departments = _Unplanned("departments")
    people = _Unplanned("people")
    services = _Unplanned("services")
    request_types = _Unplanned("request_types")
    goals = _Unplanned("goals")
    references = _Unplanned("references")
    journey_maps = _Unplanned("journey_maps")

    plan: RequestReads

    def __init__(self, engine: AsyncEngine, plan: RequestReads, *, on_commit: CommitListener | None = None):
        super().__init__(engine, plan, on_commit=on_commit)
        self.request: Request | None = None
        self.comment_ids: list[int] = []
        self.requests = _Requests(self)
        self.journey_runs = _Runs(self)

    async def __aenter__(self) -> OptimisticUnitOfWork:
        # The read runs again if the pooled connection turns out broken: it writes nothing.
        self.connection, read = await read_first(self.engine, lambda conn: snapshot.read(conn, self.plan))
        self.request, self.prior, self.comment_ids = read.request, read.prior, read.comment_ids
        self._loaded = flush.Loaded.of(read.request, read.row_xmin) if read.request and read.row_xmin else None
        return self

    async def commit(self) -> None:
        request = self.saved
        if request is None or self._loaded is None:
            raise NotPlanned("a command that saves nothing read")
        written, self.last_seq = await self._claiming(
            flush.write(
                self.connection.driver_connection, request, self._loaded, self._taken_events(request), self.claim
            )
        )
        if not written:
            raise Contended("the request changed since it was read")
        self.written = Written(request=request, comments=tuple(request.new_comments))
        request.new_comments.clear()
        request.new_handoffs.clear()
        self._announce()


class _Form(_Unplanned):
    """The catalog and people repositories, answering from what the opening read."""

    def __init__(self, uow: OpeningUnitOfWork, name: str):
        super().__init__(name)
        self.uow = uow

    async def get(self, entity_id: int, **_: Any) -> Any:
        plan, form = self.uow.plan, self.uow.form
        planned = {
            "services": (plan.service_id, form.service),
            "request_types": (plan.request_type_id, form.request_type),
            "people": (plan.requester_id, form.requester),
        }[self.name]
        if entity_id != planned[0]:
            raise NotPlanned(f"another {self.name}")
        return planned[1]


class _NewRequests(_Unplanned):
    def __init__(self, uow: OpeningUnitOfWork):
        super().__init__("requests")
        self.uow = uow
        self.seen: list[Request] = []
        self._ids: tuple[int, int, list[int]] | None = None

    async def _drawn(self) -> tuple[int, int, list[int]]:
        # Drawn once the form passed (the handler asks after its checks): a refused request
        # spends no number, as on the locking path.
        if self._ids is None:
            form = self.uow.form
            tasks = len(form.request_type.task_templates) if form.request_type else 0
            self._ids = await opening.ids(self.uow.connection.driver_connection, tasks=tasks)
        return self._ids

    async def next_ids(self, count: int) -> list[int]:
        if count != 1:
            raise NotPlanned("several requests")
        return [(await self._drawn())[0]]

    async def next_number(self) -> int:
        return (await self._drawn())[1]

    async def next_task_ids(self, count: int) -> list[int]:
        task_ids = (await self._drawn())[2]
        if count != len(task_ids):
            raise NotPlanned("other tasks")
        return task_ids

    async def add(self, request: Request) -> None:
        self.uow.saved = request
        self.seen.append(request)


class OpeningUnitOfWork(_Unlocked):
    """Raising a request (db.optimistic.opening): read, act, write, with no transaction held."""

    departments = _Unplanned("departments")
    goals = _Unplanned("goals")
    references = _Unplanned("references")
    journey_maps = _Unplanned("journey_maps")
    journey_runs = _Unplanned("journey_runs")

    plan: OpeningReads

    def __init__(self, engine: AsyncEngine, plan: OpeningReads, *, on_commit: CommitListener | None = None):
        super().__init__(engine, plan, on_commit=on_commit)
        self.services, self.request_types, self.people = (
            _Form(self, n) for n in ("services", "request_types", "people")
        )
        self.requests = _NewRequests(self)

    async def __aenter__(self) -> OpeningUnitOfWork:
        self.connection, self.form = await read_first(self.engine, lambda conn: opening.read(conn, self.plan))
        self.prior = self.form.prior
        return self

    async def commit(self) -> None:
        request = self.saved
        if request is None:
            raise NotPlanned("a command that opens nothing")
        self.last_seq = await self._claiming(
            opening.write(self.connection.driver_connection, request, self._taken_events(request), self.claim)
        )
        self.written = Written(request=request)
        self._announce()
