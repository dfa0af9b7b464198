"""Keyset pagination: opaque cursors over (sort key, id), one page or one per parent."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.moments import storable

MAX_PAGE = 100


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Order:
    """Sort by `key` then by `tiebreak` (the id), both in one direction."""

    key: ColumnElement[Any]
    tiebreak: ColumnElement[Any]
    descending: bool = False

    def clauses(self) -> list[ColumnElement[Any]]:
        if self.descending:
            return [self.key.desc(), self.tiebreak.desc()]
        return [self.key.asc(), self.tiebreak.asc()]

    def after(self, cursor: tuple[Any, Any]) -> ColumnElement[bool]:
        pair = tuple_(self.key, self.tiebreak)
        return pair < tuple_(*cursor) if self.descending else pair > tuple_(*cursor)

    def after_cursor(self, cursor: str) -> ColumnElement[bool]:
        """Rows past an opaque cursor; BadCursor for one that decodes but is not of this order (its
        values of other types, or out of the column's range): never a database error."""
        key, row_id = decode_cursor(cursor)
        # A null key is genuine: the page ended on a row whose key column is null.
        if not ((key is None or fits(key, self.key.type.python_type)) and fits(row_id, self.tiebreak.type.python_type)):
            raise BadCursor(f"Not a cursor: {cursor!r}")
        return self.after((key, row_id))


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    cursors: list[str]
    has_next: bool
    has_previous: bool


def encode_cursor(key: Any, row_id: Any) -> str:
    value = {"t": key.isoformat()} if isinstance(key, datetime) else {"v": key}
    raw = json.dumps([value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, row_id = json.loads(raw)
        key = datetime.fromisoformat(value["t"]) if "t" in value else value["v"]
        return key, row_id
    except (ValueError, TypeError, KeyError, RecursionError) as error:  # RecursionError: [[[[...]]]]
        raise BadCursor(f"Not a cursor: {cursor!r}") from error


def fits(value: Any, python_type: type) -> bool:
    """Whether a decoded cursor value can stand for a column of `python_type` in SQL: an int within
    bigint, an aware datetime within what both Python and timestamptz hold, text without NUL."""
    if python_type is int:
        return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
    if python_type is datetime:
        return isinstance(value, datetime) and storable(value)
    if python_type is str:
        return isinstance(value, str) and "\x00" not in value
    return False


def page_size(first: int | None, default: int = 20) -> int:
    if first is None:
        return default
    if first < 0:
        raise ValueError("`first` must not be negative.")
    return min(first, MAX_PAGE)


def _page(rows: Sequence[Any], size: int, has_previous: bool) -> Page:
    kept = list(rows[:size])
    return Page(
        rows=kept,
        cursors=[encode_cursor(r.sort_key, r.sort_id) for r in kept],
        has_next=len(rows) > size,
        has_previous=has_previous,
    )


async def fetch_page(
    conn: AsyncConnection, query: Select[Any], *, order: Order, first: int | None, after: str | None
) -> Page:
    """`query` selects the rows; the sort key is added as `sort_key`."""
    size = page_size(first)
    query = query.add_columns(order.key.label("sort_key"), order.tiebreak.label("sort_id"))
    if after is not None:
        query = query.where(order.after_cursor(after))
    rows = (await conn.execute(query.order_by(*order.clauses()).limit(size + 1))).all()
    return _page(rows, size, has_previous=after is not None)


async def fetch_pages_by_parent(
    conn: AsyncConnection,
    query: Select[Any],
    *,
    parent: ColumnElement[Any],
    parent_ids: Sequence[Any],
    order: Order,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> dict[Any, Page]:
    """The same page for many parents in one statement (a window per parent).

    `last`/`before` page backwards (Relay): the newest comments of each request, in order.
    """
    backward = last is not None or before is not None
    size = page_size(last if backward else first)
    scan = Order(order.key, order.tiebreak, descending=not order.descending) if backward else order
    rank = func.row_number().over(partition_by=parent, order_by=scan.clauses()).label("rank")
    inner = query.add_columns(
        order.key.label("sort_key"), order.tiebreak.label("sort_id"), parent.label("parent_id"), rank
    )
    inner = inner.where(parent.in_(list(parent_ids)))
    cursor = before if backward else after
    if cursor is not None:
        inner = inner.where(scan.after_cursor(cursor))
    ranked = inner.subquery()
    rows = (
        await conn.execute(select(ranked).where(ranked.c.rank <= size + 1).order_by(ranked.c.parent_id, ranked.c.rank))
    ).all()
    grouped: dict[Any, list[Any]] = {pid: [] for pid in parent_ids}
    for row in rows:
        grouped[row.parent_id].append(row)
    if not backward:
        return {pid: _page(grouped[pid], size, has_previous=after is not None) for pid in parent_ids}
    return {pid: _backward_page(grouped[pid], size, has_next=before is not None) for pid in parent_ids}


def _backward_page(rows: Sequence[Any], size: int, has_next: bool) -> Page:
    """Rows scanned newest-first, handed back in the connection's own order."""
    kept = list(reversed(rows[:size]))
    return Page(
        rows=kept,
        cursors=[encode_cursor(r.sort_key, r.sort_id) for r in kept],
        has_next=has_next,
        has_previous=len(rows) > size,
    )


async def count(conn: AsyncConnection, query: Select[Any]) -> int:
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    return (await conn.execute(counted)).scalar_one()


async def count_by_parent(
    conn: AsyncConnection, query: Select[Any], *, parent: ColumnElement[Any], parent_ids: Sequence[Any]
) -> dict[Any, int]:
    inner = query.add_columns(parent.label("parent_id")).where(parent.in_(list(parent_ids))).subquery()
    rows = await conn.execute(select(inner.c.parent_id, func.count().label("n")).group_by(inner.c.parent_id))
    counts = {pid: 0 for pid in parent_ids}
    counts.update({r.parent_id: r.n for r in rows})
    return counts


__all__ = [
    "MAX_PAGE",
    "BadCursor",
    "Order",
    "Page",
    "count",
    "count_by_parent",
    "decode_cursor",
    "encode_cursor",
    "fetch_page",
    "fetch_pages_by_parent",
    "fits",
    "page_size",
]
