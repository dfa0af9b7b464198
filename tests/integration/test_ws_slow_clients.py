"""Clients that stop reading, against the real uvicorn the sender writes into: one that reads
again gets everything in order; one too far behind gets 1013 if it reads, a reset if it does not."""

from __future__ import annotations

import asyncio
import contextlib
import socket

import websockets

from api.ws_sender import TRY_AGAIN_LATER, Sender
from tests.support.in_process import uvicorn_serving
from tests.support.stalled_client import PROTOCOL, TCP_CLOSE, StalledClient

PADDING = "x" * 8000  # megabytes of socket buffers fill with a few hundred messages


class NumberedFeed:
    """Sends numbered 8 KB messages until its client has stalled it, then `more`; then waits for
    the client to go (or for its connection to be reset)."""

    def __init__(self, *, more: int, max_backlog: int = 1000, send_timeout: float = 30.0):
        self.more, self.max_backlog, self.send_timeout = more, max_backlog, send_timeout
        self.sent = 0
        self.stalled = asyncio.Event()
        self.finished = asyncio.Event()  # all handed to the sender
        self.given_up = asyncio.Event()  # the sender closed on its own (too slow)
        self.ended = asyncio.Event()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return
        await receive()
        await send({"type": "websocket.accept", "subprotocol": PROTOCOL})
        sender = Sender(send, max_backlog=self.max_backlog, send_timeout=self.send_timeout, on_close=self.given_up.set)
        left = None
        while not sender.closed and left != 0:
            sender.send_text(f"{self.sent:06d}{PADDING}")
            self.sent += 1
            if left is not None:
                left -= 1
            elif sender.stalled:
                left = self.more
                self.stalled.set()
            await asyncio.sleep(0)
        self.finished.set()
        await receive()
        self.ended.set()


@contextlib.asynccontextmanager
async def serving(app):
    async with uvicorn_serving(app, log_level="warning") as server:
        yield server, server.config.port


async def _connect_slow_reader(port: int):
    """A websockets client that buffers one message, and a socket receive buffer of 4 KB: when the
    test does not call recv(), the server's sends back up at once."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    return await websockets.connect(f"ws://127.0.0.1:{port}/", sock=sock, subprotocols=[PROTOCOL], max_queue=1)


async def test_a_client_that_stops_reading_for_a_while_then_gets_every_message_in_order():
    feed = NumberedFeed(more=5)
    async with serving(feed) as (_, port), await _connect_slow_reader(port) as ws:
        # given messages waiting behind a send the client's full socket holds up
        await asyncio.wait_for(feed.finished.wait(), 60)
        assert feed.stalled.is_set()
        # when it reads again
        received = [await asyncio.wait_for(ws.recv(), 30) for _ in range(feed.sent)]
        # then it gets every one, in order, and the server still has it
        assert [int(text[:6]) for text in received] == list(range(feed.sent))
        assert not feed.given_up.is_set()


async def test_a_client_too_far_behind_that_reads_again_learns_why_it_was_dropped():
    feed = NumberedFeed(more=10, max_backlog=3)
    async with serving(feed) as (_, port), await _connect_slow_reader(port) as ws:
        # given a client that fell more than max_backlog messages behind
        await asyncio.wait_for(feed.given_up.wait(), 60)
        # when it reads again
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await asyncio.wait_for(ws.recv(), 30)
        # then after what its socket held it gets 1013: it reconnects and resumes from its cursor
        assert (ws.close_code, ws.close_reason) == (
            TRY_AGAIN_LATER,
            "Too slow: reconnect and resume from your last cursor",
        )


async def test_a_client_that_never_reads_again_is_reset_and_let_go_of():
    feed = NumberedFeed(more=0, send_timeout=0.5)  # a quiet feed: nothing more after the stall
    async with serving(feed) as (server, port):
        client = await asyncio.to_thread(StalledClient, port)
        try:
            # given a client whose socket stopped taking messages
            await asyncio.wait_for(feed.stalled.wait(), 60)
            # when a message has waited the send timeout, then it is given up on
            await asyncio.wait_for(feed.given_up.wait(), 30)
            # and its connection is reset, not left open with megabytes queued for a close it cannot read
            await asyncio.wait_for(feed.ended.wait(), 30)
            assert not server.server_state.connections
            assert client.tcp_state() == TCP_CLOSE
        finally:
            client.close()
