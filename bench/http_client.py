"""A minimal keep-alive HTTP/1.1 client for the load generator.

httpx spends a few hundred microseconds of Python per request; on the one core the load
generator gets, that would cap the rate below what `tandem serve` answers for /healthz, and
baseline A would measure the client. This client only writes a request and reads a
Content-Length (or chunked) response on one connection: enough for uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes


class ProtocolError(Exception):
    pass


class KeepAliveConnection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def send(self, call: Call) -> Reply:
        if self._writer is None or self._writer.is_closing():
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        try:
            return await self._exchange(call)
        except BaseException:
            self.close()  # a half-read response leaves the connection unusable
            raise

    async def _exchange(self, call: Call) -> Reply:
        extra = "".join(f"{name}: {value}\r\n" for name, value in call.headers)
        head = (
            f"{call.method} {call.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Length: {len(call.body)}\r\n{extra}\r\n"
        )
        self._writer.write(head.encode() + call.body)
        raw = await self._reader.readuntil(b"\r\n\r\n")
        status, headers = _parse_head(raw)
        if "content-length" in headers:
            body = await self._reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._read_chunked()
        else:
            raise ProtocolError("response with neither Content-Length nor chunked encoding")
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Reply(status, body)

    async def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await self._reader.readexactly(size + 2)
            if size == 0:
                return b"".join(parts)
            parts.append(chunk[:-2])

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


def _parse_head(raw: bytes) -> tuple[int, dict[str, str]]:
    lines = raw.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split(" ", 2)[1])
    except (IndexError, ValueError):
        raise ProtocolError(f"bad status line {lines[0]!r}") from None
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return status, headers
