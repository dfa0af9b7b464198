"""Calling the real ASGI app in this process, with the same `Call`s the load generator sends."""

from __future__ import annotations

from starlette.types import ASGIApp, Message

from bench.http_client import Call, Reply
from bench.load import Send


def asgi_sender(app: ASGIApp) -> Send:
    async def send(call: Call) -> Reply:
        path, _, query = call.path.partition("?")
        headers = [(name.lower().encode(), value.encode()) for name, value in call.headers]
        headers += [(b"host", b"127.0.0.1"), (b"content-length", str(len(call.body)).encode())]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": call.method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        body_sent = False
        status, chunks = 0, []

        async def receive() -> Message:
            nonlocal body_sent
            if body_sent:
                return {"type": "http.disconnect"}
            body_sent = True
            return {"type": "http.request", "body": call.body, "more_body": False}

        async def reply(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, reply)
        return Reply(status, b"".join(chunks))

    return send
