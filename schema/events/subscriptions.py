"""The `events` feed: replay after a cursor, then live, as the viewer may see it."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

import strawberry

from domain.errors import NotFound
from domain.people import Person
from schema import ids
from schema.errors import ApiError, BadRequest
from schema.events.types import EventNode, parse_event_cursor
from schema.live.audience import Audience
from schema.live.changes import LiveUnavailable
from schema.permissions import root_subscription


@dataclass(frozen=True)
class FeedFilter:
    after: int | None
    request_id: int | None
    department_id: int | None


async def feed_filter(context: Any, *, after: str | None, request_id: str | None,
                      department_id: str | None) -> FeedFilter:
    """The arguments checked: a bad cursor is BAD_USER_INPUT; a request the viewer may not see
    and an unknown department are NOT_FOUND, as in queries."""
    seq = None
    if after is not None:
        seq = parse_event_cursor(after)
        if seq is None:
            raise BadRequest("`after` is not an event cursor.")
    try:
        request = ids.decode_optional(request_id, "Request", field="requestId")
        department = ids.decode_optional(department_id, "Department", field="departmentId")
    except NotFound as error:
        raise ApiError(error.message, "NOT_FOUND") from None
    # Loaders only when an ID needs checking: thousands of plain feeds join without them.
    if request is not None and await context.loaders.request.load(request) is None:
        raise ApiError("No request has this ID.", "NOT_FOUND")
    if department is not None and await context.loaders.department.load(department) is None:
        raise ApiError("No department has this ID.", "NOT_FOUND")
    return FeedFilter(seq, request, department)


async def _as_node(row, viewer: Person) -> EventNode:
    return EventNode.from_row(row)


@strawberry.type
class EventSubscriptions:
    @root_subscription(description="Everything the viewer may see (or one request's, or one department's), "
                                   "replaying from `after` (an Event cursor) before going live: in sequence "
                                   "order, with no gap and no duplicate.")
    async def events(self, info: strawberry.Info, after: str | None = None, request_id: strawberry.ID | None = None,
                     department_id: strawberry.ID | None = None) -> AsyncGenerator[EventNode, None]:
        context = info.context
        hub = context.hub
        if hub is None:
            raise LiveUnavailable()
        viewer = context.require_viewer()
        wanted = await feed_filter(context, after=after, request_id=request_id, department_id=department_id)
        queue: asyncio.Queue[EventNode] = asyncio.Queue()
        # Its own group: this path (any transport but our websocket endpoint) shares nothing.
        member = await hub.join(key=object(), audience=Audience(("person", viewer.id), viewer, shared=False),
                                render=_as_node, viewer=viewer, sink=queue.put_nowait,
                                request_id=wanted.request_id, department_id=wanted.department_id,
                                after=wanted.after)
        try:
            while True:
                node = await queue.get()
                context.refresh()  # each event's request and people are read as they are now
                yield node
        finally:
            hub.leave(member)
