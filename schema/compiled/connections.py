"""Connections as JSON text in SQL: the same keyset pages as db.read.pages (same visible rows,
same order, one row more than the page to tell whether there is another), the same cursors.

A connection's fields (`totalCount`, `pageInfo`, `edges`, an edge's `cursor` and `node`) are
written from its `Window`, the row their encoders are given; every field that returns a
connection brings these types with it (`connection`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    FromClause,
    Select,
    Subquery,
    Table,
    Text,
    and_,
    cast,
    func,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from db.read import pages
from db.read.pages import Order
from domain.people import Person
from schema.compiled import json_text as j
from schema.compiled.arguments import Fallback, ListShape, WindowShape, bind_cursor, window_arguments
from schema.compiled.sql import Binder, Build, Encoder, FieldSql, Prefetch, Run, TypeSql, object_json

if TYPE_CHECKING:
    from schema.compiled.planner import PlanField


def cursor_key_type(order: Order) -> type:
    """What a cursor's key holds in `order`: datetime, int or str (as db.read.pages.fits reads it)."""
    python_type = order.key.type.python_type
    assert python_type in (datetime, int, str), order.key
    return python_type


def _key_type(timestamp: bool, given: type | None) -> type:
    return given if given is not None else (datetime if timestamp else int)


def cursor_json(
    key: ColumnElement[Any], row_id: ColumnElement[Any], *, timestamp: bool = False, key_type: type | None = None
) -> ColumnElement[str]:
    """db.read.pages.encode_cursor as SQL; the key a timestamp, an integer, or (`key_type=str`) a text."""
    kind = _key_type(timestamp, key_type)
    if kind is datetime:
        value = ['{"t":"', j.iso_text(key), '"}']
    elif kind is str:
        value = ['{"v":', j.ascii_string(key), "}"]
    else:
        value = ['{"v":', cast(key, Text), "}"]
    return j.base64url(j.concat(["[", *value, ",", cast(row_id, Text), "]"]))


_KEY_SQL_TYPES = {datetime: DateTime(timezone=True), int: BigInteger(), str: Text()}


def cursor_params(site: int, build: Build, *, timestamp: bool = False, key_type: type | None = None) -> tuple[Any, Any]:
    key_sql = _KEY_SQL_TYPES[_key_type(timestamp, key_type)]
    return build.param(f"cursor_key_{site}", key_sql), build.param(f"cursor_id_{site}", BigInteger)


class Window:
    """One page of a connection: `size` rows kept of the `size + 1` scanned (`page`, ranked by the
    scan), each node read from `node_row`; `total` counts every row of the connection."""

    def __init__(
        self,
        page: FromClause,
        *,
        node_row: Any,
        total: Callable[[], ColumnElement[Any]],
        size: int,
        backward: bool,
        cursor: bool,
        timestamp: bool = False,
        key_type: type | None = None,
    ):
        self.page, self.node_row, self.total = page, node_row, total
        self.size, self.backward, self.key_type = size, backward, _key_type(timestamp, key_type)
        self.has_cursor = cursor
        self.kept = page.c.rank <= size
        # Backwards, rows are scanned newest first and handed back in the connection's order.
        self.output_order = page.c.rank.desc() if backward else page.c.rank.asc()

    def connection(self, f: PlanField, build: Build, *, source: FromClause) -> ColumnElement[str]:
        # HAVING makes the page one group, so the select is a single row even when no aggregate is
        # asked for (only `totalCount`, or nothing under @skip).
        json = object_json(f.type_name, f.children, self, build)
        return select(json).select_from(source).having(true()).scalar_subquery()

    def cursor(self) -> ColumnElement[str]:
        return cursor_json(self.page.c.sort_key, self.page.c.sort_id, key_type=self.key_type)


class _PageInfoRow:
    """A connection's pageInfo, read from its window."""

    def __init__(self, window: Window):
        self.window = window
        more = j.boolean(func.count() > window.size)
        given = j.const("true" if window.has_cursor else "false")
        self.has_next, self.has_previous = (given, more) if window.backward else (more, given)

    def end(self, *, first: bool) -> ColumnElement[str]:
        """The first (or last) kept row's cursor, in the connection's order; null for an empty page."""
        page = self.window.page
        toward = page.c.rank.asc() if first != self.window.backward else page.c.rank.desc()
        cursors = func.array_agg(aggregate_order_by(self.window.cursor(), toward)).filter(self.window.kept)
        return j.quoted(cursors[1])


