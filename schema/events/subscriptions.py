"""The `events` feed: replay after a cursor, then live, as the viewer may see it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

import strawberry

from domain.people import Person
from schema import ids
from schema.context import Info
from schema.errors import BadRequest
from schema.events.types import EventNode, parse_event_cursor
from schema.live.audience import Audience
from schema.live.changes import LiveUnavailable
from schema.permissions import root_subscription


@dataclass(frozen=True)
class FeedFilter:
    after: int | None
    request_id: int | None
    department_id: int | None


async def feed_filter(
    context: Any, *, after: str | None, request_id: str | None, department_id: str | None
) -> FeedFilter:
    """The arguments checked: a bad cursor is BAD_USER_INPUT; a request the viewer may not see
    and an unknown department are NOT_FOUND, as in queries."""
    seq = None
    if after is not None:
        seq = parse_event_cursor(after)
        if seq is None:
            raise BadRequest("`after` is not an event cursor.")
    # Loaders only when an ID needs checking: thousands of plain feeds join without them.
    request = department = None
    if request_id is not None:
        request = await ids.visible_id(request_id, "Request", field="requestId", load=context.loaders.request.load)
    if department_id is not None:
        department = await ids.visible_id(
            department_id, "Department", field="departmentId", load=context.loaders.department.load
        )
    return FeedFilter(seq, request, department)


async def _as_node(row, viewer: Person, subjects: object = None) -> EventNode:
    return EventNode.from_row(row)


@strawberry.type
class EventSubscriptions:
    @root_subscription(
        description="Everything the viewer may see (or one request's, or one department's), "
        "replaying from `after` (an Event cursor) before going live: in sequence "
        "order, with no gap and no duplicate."
    )
    async def events(
        self,
        info: Info,
        after: str | None = None,
        request_id: strawberry.ID | None = None,
        department_id: strawberry.ID | None = None,
    ) -> AsyncGenerator[EventNode, None]:
        context = info.context
        if context.hub is None:
            raise LiveUnavailable()
        viewer = context.require_viewer()
        # Checked before the stream exists: a hidden ID fails the subscription itself (an `error`
        # message), rather than its first result (a `next` without data).
        wanted = await feed_filter(context, after=after, request_id=request_id, department_id=department_id)
        return _feed(context, viewer, wanted)


async def _feed(context: Any, viewer: Person, wanted: FeedFilter) -> AsyncGenerator[EventNode, None]:
    hub = context.hub
    queue: asyncio.Queue[EventNode] = asyncio.Queue()
    # Its own group: this path (any transport but our websocket endpoint's hub path) shares nothing.
    member = await hub.join(
        key=object(),
        audience=Audience(("person", viewer.id), viewer, shared=False),
        render=_as_node,
        viewer=viewer,
        sink=queue.put_nowait,
        request_id=wanted.request_id,
        department_id=wanted.department_id,
        after=wanted.after,
    )
    try:
        while True:
            node = await queue.get()
            context.refresh()  # each event's request and people are read as they are now
            yield node
    finally:
        hub.leave(member)
