"""Subscriptions over a real websocket, with the `gql` package's graphql-transport-ws client."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

EVENTS = """subscription($after: String, $requestId: ID, $departmentId: ID) {
  events(after: $after, requestId: $requestId, departmentId: $departmentId) {
    cursor type summary request { id number } actor { email } } }"""


def ws_url(http_url: str) -> str:
    return http_url.replace("http://", "ws://") + "/graphql"


@contextlib.asynccontextmanager
async def live_session(base_url: str, token: str) -> AsyncIterator[Any]:
    transport = WebsocketsTransport(
        url=ws_url(base_url),
        init_payload={"authorization": f"Bearer {token}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    async with Client(transport=transport) as session:
        yield session


class Feed:
    """A running subscription whose results pile up in a queue, so a test can act meanwhile."""

    def __init__(self, session: Any, query: str = EVENTS, **variables: Any):
        self.received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        request = GraphQLRequest(query, variable_values=variables or None)
        self.task = asyncio.create_task(self._pump(session.subscribe(request)))

    async def _pump(self, results: AsyncIterator[dict[str, Any]]) -> None:
        async for result in results:
            await self.received.put(result)

    async def take(self, count: int, timeout: float = 15) -> list[dict[str, Any]]:
        return [await asyncio.wait_for(self.received.get(), timeout) for _ in range(count)]

    async def nothing_more(self, wait: float = 0.7) -> bool:
        await asyncio.sleep(wait)
        return self.received.empty()

    def drain(self) -> None:
        while not self.received.empty():
            self.received.get_nowait()

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task


async def until_live(feeds: list[Feed], publish: Any, *, attempts: int = 30) -> None:
    """Publish (a coroutine function) until every feed has received something, then forget it
    all: a subscription without a cursor only sees what commits after it has joined, and a loaded
    machine may take a while to join them all."""
    for _ in range(attempts):
        await publish()
        await asyncio.sleep(0.5)
        if all(not feed.received.empty() for feed in feeds):
            for feed in feeds:
                feed.drain()
            return
    raise AssertionError("the subscriptions never went live")
