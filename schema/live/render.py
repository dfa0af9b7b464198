"""Rendering one event for a subscription: execute its selection on the event, encode it once."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import DocumentNode, execute

from compat import graphql_schema
from db.read.events import Subjects
from domain.people import Person
from schema.events.types import EventNode
from schema.extensions import coded


class Rendered:
    """One event's payload for a whole group, encoded once. Transports may keep their own
    encodings of it (a websocket frame per operation id) in `encodings`."""

    __slots__ = ("json", "encodings")

    def __init__(self, json_text: str):
        self.json = json_text
        self.encodings: dict[str, bytes] = {}


@dataclass(frozen=True)
class Operation:
    """A validated subscription operation, as a client sent it."""

    document: DocumentNode
    variables: dict[str, Any] | None
    operation_name: str | None


def payload_renderer(
    schema: strawberry.Schema, operation: Operation, context_for: Callable[[Person], Any]
) -> Callable[[Any, Person], Any]:
    """(event row, viewer, what the hub read for the event's batch) -> the `next` payload, as
    `viewer` may see it."""

    async def render(row: Any, viewer: Person, subjects: Subjects | None = None) -> Rendered:
        context = context_for(viewer)
        if subjects is not None:
            prime(context.loaders, row, subjects)
        result = execute(
            graphql_schema(schema),
            operation.document,
            root_value=EventNode.from_row(row),
            context_value=context,
            variable_values=operation.variables,
            operation_name=operation.operation_name,
            executor_class=schema.execution_context_class,  # strawberry's, as its own execution uses
        )
        if inspect.isawaitable(result):
            result = await result
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [coded(e).formatted for e in result.errors]
        return Rendered(json.dumps(payload, separators=(",", ":"), default=str))

    return render


def prime(loaders: Any, row: Any, subjects: Subjects) -> None:
    """Hand the event's request and actor to this render's loaders, so rendering for many groups
    reads them once. Safe only for a viewer who may see the event: an event about a request is
    visible only with its request (db.read.visibility.event_visible), so the request loader,
    which applies the viewer's visibility, would have returned this very row."""
    if row.request_id in subjects.requests:
        loaders.request.prime(row.request_id, subjects.requests[row.request_id])
    if row.actor_id in subjects.people:
        loaders.person.prime(row.actor_id, subjects.people[row.actor_id])
