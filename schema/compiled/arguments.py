"""Binding a run's arguments: for every site of the plan, the shape that selects the SQL (page
size, direction, filter, whether a cursor is given) and the values bound as parameters.

Each field that takes arguments names its binder beside its SQL (`FieldSql.arguments`): the
requests list's in schema/requests/queries.py, node's in schema/nodes.py, nested pages' here
(`window_arguments`). The checks are normal execution's own (criteria_from, window, page_size,
decode_cursor): any argument that would make normal execution answer an error raises Fallback,
and normal execution then answers it, so both paths give the same errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from graphql import VariableValues, get_argument_values

from compat import convert_arguments, graphql_schema, strawberry_definition
from db.read import pages
from db.read import requests as read
from db.read.pages import BadCursor
from schema.errors import BadRequest
from schema.relay import window

if TYPE_CHECKING:
    from schema.compiled.planner import Plan, PlanField
    from schema.compiled.sql import Binder


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
class ListShape:
    """A root list's page (connections.root_list): its criteria select the rows, as db.read's."""

    criteria: Any  # hashable: the statement is kept per shape
    size: int
    cursor: bool  # `after` given


@dataclass(frozen=True)
class NodeShape:
    type_name: str | None  # the type the ID names (the statement is written for it); None: null


@dataclass(frozen=True)
class NodesShape:
    type_names: tuple[str | None, ...]  # per ID, the type it names (None: null, whatever it is)


Shape = RequestsShape | WindowShape | ListShape | NodeShape | NodesShape


def shapes_bytes(shapes: tuple[Shape, ...]) -> int:
    """What shapes hold beyond a few words, for the caches they key: a filter's text and lists."""
    total = 0
    for shape in shapes:
        total += 64
        if isinstance(shape, RequestsShape):
            criteria = shape.criteria
            total += len(criteria.search or "") + 8 * (len(criteria.statuses) + len(criteria.priorities))
        elif isinstance(shape, ListShape):
            total += len(repr(shape.criteria))
        elif isinstance(shape, NodesShape):
            total += 8 * len(shape.type_names)
    return total


def bind(schema: Any, plan: Plan, variables: VariableValues) -> tuple[tuple[Shape, ...], dict[str, Any]]:
    shapes: list[Shape] = []
    params: dict[str, Any] = {}
    for site in plan.sites:
        binder = site.sql.arguments
        assert binder is not None and site.site is not None
        shapes.append(binder(site.site, _arguments(schema, site, variables), params))
    return tuple(shapes), params


def _arguments(schema: Any, site: PlanField, variables: VariableValues) -> dict[str, Any]:
    definition = graphql_schema(schema).get_type(site.parent).fields[site.name]
    raw = get_argument_values(definition, site.details[0].node, variables)
    strawberry_field = strawberry_definition(definition)
    return convert_arguments(
        raw, strawberry_field.arguments, scalar_registry=schema.schema_converter.scalar_registry, config=schema.config
    )


def window_arguments(*, timestamp: bool = False, key_type: type | None = None) -> Binder:
    """first/after/last/before of a nested page whose cursors carry a timestamp (comments:
    created_at), an integer (activity: the event's sequence) or a text (`key_type=str`: names)."""

    def bind_window(site: int, arguments: dict[str, Any], params: dict[str, Any]) -> WindowShape:
        first, after, last, before = (arguments.get(k) for k in ("first", "after", "last", "before"))
        try:
            window(None, first=first, after=after, last=last, before=before)
        except BadRequest:
            raise Fallback("bad window") from None
        backward = last is not None or before is not None
        cursor = before if backward else after
        if cursor is not None:
            bind_cursor(site, cursor, timestamp=timestamp, key_type=key_type, params=params)
        size = pages.page_size(last if backward else first)
        return WindowShape(size=size, backward=backward, cursor=cursor is not None)

    return bind_window


def bind_cursor(
    site: int, cursor: str, *, timestamp: bool = False, key_type: type | None = None, params: dict[str, Any]
) -> None:
    """A cursor normal execution would reject, or whose values do not fit its order, falls back."""
    try:
        key, row_id = pages.decode_cursor(cursor)
    except BadCursor:
        raise Fallback("bad cursor") from None
    # pages.fits, as normal execution checks the cursor (and a null key, which it takes, falls back too).
    expected = key_type if key_type is not None else (datetime if timestamp else int)
    if not (pages.fits(key, expected) and pages.fits(row_id, int)):
        raise Fallback("cursor of another order")
    params[f"cursor_key_{site}"] = key
    params[f"cursor_id_{site}"] = row_id
