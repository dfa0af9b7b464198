"""Sending on a websocket without waiting: what lets one event reach 10,000 subscribers fast.

The hub hands each subscriber its message from one loop. Awaiting every ASGI send in turn
would let one client that stopped reading (its socket buffer full, the server's send
paused) hold up everyone after it; a task per message would cost more than the send.
So a send is stepped by hand: when the socket is writable, uvicorn's send completes
without suspending (the common case, no task at all). Only if it would wait is the rest
of that send finished in a task, and later messages queue behind it.

A client whose messages wait `send_timeout` for room in its socket, or that falls
`max_backlog` messages behind, is given up on: its subscriptions end and it gets a close
with 1013 (try again later) if its socket takes the close frame within `send_timeout`. A
client that stopped reading has no room for it, and a close handshake it cannot read never
ends (closing a transport waits for its buffer to drain): so the connection is reset,
dropping what the kernel and the transport still hold for it. Either way it
reconnects with its last cursor and replays what it missed, so a slow reader loses nothing
and costs nobody else anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from starlette.types import Send

from compat import DirectFrames, open_websocket_transport

log = logging.getLogger("tandem.ws")
TRY_AGAIN_LATER = 1013
RESUME = "reconnect and resume from your last cursor"


def text_frame(text: str) -> bytes:
    """A complete, unmasked websocket text frame (what a server sends; RFC 6455 section 5.2)."""
    data = text.encode()
    size = len(data)
    if size < 126:
        return bytes((0x81, size)) + data
    if size < 65536:
        return b"\x81\x7e" + struct.pack("!H", size) + data
    return b"\x81\x7f" + struct.pack("!Q", size) + data


class Sender:
    __slots__ = ("_send", "_direct", "_backlog", "_draining", "max_backlog", "send_timeout", "closed", "on_close")

    def __init__(
        self,
        send: Send,
        *,
        max_backlog: int = 1000,
        send_timeout: float = 10.0,
        on_close: Callable[[], None] | None = None,
    ):
        self._send = send
        # Framing each subscriber's message through wsproto costs more than everything else the
        # fan-out does per subscriber; a frame made once per event and written as is costs a syscall.
        self._direct = DirectFrames.behind(send)
        self.on_close = on_close  # told once when this side closes: stop feeding it
        self._backlog: deque[str] | None = None  # messages waiting behind a suspended send
        self._draining: asyncio.Task | None = None
        self.max_backlog = max_backlog
        self.send_timeout = send_timeout  # how long a message (or the close) may wait for room
        self.closed = False

    @property
    def stalled(self) -> bool:
        """A send waits for room in the socket (and later messages wait behind it)."""
        return self._backlog is not None

    def send_text(self, text: str) -> None:
        if self.closed:
            return
        if self._backlog is not None:
            if len(self._backlog) >= self.max_backlog:
                self.close_soon(TRY_AGAIN_LATER, f"Too slow: {RESUME}")
                return
            self._backlog.append(text)
            return
        self._step(self._send({"type": "websocket.send", "text": text}))

    def write_frame(self, frame: bytes) -> bool:
        """Write a ready-made frame straight to the socket when that is safe now (open, writable,
        nothing queued before it); False means: send the text the ordinary way."""
        direct = self._direct
        if direct is None or self.closed or self._backlog is not None or not direct.writable():
            return False
        direct.write(frame)
        return True

    def _step(self, send: Coroutine[Any, Any, None]) -> None:
        try:
            waiting = send.send(None)
        except StopIteration:
            return  # written
        except Exception:  # the connection is gone: its receive loop will see the disconnect
            self.closed = True
            return
        self._backlog = deque()
        self._draining = asyncio.ensure_future(self._finish(send, waiting))

    async def _finish(self, send: Coroutine[Any, Any, None], waiting: Any) -> None:
        try:
            async with asyncio.timeout(self.send_timeout):
                await _resume(send, waiting)
            while self._backlog:
                async with asyncio.timeout(self.send_timeout):
                    await self._send({"type": "websocket.send", "text": self._backlog.popleft()})
        except TimeoutError:
            # No room for one message in all that time: the client stopped reading (a quiet feed
            # never fills the backlog, so this is what finds it there).
            self.close_soon(TRY_AGAIN_LATER, f"Too slow: {RESUME}")
        except Exception:
            self.closed = True
        finally:
            self._backlog = None
            self._draining = None

    def close_soon(self, code: int, reason: str) -> None:
        if self._mark_closed():
            if code == TRY_AGAIN_LATER:
                log.warning("closing a websocket with 1013: %s", reason)
            asyncio.ensure_future(self._close(code, reason))

    async def close(self, code: int, reason: str) -> None:
        if self._mark_closed():
            await self._close(code, reason)

    def _mark_closed(self) -> bool:
        if self.closed:
            return False
        self.closed = True
        if self.on_close is not None:
            self.on_close()
        return True

    async def _close(self, code: int, reason: str) -> None:
        if self._draining is not None:
            self._draining.cancel()  # what waits in the backlog goes with it
        try:
            async with asyncio.timeout(self.send_timeout):
                await self._send({"type": "websocket.close", "code": code, "reason": reason})
        except TimeoutError:  # no room for the close frame in all that time
            self.abort()
            return
        except Exception:  # the connection is gone, or closing on the client's initiative
            pass
        # A client that reads answers the close and the connection ends; one that does not would
        # keep it, and all that is queued for it, for ever.
        asyncio.get_running_loop().call_later(self.send_timeout, self.abort)

    def abort(self) -> None:
        """Reset the connection now, unless it has ended: nothing more is sent, nothing is kept.

        Through uvicorn's wsproto or websockets-sansio connection (`tandem serve` runs wsproto);
        behind anything else the ASGI close is all there is."""
        transport = open_websocket_transport(self._send)
        if transport is None:
            return  # ended (its socket may be closed and its number reused), or not uvicorn's
        log.warning("resetting a websocket connection whose client does not read")
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # Linger 0: closing sends a reset and the kernel drops the bytes it still holds for the
            # client (megabytes), instead of keeping an orphan socket that tries to deliver them.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()


async def _resume(coroutine: Coroutine[Any, Any, None], waiting: Any) -> None:
    """Run a coroutine that was stepped by hand and suspended on `waiting` to its end; cancelled,
    close it (it stops waiting: uvicorn's send leaves its writable event)."""
    try:
        while True:
            if waiting is None:  # a bare yield: give the loop one turn
                await asyncio.sleep(0)
            else:
                # The coroutine suspended on this future. Not `await waiting`: the future still carries
                # the mark of the coroutine's own await (a task would have cleared it), and awaiting a
                # future so marked fails at once ("await wasn't used with future").
                await asyncio.wait((waiting,))
            try:
                waiting = coroutine.send(None)
            except StopIteration:
                return
    finally:
        coroutine.close()
