"""The broker: learns that events were committed, reads each one from the log once, in order,
and hands every batch to the process's listeners (subscriptions, wallboards). While nobody
listens it reads nothing: it only moves its head to the last committed sequence it heard of.

It learns from two sources. A commit in this process announces its last sequence directly
(`announce`, called by the unit of work after commit). Every commit, in any process, also
NOTIFYs `tandem_events` with its last sequence (a trigger on the events table, sent only
if the transaction commits); a dedicated connection LISTENs for it, is watched, and is
reconnected with backoff when it drops: the delay doubles with each failed attempt (a
server that keeps dropping connections is not hammered) and falls back to its minimum once
a new connection has answered a health check. After each (re)connect the broker reads the log
from where it was, so nothing committed while it was deaf is lost. Notifications carry
the sequence only: the data is always read from the log.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import reader
from db.read.events import last_seq, read_after

log = logging.getLogger("tandem.broker")
CHANNEL = "tandem_events"
LISTENER_NAME = "tandem-event-listener"  # how operators (and tests) find it in pg_stat_activity

# Told every batch of newly committed events, in sequence order, once each.
Listener = Callable[[Sequence[Any]], Awaitable[None]]

# Announcements remembered for committed_at; more wait only while the log cannot be read.
MAX_HEARD = 10_000

# InternalClientError: asyncpg's protocol, told of a killed backend mid-query, refuses the next one.
_CONNECTION_LOST = (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError)


class EventBroker:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        batch_size: int = 500,
        health_interval: float = 10.0,
        min_backoff: float = 0.1,
        max_backoff: float = 5.0,
    ):
        self.engine = engine
        self.reader = reader(engine)
        self.batch_size = batch_size
        self.health_interval = health_interval
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.reconnect_delay = min_backoff  # the wait before reconnecting after the next loss
        self.head = 0  # the last sequence read from the log (being handed to the listeners)
        self.delivered = 0  # the last sequence every listener has been handed
        self.listeners: list[Listener] = []
        self.listening = asyncio.Event()  # set while the LISTEN connection is up
        self.healthy = asyncio.Event()  # set once that connection has answered a health check
        self._announced = 0
        # When this process learned of each announced sequence (monotonic), until it is delivered:
        # what committed_at answers. Kept only while someone listens.
        self._heard_seqs: list[int] = []
        self._heard_at: list[float] = []
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._connection: asyncpg.Connection[asyncpg.Record] | None = None

    async def start(self, *, listen: bool = True) -> None:
        async with self.reader.connect() as conn:
            self.head = self.delivered = self._announced = await last_seq(conn)
        self._tasks.append(asyncio.create_task(self._pump(), name="broker-pump"))
        if listen:
            self._tasks.append(asyncio.create_task(self._listen_forever(), name="broker-listen"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener) if listener in self.listeners else None

    def announce(self, seq: int) -> None:
        """Events up to `seq` are committed (called after commit, or from a notification)."""
        if seq > self._announced:
            self._announced = seq
            if self.listeners:
                if len(self._heard_seqs) >= MAX_HEARD:  # the log has not been read for long: the oldest go
                    self._forget_heard(self._heard_seqs[MAX_HEARD // 2])
                self._heard_seqs.append(seq)
                self._heard_at.append(time.monotonic())
        self._wake.set()

    @property
    def committed(self) -> int:
        """The last sequence known to be committed (announced, or read from the log)."""
        return max(self._announced, self.head)

    def committed_at(self, seq: int) -> float | None:
        """When (time.monotonic) this process learned that `seq` was committed, for an event being
        delivered: at once for its own commits, at the notification for other processes'. None when
        it learned only by reading the log (after its listening connection was lost); an event read so
        before a later announcement counts from that one."""
        index = bisect.bisect_left(self._heard_seqs, seq)
        return self._heard_at[index] if index < len(self._heard_seqs) else None

    def _forget_heard(self, delivered: int) -> None:
        done = bisect.bisect_right(self._heard_seqs, delivered)
        del self._heard_seqs[:done]
        del self._heard_at[:done]

    async def caught_up(self) -> None:
        """Wait until every event announced so far has been handed out (tests and shutdown use it)."""
        while self.delivered < self._announced:
            await asyncio.sleep(0.005)

    # -- reading the log -----------------------------------------------------------------------------------

    async def _pump(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._drain()
            except Exception:  # a failed read is retried on the next wake-up or health check
                log.exception("reading the event log failed")
                await asyncio.sleep(0.5)
                self._wake.set()

    async def _drain(self) -> None:
        """Read everything after head, whatever was announced: a catch-up needs no announcement."""
        while True:
            if not self.listeners:
                # Nobody to hand events to (a process serving only HTTP): a read per commit would
                # cost every write a round trip for nothing. A listener that joins later starts at
                # the head; one that resumes from a cursor replays from the log itself.
                self.head = self.delivered = max(self.head, self._announced)
                self._forget_heard(self.head)
                return
            async with self.reader.connect() as conn:
                batch = await read_after(conn, self.head, limit=self.batch_size)
            if not batch:
                return
            self.head = batch[-1].seq
            self._announced = max(self._announced, self.head)
            for listener in list(self.listeners):
                try:
                    await listener(batch)
                except Exception:  # one broken listener must not starve the others
                    log.exception("an event listener failed")
            self.delivered = self.head
            self._forget_heard(self.head)
            if len(batch) < self.batch_size:
                return

    # -- hearing about other processes' commits ------------------------------------------------------------

    async def _listen_forever(self) -> None:
        while True:
            try:
                await self._listen_once()  # returns only by raising: the connection was lost
            except _CONNECTION_LOST as error:
                delay = self.reconnect_delay
                log.warning("event listener connection lost (%s); reconnecting in %.1fs", error, delay)
                await asyncio.sleep(delay)
                # Reset by a connection that proves healthy, not by one that merely connects.
                self.reconnect_delay = min(delay * 2, self.max_backoff)

    async def _listen_once(self) -> None:
        lost = asyncio.Event()
        conn = await asyncpg.connect(
            _asyncpg_dsn(self.engine), timeout=10, server_settings={"application_name": LISTENER_NAME}
        )
        self._connection = conn
        try:
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(CHANNEL, self._on_notification)
            self.listening.set()
            self._wake.set()  # catch up on whatever committed while nobody listened
            log.info("listening for events on %s", CHANNEL)
            while not lost.is_set():
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(lost.wait(), self.health_interval)
                if not lost.is_set():
                    # A half-open TCP connection never terminates by itself: ask it something.
                    await conn.fetchval("select 1", timeout=5)
                    self.reconnect_delay = self.min_backoff  # it works: the next loss reconnects at once
                    self.healthy.set()
            raise ConnectionResetError("listening connection terminated")
        finally:
            self.listening.clear()
            self.healthy.clear()
            self._connection = None
            if not conn.is_closed():
                conn.terminate()

    def _on_notification(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        try:
            self.announce(int(str(payload)))  # a str: asyncpg's stubs only promise an object
        except ValueError:
            log.warning("ignored a malformed notification on %s: %r", CHANNEL, payload)

    def listener_backend_pid(self) -> int | None:
        """The listening connection's server process id (tests kill it to prove reconnects)."""
        return self._connection.get_server_pid() if self._connection is not None else None


def _asyncpg_dsn(engine: AsyncEngine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
