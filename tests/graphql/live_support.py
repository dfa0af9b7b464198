"""An in-process broker and hub for subscription tests, and a way to watch what they deliver."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from db.broker import EventBroker
from domain.people import Person
from schema.context import Context
from schema.live.audience import audience_for, selected_field_names
from schema.live.hub import EventHub
from schema.live.render import Operation, payload_renderer
from tests.support.api import SCHEMA, Api


class LiveApi(Api):
    """Api whose commits wake a real broker (as the server's do) and whose contexts carry the hub."""

    def __init__(self, engine, broker: EventBroker, hub: EventHub):
        super().__init__(engine)
        self.broker, self.hub = broker, hub

    def context(self, viewer: Person | None) -> Context:
        return Context(
            engine=self.engine,
            viewer=viewer,
            clock=self.clock,
            on_commit=self.broker.announce,
            broker=self.broker,
            hub=self.hub,
        )

    async def run(self, query: str, viewer: Person | None, **variables: Any):
        return await SCHEMA.execute(query, variable_values=variables or None, context_value=self.context(viewer))

    async def subscribe(self, query: str, viewer: Person, **variables: Any) -> Subscription:
        results = await SCHEMA.subscribe(query, variable_values=variables or None, context_value=self.context(viewer))
        return Subscription(results)


class Subscription:
    def __init__(self, results: Any):
        self.results = results
        self.received: asyncio.Queue = asyncio.Queue()
        self.task = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        if not hasattr(self.results, "__aiter__"):
            await self.received.put(self.results)
            return
        async for result in self.results:
            await self.received.put(result)

    async def take(self, count: int = 1, timeout: float = 10) -> list[Any]:
        return [await asyncio.wait_for(self.received.get(), timeout) for _ in range(count)]

    async def nothing_more(self, wait: float = 0.5) -> bool:
        await asyncio.sleep(wait)
        return self.received.empty()

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task
        if hasattr(self.results, "aclose"):
            await self.results.aclose()


class CountingRender:
    """Wraps the real renderer to count executions: the point of sharing is that there are few."""

    def __init__(self, engine, query: str):
        from graphql import parse

        self.document = parse(query)
        self.field_names = selected_field_names(self.document)
        self.calls = 0
        context_for = lambda viewer: Context(engine=engine, viewer=viewer)  # noqa: E731
        self._render = payload_renderer(SCHEMA, Operation(self.document, None, None), context_for)

    async def __call__(self, row: Any, viewer: Person, subjects: Any = None):
        self.calls += 1
        return await self._render(row, viewer, subjects)


class Inbox:
    """A member's sink: the decoded payloads it was handed."""

    def __init__(self):
        self.payloads: list[dict] = []

    def __call__(self, rendered) -> None:
        self.payloads.append(json.loads(rendered.json))


async def join(
    hub: EventHub,
    viewer: Person,
    render: CountingRender,
    *,
    query: str,
    after: int | None = None,
    request_id: int | None = None,
    department_id: int | None = None,
) -> tuple[Any, Inbox]:
    inbox = Inbox()
    audience = audience_for(viewer, render.field_names)
    member = await hub.join(
        key=(query, request_id, department_id, audience.key),
        audience=audience,
        render=render,
        viewer=viewer,
        sink=inbox,
        request_id=request_id,
        department_id=department_id,
        after=after,
    )
    return member, inbox
