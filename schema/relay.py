"""Relay plumbing: the Node interface, PageInfo and cursor connections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry

from db.read.pages import BadCursor, Page
from schema.errors import BadRequest

T = TypeVar("T")


@strawberry.interface(name="Node")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    # Counting costs a statement: only run when the client asks for totalCount.
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    async def total_count(self) -> int:
        return await self.count()

    @classmethod
    def from_page(cls, page: Page, to_node: Callable[[Any], T], count: Callable[[], Awaitable[int]]) -> Connection[T]:
        edges = [Edge(cursor=c, node=to_node(row)) for row, c in zip(page.rows, page.cursors, strict=True)]
        return cls(
            edges=edges,
            count=count,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
        )


def window(
    parent: Any, *, first: int | None, after: str | None, last: int | None = None, before: str | None = None
) -> tuple[Any, ...]:
    """A nested page's loader key, after the Relay arguments are checked."""
    if (first is not None and first < 0) or (last is not None and last < 0):
        raise BadRequest("`first` and `last` must not be negative.")
    if (first is not None or after is not None) and (last is not None or before is not None):
        raise BadRequest("Page forwards (`first`/`after`) or backwards (`last`/`before`), not both.")
    return parent, first, after, last, before


async def load_page(loader: Any, key: tuple[Any, ...]) -> Page:
    """Load one nested page (key: parent, first, after, …), turning bad cursors into coded errors."""
    first = key[1]
    if first is not None and first < 0:
        raise BadRequest("`first` must not be negative.")
    try:
        return await loader.load(key)
    except BadCursor as error:
        raise BadRequest(str(error)) from None


async def root_connection(
    engine: Any,
    *,
    first: int | None,
    fetch_page: Callable[[Any], Awaitable[Page]],
    fetch_count: Callable[[Any], Awaitable[int]],
    node: Callable[[Any], Any],
) -> Connection:
    """A root field's connection: a negative `first` or a bad cursor is BAD_USER_INPUT, and the
    total is counted only when the client asks for it."""
    if first is not None and first < 0:
        raise BadRequest("`first` must not be negative.")

    async def count() -> int:
        async with engine.connect() as conn:
            return await fetch_count(conn)

    try:
        async with engine.connect() as conn:
            page = await fetch_page(conn)
    except BadCursor as error:
        raise BadRequest(str(error)) from None
    return Connection.from_page(page, node, count)
