"""The baseline: a bare strawberry subscription, one asyncio.Queue per subscriber, served by
strawberry's own graphql-transport-ws handler. POST /publish puts one event in every queue.

What the issue measured as "a bare strawberry subscription"; the same payload shape as the
Tandem feed in the benchmark, with no database and no visibility rules.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import UTC, datetime

import strawberry
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL

QUEUES: set[asyncio.Queue] = set()
COUNTER = [0]


@strawberry.type
class Person:
    name: str


@strawberry.type
class Request:
    number: str
    title: str
    status: str


@strawberry.type
class Event:
    cursor: str
    type: str
    summary: str
    occurred_at: datetime
    request: Request | None
    actor: Person | None


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def events(self) -> AsyncGenerator[Event, None]:
        queue: asyncio.Queue = asyncio.Queue()
        QUEUES.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            QUEUES.discard(queue)


async def publish(request) -> JSONResponse:
    COUNTER[0] += 1
    event = Event(
        cursor=f"c{COUNTER[0]}",
        type="CommentAdded",
        summary="Commented: benchmark",
        occurred_at=datetime.now(UTC),
        request=Request(number="REQ-1001", title="Benchmark request", status="IN_PROGRESS"),
        actor=Person(name="Emma Employee"),
    )
    for queue in list(QUEUES):
        queue.put_nowait(event)
    return JSONResponse({"subscribers": len(QUEUES)})


graphql = GraphQL(strawberry.Schema(query=Query, subscription=Subscription))
app = Starlette(
    routes=[
        Route("/publish", publish, methods=["POST"]),
        Route("/graphql", graphql),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", lambda r: JSONResponse({})),
    ]
)
