"""A lean graphql-transport-ws client for thousands of connections on one core.

A general websocket client spends more time per message than the server under test would,
and then measures itself. This one is an asyncio Protocol that does only what the benchmark
needs: the upgrade, connection_init, one subscribe, pong, and a timestamp per `next` frame.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
import time
from collections.abc import Callable


def _frame(data: str | bytes, opcode: int = 0x1) -> bytes:
    """A masked frame, text by default (clients must mask)."""
    payload = data.encode() if isinstance(data, str) else data
    mask = os.urandom(4)
    header = bytearray([0x80 | opcode])
    n = len(payload)
    if n < 126:
        header.append(0x80 | n)
    elif n < 65536:
        header.append(0x80 | 126)
        header += struct.pack("!H", n)
    else:
        header.append(0x80 | 127)
        header += struct.pack("!Q", n)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes(header) + mask + masked


class Subscriber(asyncio.Protocol):
    def __init__(
        self,
        *,
        host: str,
        port: int,
        init: dict,
        subscribe: dict,
        on_next: Callable[[float], None],
        ready: asyncio.Future,
    ):
        self.host, self.port = host, port
        self.init, self.subscribe = init, subscribe
        self.on_next = on_next
        self.ready = ready
        self.buffer = b""
        self.upgraded = False
        self.transport: asyncio.Transport | None = None
        self.closed_code: int | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            (
                f"GET /graphql HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
            ).encode()
        )

    def data_received(self, data: bytes) -> None:
        arrived = time.perf_counter()
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in self.buffer[:end].split(b"\r\n")[0]:
                self._fail(f"upgrade refused: {self.buffer[:end][:200]!r}")
                return
            self.buffer = self.buffer[end + 4 :]
            self.upgraded = True
            self.transport.write(_frame(json.dumps({"type": "connection_init", "payload": self.init})))
        self._frames(arrived)

    def _frames(self, arrived: float) -> None:
        while len(self.buffer) >= 2:
            b1, b2 = self.buffer[0], self.buffer[1]
            length, offset = b2 & 0x7F, 2
            if length == 126:
                if len(self.buffer) < 4:
                    return
                length, offset = struct.unpack("!H", self.buffer[2:4])[0], 4
            elif length == 127:
                if len(self.buffer) < 10:
                    return
                length, offset = struct.unpack("!Q", self.buffer[2:10])[0], 10
            if len(self.buffer) < offset + length:
                return
            payload, self.buffer = self.buffer[offset : offset + length], self.buffer[offset + length :]
            self._message(b1 & 0x0F, payload, arrived)

    def _message(self, opcode: int, payload: bytes, arrived: float) -> None:
        if opcode == 0x8:
            self.closed_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            self._fail(f"closed {self.closed_code} {payload[2:]!r}")
        elif opcode == 0x9:
            self.transport.write(_frame(payload, opcode=0xA))  # a pong echoes its ping's data
        elif b'"next"' in payload:
            self.on_next(arrived)
        elif b'"connection_ack"' in payload:
            self.transport.write(_frame(json.dumps({"type": "subscribe", "id": "1", "payload": self.subscribe})))
            if not self.ready.done():
                self.ready.set_result(True)
        elif b'"ping"' in payload:
            self.transport.write(_frame('{"type":"pong"}'))
        elif b'"error"' in payload:
            self._fail(payload[:300].decode(errors="replace"))

    def _fail(self, why: str) -> None:
        if not self.ready.done():
            self.ready.set_exception(RuntimeError(why))

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(f"connection lost: {exc}")
