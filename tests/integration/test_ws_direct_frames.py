"""The fan-out's direct frame path works against the real uvicorn it relies on: if an upgrade of
uvicorn changed what it reaches for, this fails instead of the bench quietly getting slower."""

from __future__ import annotations

import contextlib

import websockets

from api.ws_sender import Sender, text_frame
from tests.support.in_process import uvicorn_serving


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
    async with uvicorn_serving(app, log_level="warning", **options) as server:
        yield f"ws://127.0.0.1:{server.config.port}/"


async def test_frames_go_straight_to_uvicorns_wsproto_socket():
    async with serving(ws="wsproto", ws_per_message_deflate=False) as url, websockets.connect(url) as ws:
        assert await ws.recv() == "written directly"
        assert await ws.recv() == "direct=True"


async def test_with_per_message_deflate_frames_take_the_ordinary_path():
    async with serving(ws="wsproto", ws_per_message_deflate=True) as url, websockets.connect(url) as ws:
        assert await ws.recv() == "direct=False"
