"""The fan-out's direct frame path works against the real uvicorn it relies on: if an upgrade of
uvicorn changed what it reaches for, this fails instead of the bench quietly getting slower."""

from __future__ import annotations

import asyncio
import contextlib

import uvicorn
import websockets

from api.ws_sender import Sender, text_frame
from tests.support.server import free_port


async def app(scope, receive, send):
    if scope["type"] != "websocket":
        return
    await receive()
    await send({"type": "websocket.accept"})
    sender = Sender(send)
    direct = sender.write_frame(text_frame("written directly"))
    sender.send_text(f"direct={direct}")
    await receive()


@contextlib.asynccontextmanager
async def serving(**options):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", **options))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        await task


async def test_frames_go_straight_to_uvicorns_wsproto_socket():
    async with serving(ws="wsproto", ws_per_message_deflate=False) as url, websockets.connect(url) as ws:
        assert await ws.recv() == "written directly"
        assert await ws.recv() == "direct=True"


async def test_with_per_message_deflate_frames_take_the_ordinary_path():
    async with serving(ws="wsproto", ws_per_message_deflate=True) as url, websockets.connect(url) as ws:
        assert await ws.recv() == "direct=False"
