"""What a portal or an app does with its access token: GraphQL over HTTP and over a websocket."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import websockets

from tests.e2e.client import post
from tests.e2e.live import ws_url

VIEWER = "{ viewer { email name role department { name } } }"
PROTOCOL = "graphql-transport-ws"


def viewer_over_http(http: httpx.Client, token: str) -> dict[str, Any]:
    response = post(http, VIEWER, token=token)
    assert response.status_code == 200, response.text
    return response.json()["data"]["viewer"]


async def signed_in_socket(url: str, token: str) -> Any:
    ws = await websockets.connect(ws_url(url), subprotocols=[PROTOCOL])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 15)) == {"type": "connection_ack"}
    return ws


async def ask_viewer(ws: Any, operation_id: str = "1") -> dict[str, Any]:
    await ws.send(json.dumps({"id": operation_id, "type": "subscribe", "payload": {"query": VIEWER}}))
    message = json.loads(await asyncio.wait_for(ws.recv(), 15))
    assert message["type"] == "next", message
    return message["payload"]["data"]["viewer"]


async def viewer_over_websocket(url: str, token: str) -> dict[str, Any]:
    ws = await signed_in_socket(url, token)
    try:
        return await ask_viewer(ws)
    finally:
        await ws.close()


async def refusal_over_websocket(url: str, token: str) -> tuple[int, str]:
    """The close code and reason a connection_init with this token gets."""
    async with websockets.connect(ws_url(url), subprotocols=[PROTOCOL]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 15)
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code, closed.rcvd.reason


def eventually(attempt: Callable[[], httpx.Response], *, seconds: float = 20) -> httpx.Response:
    """The first 200 `attempt` gets within `seconds` (a new key counts once Tandem's cooldown on
    refetching keys has passed), else its last answer."""
    deadline = time.monotonic() + seconds
    while True:
        response = attempt()
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.25)
