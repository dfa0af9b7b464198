"""A TCP proxy in front of PostgreSQL that counts the client's round trips.

SQLAlchemy's statement events see the SQL an operation runs, but not the BEGIN, ROLLBACK and
pre-ping queries the driver and the pool add around it. Each round trip ends with a message
the server must answer: a simple Query ('Q') or an extended-protocol Sync ('S'). Counting
those on the wire counts everything, whatever layer sent it.
"""

from __future__ import annotations

import asyncio
import struct

from sqlalchemy.engine import make_url

ENCRYPTION_REQUESTS = {80877103, 80877104}  # SSLRequest, GSSENCRequest: declined, so the stream stays plain
ROUND_TRIP_ENDS = {b"Q", b"S"}


class RoundTripCounter:
    def __init__(self, database_url: str):
        self.target = make_url(database_url)
        self.round_trips = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> str:
        """Listen on a free local port; return the database URL that goes through the proxy."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        url = self.target.set(host="127.0.0.1", port=port, query={})
        return url.render_as_string(hide_password=False)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()

    async def _connect_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        socket_dir = self.target.query.get("host")
        port = self.target.port or 5432
        if isinstance(socket_dir, str) and socket_dir.startswith("/"):
            return await asyncio.open_unix_connection(f"{socket_dir}/.s.PGSQL.{port}")
        return await asyncio.open_connection(self.target.host or "127.0.0.1", port)

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await self._connect_upstream()
        pumps = [
            asyncio.ensure_future(self._client_to_server(client_reader, client_writer, upstream_writer)),
            asyncio.ensure_future(_copy(upstream_reader, client_writer)),
        ]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            client_writer.close()
            upstream_writer.close()

    async def _client_to_server(
        self, reader: asyncio.StreamReader, client: asyncio.StreamWriter, upstream: asyncio.StreamWriter
    ) -> None:
        # Untyped startup messages come first: (length, code, ...).
        while True:
            header = await reader.readexactly(8)
            length, code = struct.unpack("!ii", header)
            rest = await reader.readexactly(length - 8)
            if code in ENCRYPTION_REQUESTS:
                client.write(b"N")
                continue
            upstream.write(header + rest)
            break
        while True:  # then typed messages: (type, length, body)
            header = await reader.readexactly(5)
            body = await reader.readexactly(struct.unpack("!i", header[1:])[0] - 4)
            if header[:1] in ROUND_TRIP_ENDS:
                self.round_trips += 1
            upstream.write(header + body)


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while chunk := await reader.read(65536):
        writer.write(chunk)
        await writer.drain()
