"""The broker: every committed event reaches listeners once, in order, from any process."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy import insert, text

from db import tables as t
from db.broker import EventBroker
from db.engine import create_engine
from tests.support.database import asyncpg_dsn
from tests.support.statements import count_statements


def _event(kind: str = "Noted") -> dict:
    return {"type": kind, "occurred_at": datetime.now(UTC), "payload": {}}


async def _write(engine, *kinds: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(t.events), [_event(k) for k in kinds])


class Recorder:
    def __init__(self):
        self.types: list[str] = []
        self.seqs: list[int] = []
        self.arrived = asyncio.Event()

    async def __call__(self, batch) -> None:
        self.types += [e.type for e in batch]
        self.seqs += [e.seq for e in batch]
        self.arrived.set()

    async def wait_for(self, count: int, timeout: float = 30) -> None:
        async def enough():
            while len(self.types) < count:
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(enough(), timeout)


@pytest.fixture
async def broker(db):
    broker = EventBroker(db, health_interval=0.2, max_backoff=0.2)
    await broker.start()
    await asyncio.wait_for(broker.listening.wait(), 30)
    yield broker
    await broker.stop()


@pytest.fixture
async def other_process(database_url):
    """Another process's engine: its commits reach the broker only through NOTIFY."""
    engine = create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


async def test_events_from_another_process_arrive_through_notify(db, broker, other_process):
    # given
    recorder = Recorder()
    broker.subscribe(recorder)
    # when
    await _write(other_process, "First", "Second")
    await _write(other_process, "Third")
    # then
    await recorder.wait_for(3)
    assert recorder.types == ["First", "Second", "Third"]
    assert recorder.seqs == sorted(recorder.seqs)


async def test_announced_commits_are_read_without_listening(db):
    # given a broker that does not LISTEN: only announcements wake it
    broker = EventBroker(db)
    await broker.start(listen=False)
    recorder = Recorder()
    broker.subscribe(recorder)
    try:
        # when
        await _write(db, "Local")
        async with db.connect() as conn:
            seq = (await conn.execute(text("select max(seq) from events"))).scalar_one()
        broker.announce(seq)
        # then
        await recorder.wait_for(1)
        assert recorder.types == ["Local"]
    finally:
        await broker.stop()


async def test_with_nobody_listening_the_broker_reads_nothing_and_moves_its_head(db, broker, other_process):
    # given a broker nobody has subscribed to
    with count_statements(db) as statements:
        # when events commit, here and in another process
        await _write(other_process, "Elsewhere")
        await _write(db, "Here")
        async with db.connect() as conn:
            seq = (await conn.execute(text("select max(seq) from events"))).scalar_one()
        broker.announce(seq)
        await asyncio.wait_for(broker.caught_up(), 10)
        await asyncio.sleep(0.2)
    # then the head moved past them without a read of the log
    assert broker.head == broker.delivered == seq
    assert not [s for s in statements.statements if "events.seq >" in s]


async def test_a_listener_that_joins_later_gets_only_what_commits_after(db, broker, other_process):
    # given events that committed while nobody listened
    await _write(other_process, "Unheard")
    async with db.connect() as conn:
        unheard = (await conn.execute(text("select max(seq) from events"))).scalar_one()
    broker.announce(unheard)
    await asyncio.wait_for(broker.caught_up(), 10)
    # when a listener joins and more commit
    recorder = Recorder()
    broker.subscribe(recorder)
    await _write(other_process, "Heard")
    # then
    await recorder.wait_for(1)
    await asyncio.sleep(0.2)
    assert recorder.types == ["Heard"]
    assert recorder.seqs[0] > unheard


async def test_a_rolled_back_change_leaves_no_event_and_wakes_nobody(db, broker, other_process):
    # given
    recorder = Recorder()
    broker.subscribe(recorder)
    # when
    async with other_process.connect() as conn:
        await conn.begin()
        await conn.execute(insert(t.events), [_event("Abandoned")])
        await conn.rollback()
    await _write(other_process, "Kept")
    # then
    await recorder.wait_for(1)
    await asyncio.sleep(0.2)
    assert recorder.types == ["Kept"]


async def test_sequence_order_is_commit_order(db, other_process):
    # given a transaction that appended an event and has not committed
    first = await other_process.connect()
    await first.begin()
    await first.execute(insert(t.events), [_event("Earlier")])
    # when another transaction appends and commits meanwhile
    second = asyncio.create_task(_write(db, "Later"))
    await asyncio.sleep(0.3)
    # then it waits: had it committed, a reader could see its seq and miss the first one's lower seq
    assert not second.done()
    await first.commit()
    await first.close()
    await asyncio.wait_for(second, 10)
    async with db.connect() as conn:
        rows = (await conn.execute(text("select type from events order by seq"))).scalars().all()
    assert rows == ["Earlier", "Later"]


