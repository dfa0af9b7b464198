"""Binding a run's arguments: for every site of the plan, the shape that selects the SQL (page
size, direction, filter, whether a cursor is given) and the values bound as parameters.

The checks are normal execution's own (criteria_from, window, page_size, decode_cursor): any
argument that would make normal execution answer an error raises Fallback, and normal execution
then answers it, so both paths give the same errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graphql import GraphQLSchema
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.types.arguments import convert_arguments

from db.read import pages
from db.read import requests as read
from db.read.pages import BadCursor
from schema import ids
from schema.compiled.planner import NODE_TYPE, Plan, PlanField
from schema.errors import BadRequest
from schema.relay import window
from schema.requests.queries import _sort, criteria_from

TIMESTAMP_KEYS = frozenset({"CREATED_AT", "UPDATED_AT", "RESOLUTION_DUE_AT"})
# Nested connections paged by first/after/last/before: whether their cursors carry a timestamp
# (comments: created_at) or an integer (activity: the event's sequence).
WINDOW_CURSORS = {"comments": True, "activity": False}


class Fallback(Exception):
    """This run's arguments need normal execution (it answers them with an error)."""


@dataclass(frozen=True)
class RequestsShape:
    criteria: read.RequestCriteria
    order_field: str
    descending: bool
    size: int
    after: bool


@dataclass(frozen=True)
class WindowShape:
    size: int
    backward: bool
    cursor: bool  # `after` forwards, `before` backwards


@dataclass(frozen=True)
class NodeShape:
    pass


Shape = RequestsShape | WindowShape | NodeShape


def shapes_bytes(shapes: tuple[Shape, ...]) -> int:
    """What shapes hold beyond a few words, for the caches they key: a filter's text and lists."""
    total = 0
    for shape in shapes:
        total += 64
        if isinstance(shape, RequestsShape):
            criteria = shape.criteria
            total += len(criteria.search or "") + 8 * (len(criteria.statuses) + len(criteria.priorities))
    return total


def bind(schema: Any, plan: Plan, variables: VariableValues) -> tuple[tuple[Shape, ...], dict[str, Any]]:
    shapes: list[Shape] = []
    params: dict[str, Any] = {}
    for site in plan.sites:
        arguments = _arguments(schema, site, variables)
        if site.name == "requests":
            shape = _requests(site.site, arguments, params)
        elif site.name in WINDOW_CURSORS:
            shape = _window(site.site, arguments, params, timestamp=WINDOW_CURSORS[site.name])
        else:
            shape = _node(site.site, arguments, params)
        shapes.append(shape)
    return tuple(shapes), params


def _arguments(schema: Any, site: PlanField, variables: VariableValues) -> dict[str, Any]:
    graphql_schema: GraphQLSchema = schema._schema
    definition = graphql_schema.get_type(site.parent).fields[site.name]
    raw = get_argument_values(definition, site.details[0].node, variables)
    strawberry_field = definition.extensions["strawberry-definition"]
    return convert_arguments(
        raw, strawberry_field.arguments, scalar_registry=schema.schema_converter.scalar_registry, config=schema.config
    )


def _requests(site: int, arguments: dict[str, Any], params: dict[str, Any]) -> RequestsShape:
    first, after = arguments.get("first"), arguments.get("after")
    if first is not None and first < 0:
        raise Fallback("negative first")
    order_field, descending = _sort(arguments.get("order_by"))
    if after is not None:
        _cursor(site, after, timestamp=order_field in TIMESTAMP_KEYS, params=params)
    return RequestsShape(
        criteria=criteria_from(arguments.get("filter")),
        order_field=order_field,
        descending=descending,
        size=pages.page_size(first),
        after=after is not None,
    )


def _window(site: int, arguments: dict[str, Any], params: dict[str, Any], *, timestamp: bool) -> WindowShape:
    first, after, last, before = (arguments.get(k) for k in ("first", "after", "last", "before"))
    try:
        window(None, first=first, after=after, last=last, before=before)
    except BadRequest:
        raise Fallback("bad window") from None
    backward = last is not None or before is not None
    cursor = before if backward else after
    if cursor is not None:
        _cursor(site, cursor, timestamp=timestamp, params=params)
    return WindowShape(size=pages.page_size(last if backward else first), backward=backward, cursor=cursor is not None)


def _node(site: int, arguments: dict[str, Any], params: dict[str, Any]) -> NodeShape:
    parsed = ids.parse(arguments["id"])
    if parsed is None or parsed[0] != NODE_TYPE:
        raise Fallback("node of another type")
    params[f"node_{site}"] = parsed[1]
    return NodeShape()


def _cursor(site: int, cursor: str, *, timestamp: bool, params: dict[str, Any]) -> None:
    """A cursor normal execution would reject, or whose values do not fit its order, falls back."""
    try:
        key, row_id = pages.decode_cursor(cursor)
    except BadCursor:
        raise Fallback("bad cursor") from None
    # pages.fits, as normal execution checks the cursor (and a null key, which it takes, falls back too).
    if not (pages.fits(key, datetime if timestamp else int) and pages.fits(row_id, int)):
        raise Fallback("cursor of another order")
    params[f"cursor_key_{site}"] = key
    params[f"cursor_id_{site}"] = row_id
