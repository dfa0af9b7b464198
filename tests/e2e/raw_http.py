"""HTTP/1.1 over a plain socket, for requests httpx refuses to send (header bytes that are not
UTF-8), and the server's log lines for one request, to check that nothing was logged as a failure."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

import h11

from tests.support.server import Server


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def raw_request(
    server: Server, request_line: bytes, headers: list[tuple[bytes, bytes]], body: bytes = b""
) -> RawResponse:
    """Send the bytes as they are; read the answer with h11 (a 101 Switching Protocols ends it)."""
    named = {name.lower() for name, _ in headers}
    lines = [
        request_line,
        b"Host: 127.0.0.1",
        *(name + b": " + value for name, value in headers),
        *([b"Content-Length: " + str(len(body)).encode()] if body else []),
        *([] if b"connection" in named else [b"Connection: close"]),
    ]
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        return _read(sock)


def _read(sock: socket.socket) -> RawResponse:
    connection = h11.Connection(h11.CLIENT)
    # h11 parses the answer to a request it sent: one that may be upgraded (a 101) or answered plainly
    connection.send(
        h11.Request(
            method="GET", target="/", headers=[("Host", "x"), ("Connection", "Upgrade"), ("Upgrade", "websocket")]
        )
    )
    response, body = None, b""
    while True:
        event = connection.next_event()
        if event is h11.NEED_DATA:
            connection.receive_data(sock.recv(65536))
        elif isinstance(event, (h11.Response, h11.InformationalResponse)):
            response = event
            if event.status_code == 101:
                break
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
            break
    headers = {name.decode().lower(): value.decode("latin-1") for name, value in response.headers}
    return RawResponse(status=response.status_code, headers=headers, body=body)


def logged_for(server: Server, request_id: str) -> list[dict[str, Any]]:
    """The server's log lines for one request, once its access line is written."""
    server.wait_for_log(lambda e: e.get("request_id") == request_id and e.get("logger") == "tandem.access")
    return [e for e in server.log_entries() if e.get("request_id") == request_id]


def assert_logged_no_failure(server: Server, request_id: str) -> None:
    """A client's mistake is logged as its access line only: no traceback, no warning, no error."""
    assert_no_failure(logged_for(server, request_id))


def assert_no_failure(lines: list[dict[str, Any]]) -> None:
    assert [e for e in lines if "exception" in e or "unparsed" in e or e.get("level") != "INFO"] == [], lines