def _page_info(f: PlanField, window: Window, build: Build) -> ColumnElement[str]:
    return object_json("PageInfo", f.children, _PageInfoRow(window), build)


def _edges(f: PlanField, window: Window, build: Build) -> ColumnElement[str]:
    edge = object_json(f.type_name, f.children, window, build)
    return j.array(edge, order_by=[window.output_order], where=window.kept)


PAGE_INFO = TypeSql(
    "PageInfo",
    {
        "hasNextPage": FieldSql(lambda f, row, build: row.has_next, "Boolean!"),
        "hasPreviousPage": FieldSql(lambda f, row, build: row.has_previous, "Boolean!"),
        "startCursor": FieldSql(lambda f, row, build: row.end(first=True), "String"),
        "endCursor": FieldSql(lambda f, row, build: row.end(first=False), "String"),
    },
)


def connection_types(node_type: str) -> tuple[TypeSql, ...]:
    """`<node>Connection` and `<node>Edge` (schema.relay.Connection), and PageInfo."""
    return (
        TypeSql(
            f"{node_type}Connection",
            {
                "edges": FieldSql(_edges, f"[{node_type}Edge!]!"),
                "pageInfo": FieldSql(_page_info, "PageInfo!"),
                "totalCount": FieldSql(lambda f, window, build: j.integer(window.total()), "Int!"),
            },
        ),
        TypeSql(
            f"{node_type}Edge",
            {
                "cursor": FieldSql(lambda f, window, build: j.quoted(window.cursor()), "String!"),
                "node": FieldSql(
                    lambda f, window, build: object_json(node_type, f.children, window.node_row, build), f"{node_type}!"
                ),
            },
        ),
        PAGE_INFO,
    )


def connection(node_type: str, encode: Encoder, *, arguments: Binder) -> FieldSql:
    """A field returning `<node>Connection!`, written by `encode` through a `Window`."""
    return FieldSql(encode, f"{node_type}Connection!", arguments=arguments, brings=connection_types(node_type))


def nested(
    *,
    node_type: str,
    table: Table,
    parent: ColumnElement[Any],
    order: Order,
    visible: Callable[[Person, FromClause], ColumnElement[bool]],
    timestamp: bool | None = None,
) -> FieldSql:
    """A connection under an object (a request's comments): the rows of `table` whose `parent`
    column names the object, of them the ones `visible` to the viewer, in `order`, paged by
    first/after/last/before; cursors carry the order's key (`timestamp`, if given, must agree)."""
    kind = cursor_key_type(order)
    assert timestamp is None or timestamp == (kind is datetime), order.key

    def encode(f: PlanField, row: FromClause, build: Build) -> ColumnElement[str]:
        shape = build.shapes[f.bound_site]
        assert isinstance(shape, WindowShape)
        scan_order = Order(order.key, order.tiebreak, descending=not order.descending) if shape.backward else order
        shown = and_(parent == row.c.id, visible(build.viewer, row))
        scan = select(
            *table.c,
            order.key.label("sort_key"),
            order.tiebreak.label("sort_id"),
            func.row_number().over(order_by=scan_order.clauses()).label("rank"),
        ).where(shown)
        if shape.cursor:
            scan = scan.where(scan_order.after(cursor_params(f.bound_site, build, key_type=kind)))
        # A subquery in FROM is not correlated on its own: the object is the enclosing one.
        page = scan.order_by(*scan_order.clauses()).limit(shape.size + 1).correlate(row).subquery(f"{f.name}_page")

        def total() -> ColumnElement[Any]:
            return select(func.count()).select_from(table).where(shown).correlate_except(table).scalar_subquery()

        window = Window(
            page,
            node_row=page,
            total=total,
            size=shape.size,
            backward=shape.backward,
            cursor=shape.cursor,
            key_type=kind,
        )
        return window.connection(f, build, source=page)

    return connection(node_type, encode, arguments=window_arguments(key_type=kind))


