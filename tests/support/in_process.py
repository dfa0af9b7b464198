"""An ASGI app served by uvicorn in this process, on a free loopback port: what tests that need a
real socket (websocket frames, tracing, the app's own engine) run against."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

from tests.support.server import free_port


@contextlib.asynccontextmanager
async def uvicorn_serving(app: Any, **options: Any) -> AsyncIterator[uvicorn.Server]:
    """The server, started (its port: `server.config.port`); wsproto websockets without
    compression unless `options` say otherwise, and uvicorn's own logging config left alone."""
    options = {"log_config": None, "ws": "wsproto", "ws_per_message_deflate": False, **options}
    server = uvicorn.Server(uvicorn.Config(app, port=free_port(), **options))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield server
    finally:
        server.should_exit = True
        await task
