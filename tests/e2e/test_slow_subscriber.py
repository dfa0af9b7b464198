"""A subscriber whose client stops reading on a busy feed: the server lets go of it (the
connection is reset, what was queued for it dropped) while everyone else keeps getting events."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import insert

from db import tables as t
from db.engine import create_engine
from tests.e2e.live import Feed, live_session
from tests.support.server import Server
from tests.support.stalled_client import TCP_CLOSE, TCP_ESTABLISHED, StalledClient

FEED = "subscription { events { cursor summary } }"
EXCERPT = "x" * 8000  # frames of 8 KB: megabytes of kernel buffers fill with a few hundred events


async def _commit_events(engine, count: int, excerpt: str = EXCERPT) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            insert(t.events),
            [{"type": "CommentAdded", "occurred_at": datetime.now(UTC), "payload": {"excerpt": excerpt}}] * count,
        )


def _subscribed_stalled_client(port: int, token: str) -> StalledClient:
    client = StalledClient(port)
    client.send({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    assert client.receive() == {"type": "connection_ack"}
    client.send({"type": "subscribe", "id": "1", "payload": {"query": FEED}})
    return client


async def _until_live(stalled: StalledClient, feed: Feed, engine) -> None:
    """Commit small events until both subscriptions have received one (they join asynchronously)."""
    stalled_live = False
    for _ in range(40):
        await _commit_events(engine, 1, "probe")
        await asyncio.sleep(0.25)
        stalled_live = stalled_live or any(m.get("type") == "next" for m in stalled.poll())
        if stalled_live and not feed.received.empty():
            feed.drain()
            return
    raise AssertionError("the subscriptions never went live")


async def _until_reset(stalled: StalledClient, timeout: float = 60) -> int:
    for _ in range(int(timeout / 0.1)):
        if stalled.tcp_state() != TCP_ESTABLISHED:
            break
        await asyncio.sleep(0.1)
    return stalled.tcp_state()


async def test_a_subscriber_that_stops_reading_is_reset_and_the_others_get_every_event(
    server_env, tmp_path, e2e_org, token_for, server_database
):
    server = Server(env={**server_env, "TANDEM_WS_SEND_TIMEOUT": "3"}, cwd=tmp_path, log_path=tmp_path / "s.log")
    engine = create_engine(server_database, pool_size=2)
    stalled = None
    try:
        server.wait_ready()
        token = token_for("admin@example.com")
        # given two subscribers to every event: one reads, one stops reading once it is live
        stalled = _subscribed_stalled_client(server.port, token)
        async with live_session(server.url, token) as session:
            feed = Feed(session, FEED)
            await _until_live(stalled, feed, engine)

            # when far more is committed than the stalled client's buffers and backlog hold (12 MB)
            for _ in range(3):
                await _commit_events(engine, 500)

            # then the server resets the stalled connection (not a close handshake it cannot read)
            assert await _until_reset(stalled) == TCP_CLOSE
            # and the reading subscriber got every event, and gets those committed after
            await _commit_events(engine, 1, "after")
            summaries = []
            while "Commented: after" not in summaries:
                summaries += [r["events"]["summary"] for r in await feed.take(1, timeout=30)]
            late_probes = "Commented: probe"  # one may arrive after _until_live drained the feed
            assert [s for s in summaries if s != late_probes] == [f"Commented: {EXCERPT}"] * 1500 + ["Commented: after"]
            assert await feed.nothing_more(0.3)
            await feed.stop()
        server.wait_for_log(lambda e: "resetting a websocket connection" in e.get("message", ""))
    finally:
        if stalled is not None:
            stalled.close()
        server.stop()
        await engine.dispose()