async def test_delivery_resumes_after_the_listening_connection_is_killed(db, broker, database_url, other_process):
    # given
    recorder = Recorder()
    broker.subscribe(recorder)
    await _write(other_process, "Before")
    await recorder.wait_for(1)
    # when the listening connection is killed and events commit while nobody listens
    pid = broker.listener_backend_pid()
    killer = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        assert await killer.fetchval("select pg_terminate_backend($1)", pid)
    finally:
        await killer.close()
    await _write(other_process, "WhileDeaf")
    # then it reconnects (a new backend) and catches up from the log, then hears live ones again
    await recorder.wait_for(2)
    await asyncio.wait_for(broker.listening.wait(), 30)
    await _write(other_process, "After")
    await recorder.wait_for(3)
    assert recorder.types == ["Before", "WhileDeaf", "After"]
    assert broker.listener_backend_pid() != pid


async def _until(condition) -> None:
    while not condition():
        await asyncio.sleep(0.01)


async def _terminate(database_url: str, pid: int) -> None:
    killer = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        assert await killer.fetchval("select pg_terminate_backend($1)", pid)
    finally:
        await killer.close()


async def test_each_loss_of_a_healthy_listening_connection_reconnects_at_the_shortest_delay(
    db, database_url, other_process
):
    # given a broker whose delay would double with every loss (0.1, 0.2, 0.4, 0.8 s) were it never reset
    broker = EventBroker(db, health_interval=0.2, min_backoff=0.1, max_backoff=5.0)
    await broker.start()
    recorder = Recorder()
    broker.subscribe(recorder)
    try:
        delays, pids = [], []
        for n in range(4):
            # when its connection, once it has answered a health check, is killed and an event commits meanwhile
            await asyncio.wait_for(broker.healthy.wait(), 30)
            delays.append(broker.reconnect_delay)  # what the coming reconnection waits
            pids.append(broker.listener_backend_pid())
            await _terminate(database_url, pids[-1])
            await _write(other_process, f"WhileDeaf{n}")
            await recorder.wait_for(n + 1)  # caught up from the log once reconnected
        await asyncio.wait_for(broker.healthy.wait(), 30)
        await _write(other_process, "After")
        await recorder.wait_for(5)
        # then every reconnection waited the shortest delay, on a new backend, and no event was lost or repeated
        assert delays == [broker.min_backoff] * 4
        assert len(set(pids + [broker.listener_backend_pid()])) == 5
        assert recorder.types == [f"WhileDeaf{n}" for n in range(4)] + ["After"]
        assert recorder.seqs == sorted(set(recorder.seqs))
    finally:
        await broker.stop()


async def test_connections_lost_before_a_health_check_reconnect_ever_later(db, database_url):
    # given a broker whose connections are killed as soon as they listen, before any health check
    broker = EventBroker(db, health_interval=60, min_backoff=0.1, max_backoff=0.3)
    await broker.start()
    try:
        delays, pid = [], None
        for _ in range(4):
            # when
            await asyncio.wait_for(broker.listening.wait(), 30)
            assert broker.listener_backend_pid() != pid
            delays.append(broker.reconnect_delay)
            pid = broker.listener_backend_pid()
            await _terminate(database_url, pid)
            await asyncio.wait_for(_until(lambda pid=pid: broker.listener_backend_pid() != pid), 30)
        # then a server that keeps dropping connections is retried less and less often, up to the maximum
        assert delays == [0.1, 0.2, 0.3, 0.3]
    finally:
        await broker.stop()


async def test_listeners_learn_when_the_process_heard_of_each_commit(db):
    # given a broker with a listener that asks, for each event, when its commit was heard of
    broker = EventBroker(db)
    await broker.start(listen=False)
    heard: dict[int, float | None] = {}

    async def listener(batch) -> None:
        heard.update((e.seq, broker.committed_at(e.seq)) for e in batch)

    broker.subscribe(listener)
    try:
        # when two commits are announced, one after the other
        times = []
        for kind in ("First", "Second"):
            await _write(db, kind, kind)
            async with db.connect() as conn:
                seq = (await conn.execute(text("select max(seq) from events"))).scalar_one()
            times.append(time.monotonic())
            broker.announce(seq)
            await asyncio.wait_for(broker.caught_up(), 10)
        # then each event counts from its own commit's announcement
        first, second = sorted(heard)[:2], sorted(heard)[2:]
        assert all(times[0] <= heard[s] < times[1] for s in first)
        assert all(times[1] <= heard[s] for s in second)
        # and what was delivered is forgotten
        assert broker.committed_at(max(heard)) is None
        assert broker.committed == max(heard)
    finally:
        await broker.stop()