# A root list's criteria from its arguments (strawberry's, converted), e.g. catalog's criteria_from;
# anything it raises makes normal execution answer (it raises the same error there).
Criteria = Callable[[dict[str, Any]], Hashable]


def keyset_page(
    selected: Select[Any],
    id_column: ColumnElement[Any],
    order: Order,
    *,
    after: ColumnElement[bool] | None,
    size: int,
    name: str,
) -> Subquery:
    """The page of `selected` in `order`, past the cursor (`after`): each row's id, its cursor's
    key and tiebreak, and its rank; one more row than the page keeps (hasNextPage)."""
    scan = selected.with_only_columns(
        id_column,
        order.key.label("sort_key"),
        order.tiebreak.label("sort_id"),
        func.row_number().over(order_by=order.clauses()).label("rank"),
    )
    if after is not None:
        scan = scan.where(after)
    return scan.order_by(*order.clauses()).limit(size + 1).subquery(name)


@dataclass(frozen=True)
class PagePrefetch:
    """A root list's Prefetch (schema.compiled.sql), from the page it reads: `select(page, build)`
    selects what `values` needs from `page`, the ids (`id`) of the page's rows."""

    select: Callable[[FromClause, Build], Select[Any]]
    values: Callable[[Sequence[Any], Run, dict[str, Any]], Awaitable[None]]


def root_list(
    node_type: str,
    *,
    table: Table,
    order: Order,
    rows: Callable[[Person, Any], Select[Any]],
    criteria: Criteria = lambda arguments: None,
    prefetch: PagePrefetch | None = None,
) -> FieldSql:
    """A root connection (`services(first, after, filter)`, db.read's `*_page` and `*_count`): the
    rows of `table` that `rows(viewer, criteria)` selects — db.read's own query, so the same
    visibility and filters — in `order`, paged by first/after, with db.read.pages' cursors.
    `criteria(arguments)` makes the list's criteria (hashable: the statement is kept per shape);
    `prefetch`, what the page's rows need read before the statement runs."""
    kind = cursor_key_type(order)

    def bind(site: int, arguments: dict[str, Any], params: dict[str, Any]) -> ListShape:
        first, after = arguments.get("first"), arguments.get("after")
        if first is not None and first < 0:
            raise Fallback("negative first")
        try:
            chosen = criteria(arguments)
        except Exception:  # noqa: BLE001 - normal execution raises it again, and answers it
            raise Fallback("criteria") from None
        if after is not None:
            bind_cursor(site, after, key_type=kind, params=params)
        return ListShape(criteria=chosen, size=pages.page_size(first), cursor=after is not None)

    def page(f: PlanField, build: Build) -> tuple[Select[Any], Subquery]:
        """The rows the list selects, and of them the page (one more row than it keeps)."""
        shape = build.shapes[f.bound_site]
        assert isinstance(shape, ListShape)
        selected = rows(build.viewer, shape.criteria)
        after = order.after(cursor_params(f.bound_site, build, key_type=kind)) if shape.cursor else None
        return selected, keyset_page(selected, table.c.id, order, after=after, size=shape.size, name=f"{f.name}_page")

    def encode(f: PlanField, row: Any, build: Build) -> ColumnElement[str]:
        shape = build.shapes[f.bound_site]
        assert isinstance(shape, ListShape)
        selected, listed = page(f, build)

        def total() -> ColumnElement[Any]:
            return select(func.count()).select_from(selected.order_by(None).subquery()).scalar_subquery()

        # The node is read from `table` itself (joined back by id): encoders may name its columns.
        window = Window(
            listed, node_row=table, total=total, size=shape.size, backward=False, cursor=shape.cursor, key_type=kind
        )
        return window.connection(f, build, source=listed.join(table, table.c.id == listed.c.id))

    list_sql = connection(node_type, encode, arguments=bind)
    if prefetch is None:
        return list_sql
    before = Prefetch(select=lambda f, build: prefetch.select(page(f, build)[1], build), values=prefetch.values)
    return replace(list_sql, prefetch=before)
