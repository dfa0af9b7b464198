"""Connections as JSON text in SQL: the same keyset pages as db.read.pages (same visible rows,
same order, one row more than the page to tell whether there is another), the same cursors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, DateTime, FromClause, Table, Text, and_, cast, func, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

from db import tables as t
from db.read import requests as read
from db.read.events import EVENT_ORDER
from db.read.pages import Order
from db.read.visibility import comment_visible, request_event_visible
from domain.people import Person
from schema.compiled import json_text as j
from schema.compiled.arguments import TIMESTAMP_KEYS, RequestsShape, WindowShape
from schema.compiled.objects import Build, object_json
from schema.compiled.planner import PlanField

R = t.requests
C = t.comments
E = t.events


def cursor_json(key: ColumnElement[Any], row_id: ColumnElement[Any], *, timestamp: bool) -> ColumnElement[str]:
    """db.read.pages.encode_cursor as SQL."""
    value = ['{"t":"', j.iso_text(key), '"}'] if timestamp else ['{"v":', cast(key, Text), "}"]
    return j.base64url(j.concat(["[", *value, ",", cast(row_id, Text), "]"]))


def requests_connection(f: PlanField, build: Build) -> ColumnElement[str]:
    """Query.requests: requests_page and requests_count of db.read.requests, in one statement."""
    shape = build.shapes[f.site]
    assert isinstance(shape, RequestsShape)
    order = read.request_order(shape.order_field, shape.descending)
    visible = read.visible_requests(build.viewer, shape.criteria)
    # The page probes visibility per row, the total with a hash (db.read.visibility._exists).
    scan = read.visible_requests(build.viewer, shape.criteria, per_row=True).with_only_columns(
        R.c.id,
        order.key.label("sort_key"),
        order.tiebreak.label("sort_id"),
        func.row_number().over(order_by=order.clauses()).label("rank"),
    )
    if shape.after:
        scan = scan.where(order.after(_cursor_params(f.site, build, timestamp=shape.order_field in TIMESTAMP_KEYS)))
    page = scan.order_by(*order.clauses()).limit(shape.size + 1).subquery("page")
    window = _Window(
        page, size=shape.size, backward=False, cursor=shape.after, timestamp=shape.order_field in TIMESTAMP_KEYS
    )

    def total() -> ColumnElement[Any]:
        return select(func.count()).select_from(visible.order_by(None).subquery()).scalar_subquery()

    def node(child: PlanField) -> ColumnElement[str]:
        return object_json("Request", child.children, R, build)

    return window.connection(f, row=R, join=R.c.id == page.c.id, total=total, node=node)


@dataclass(frozen=True)
class Nested:
    """A connection under a request (Request.comments, Request.activity): its rows, their order
    and cursors, and which of them a viewer may see of a request it already sees."""

    table: Table
    parent: ColumnElement[Any]  # the column naming the request
    order: Order
    node_type: str
    timestamp: bool  # cursors carry a timestamp (else an integer)
    visible: Callable[[Person, FromClause], ColumnElement[bool]]


COMMENTS = Nested(
    table=C,
    parent=C.c.request_id,
    order=read.COMMENT_ORDER,
    node_type="Comment",
    timestamp=True,
    visible=lambda viewer, request: comment_visible(viewer, C, request),
)
ACTIVITY = Nested(
    table=E,
    parent=E.c.request_id,
    order=EVENT_ORDER,
    node_type="Event",
    timestamp=False,
    visible=lambda viewer, request: request_event_visible(viewer, E, request),
)
NESTED = {"comments": COMMENTS, "activity": ACTIVITY}


def nested_connection(f: PlanField, request: FromClause, build: Build) -> ColumnElement[str]:
    """One request's page and count, as comment_pages/comment_counts of db.read.requests and
    activity_pages/activity_counts of db.read.events read them."""
    nested = NESTED[f.name]
    shape = build.shapes[f.site]
    assert isinstance(shape, WindowShape)
    order, table = nested.order, nested.table
    scan_order = Order(order.key, order.tiebreak, descending=not order.descending) if shape.backward else order
    visible = and_(nested.parent == request.c.id, nested.visible(build.viewer, request))
    scan = select(
        *table.c,
        order.key.label("sort_key"),
        order.tiebreak.label("sort_id"),
        func.row_number().over(order_by=scan_order.clauses()).label("rank"),
    ).where(visible)
    if shape.cursor:
        scan = scan.where(scan_order.after(_cursor_params(f.site, build, timestamp=nested.timestamp)))
    # A subquery in FROM is not correlated on its own: the request is the enclosing one.
    page = scan.order_by(*scan_order.clauses()).limit(shape.size + 1).correlate(request).subquery(f"{f.name}_page")
    window = _Window(page, size=shape.size, backward=shape.backward, cursor=shape.cursor, timestamp=nested.timestamp)

    def total() -> ColumnElement[Any]:
        return select(func.count()).select_from(table).where(visible).correlate_except(table).scalar_subquery()

    def node(child: PlanField) -> ColumnElement[str]:
        return object_json(nested.node_type, child.children, page, build)

    return window.connection(f, row=page, join=None, total=total, node=node)


def _cursor_params(site: int, build: Build, *, timestamp: bool) -> tuple[Any, Any]:
    key_type = DateTime(timezone=True) if timestamp else BigInteger
    return build.param(f"cursor_key_{site}", key_type), build.param(f"cursor_id_{site}", BigInteger)


class _Window:
    """One page of a connection: `size` rows kept of the `size + 1` scanned, ranked by the scan."""

    def __init__(self, page: FromClause, *, size: int, backward: bool, cursor: bool, timestamp: bool):
        self.page, self.size, self.backward, self.timestamp = page, size, backward, timestamp
        self.has_cursor = cursor
        self.kept = page.c.rank <= size
        # Backwards, rows are scanned newest first and handed back in the connection's order.
        self.output_order = page.c.rank.desc() if backward else page.c.rank.asc()

    def connection(self, f: PlanField, *, row: Any, join: Any, total: Any, node: Any) -> ColumnElement[str]:
        entries = []
        for child in f.children:
            if child.name == "__typename":
                value = j.quoted(j.const(f.type_name))
            elif child.name == "totalCount":
                value = j.integer(total())
            elif child.name == "pageInfo":
                value = self.page_info(child)
            else:
                value = j.array(self.edge(child, node), order_by=[self.output_order], where=self.kept)
            entries.append((child.key, value))
        source = self.page if join is None else self.page.join(row, join)
        # HAVING makes the page one group, so the select is a single row even when no aggregate is
        # asked for (only `totalCount`, or nothing under @skip).
        return select(j.obj(entries)).select_from(source).having(true()).scalar_subquery()

    def cursor(self) -> ColumnElement[str]:
        return cursor_json(self.page.c.sort_key, self.page.c.sort_id, timestamp=self.timestamp)

    def edge(self, edges: PlanField, node: Any) -> ColumnElement[str]:
        entries = []
        for child in edges.children:
            if child.name == "__typename":
                entries.append((child.key, j.quoted(j.const(edges.type_name))))
            elif child.name == "cursor":
                entries.append((child.key, j.quoted(self.cursor())))
            else:
                entries.append((child.key, node(child)))
        return j.obj(entries)

    def page_info(self, f: PlanField) -> ColumnElement[str]:
        more = func.count() > self.size
        given = j.const("true" if self.has_cursor else "false")
        has_next, has_previous = (given, j.boolean(more)) if self.backward else (j.boolean(more), given)
        values = {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": self.end(first=True),
            "endCursor": self.end(first=False),
        }
        return j.obj(
            [(c.key, j.quoted(j.const("PageInfo")) if c.name == "__typename" else values[c.name]) for c in f.children]
        )

    def end(self, *, first: bool) -> ColumnElement[str]:
        """The first (or last) kept row's cursor, in the connection's order; null for an empty page."""
        toward = self.page.c.rank.asc() if first != self.backward else self.page.c.rank.desc()
        cursors = func.array_agg(aggregate_order_by(self.cursor(), toward)).filter(self.kept)
        return j.quoted(cursors[1])
