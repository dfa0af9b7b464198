"""Reading requests and what hangs off them, always through the viewer's visibility."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, exists, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.read import pages
from db.read.visibility import comment_visible, request_visible
from domain.people import Person

R = t.requests
REQUEST_COLUMNS = [c for c in R.c if c.name != "search"]
PRIORITY_RANK = case({"LOW": 0, "MEDIUM": 1, "HIGH": 2, "URGENT": 3}, value=R.c.priority)
ORDER_KEYS = {
    "CREATED_AT": R.c.created_at,
    "UPDATED_AT": R.c.updated_at,
    "NUMBER": R.c.number,
    "PRIORITY": PRIORITY_RANK,
    "RESOLUTION_DUE_AT": R.c.resolution_due_at,
}
SEARCH_WORD = re.compile(r"[\w]+", re.UNICODE)

# The SLA breach rule of domain.sla.SlaClock.breached, as SQL, for filters and counts.
# Never NULL (every comparison has a non-null side), so NOT BREACHED is exact.
_ENDED = func.coalesce(R.c.resolved_at, R.c.closed_at)
BREACHED = or_(
    func.coalesce(R.c.first_response_at, R.c.resolved_at, R.c.closed_at, func.now()) > R.c.response_due_at,
    func.coalesce(_ENDED, R.c.sla_paused_at, func.now()) > R.c.resolution_due_at,
)


@dataclass(frozen=True)
class RequestCriteria:
    statuses: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    service_id: int | None = None
    owner_department_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool | None = None
    requester_id: int | None = None
    search: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    sla_breached: bool | None = None
    open_task_department_id: int | None = None


def prefix_query(search: str) -> str | None:
    """'new lapt' -> 'new:* & lapt:*' — every word, as a prefix, in title or description."""
    words = SEARCH_WORD.findall(search.lower())[:10]
    return " & ".join(f"{w}:*" for w in words) or None


def _where(criteria: RequestCriteria) -> list[Any]:
    c = criteria
    clauses: list[Any] = []
    if c.statuses:
        clauses.append(R.c.status.in_(c.statuses))
    if c.priorities:
        clauses.append(R.c.priority.in_(c.priorities))
    for column, value in (
        (R.c.service_id, c.service_id),
        (R.c.owner_department_id, c.owner_department_id),
        (R.c.assignee_id, c.assignee_id),
        (R.c.requester_id, c.requester_id),
    ):
        if value is not None:
            clauses.append(column == value)
    if c.unassigned is not None:
        clauses.append(R.c.assignee_id.is_(None) if c.unassigned else R.c.assignee_id.is_not(None))
    if c.search and (query := prefix_query(c.search)):
        clauses.append(R.c.search.op("@@")(func.to_tsquery(text("'simple'"), query)))
    if c.created_after is not None:
        clauses.append(R.c.created_at >= c.created_after)
    if c.created_before is not None:
        clauses.append(R.c.created_at < c.created_before)
    if c.updated_after is not None:
        clauses.append(R.c.updated_at > c.updated_after)
    if c.sla_breached is not None:
        clauses.append(BREACHED if c.sla_breached else ~BREACHED)
    if c.open_task_department_id is not None:
        tk = t.tasks.alias("open_task")
        clauses.append(
            exists(
                select(1)
                .select_from(tk)
                .where(
                    tk.c.request_id == R.c.id, tk.c.department_id == c.open_task_department_id, tk.c.status == "OPEN"
                )
            )
        )
    return clauses


def visible_requests(viewer: Person, criteria: RequestCriteria | None = None, *, per_row: bool = False) -> Select[Any]:
    """`per_row` for a page read in sort order (see db.read.visibility._exists)."""
    return select(*REQUEST_COLUMNS).where(
        request_visible(viewer, per_row=per_row), *_where(criteria or RequestCriteria())
    )


def request_order(field: str, descending: bool) -> pages.Order:
    return pages.Order(key=ORDER_KEYS[field], tiebreak=R.c.id, descending=descending)


async def requests_page(
    conn: AsyncConnection,
    viewer: Person,
    criteria: RequestCriteria,
    *,
    order: pages.Order,
    first: int | None,
    after: str | None,
) -> pages.Page:
    return await pages.fetch_page(
        conn, visible_requests(viewer, criteria, per_row=True), order=order, first=first, after=after
    )


async def requests_count(conn: AsyncConnection, viewer: Person, criteria: RequestCriteria) -> int:
    return await pages.count(conn, visible_requests(viewer, criteria))


async def queue_pages(
    conn: AsyncConnection,
    viewer: Person,
    criteria: RequestCriteria,
    department_ids: Sequence[int],
    *,
    order: pages.Order,
    first: int | None,
    after: str | None,
) -> dict[int, pages.Page]:
    return await pages.fetch_pages_by_parent(
        conn,
        visible_requests(viewer, criteria),
        parent=R.c.owner_department_id,
        parent_ids=department_ids,
        order=order,
        first=first,
        after=after,
    )


async def queue_counts(
    conn: AsyncConnection, viewer: Person, criteria: RequestCriteria, department_ids: Sequence[int]
) -> dict[int, int]:
    return await pages.count_by_parent(
        conn, visible_requests(viewer, criteria), parent=R.c.owner_department_id, parent_ids=department_ids
    )


async def requests_by_ids(conn: AsyncConnection, viewer: Person, ids: Sequence[int]) -> dict[int, Any]:
    rows = await conn.execute(visible_requests(viewer).where(R.c.id.in_(list(ids))))
    return {r.id: r for r in rows}


async def tasks_by_request(conn: AsyncConnection, request_ids: Sequence[int]) -> dict[int, list[Any]]:
    rows = await conn.execute(
        select(t.tasks).where(t.tasks.c.request_id.in_(list(request_ids))).order_by(t.tasks.c.request_id, t.tasks.c.id)
    )
    grouped: dict[int, list[Any]] = {i: [] for i in request_ids}
    for row in rows:
        grouped[row.request_id].append(row)
    return grouped


async def tasks_by_ids(conn: AsyncConnection, viewer: Person, ids: Sequence[int]) -> dict[int, Any]:
    query = (
        select(t.tasks)
        .join(R, R.c.id == t.tasks.c.request_id)
        .where(t.tasks.c.id.in_(list(ids)), request_visible(viewer))
    )
    return {r.id: r for r in await conn.execute(query)}


async def watcher_ids_by_request(conn: AsyncConnection, request_ids: Sequence[int]) -> dict[int, list[int]]:
    rows = await conn.execute(
        select(t.watchers)
        .where(t.watchers.c.request_id.in_(list(request_ids)))
        .order_by(t.watchers.c.request_id, t.watchers.c.person_id)
    )
    grouped: dict[int, list[int]] = {i: [] for i in request_ids}
    for row in rows:
        grouped[row.request_id].append(row.person_id)
    return grouped


def visible_comments(viewer: Person) -> Select[Any]:
    return (
        select(t.comments)
        .join(R, R.c.id == t.comments.c.request_id)
        .where(request_visible(viewer), comment_visible(viewer))
    )


COMMENT_ORDER = pages.Order(key=t.comments.c.created_at, tiebreak=t.comments.c.id)


async def comment_pages(
    conn: AsyncConnection,
    viewer: Person,
    request_ids: Sequence[int],
    *,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> dict[int, pages.Page]:
    return await pages.fetch_pages_by_parent(
        conn,
        visible_comments(viewer),
        parent=t.comments.c.request_id,
        parent_ids=request_ids,
        order=COMMENT_ORDER,
        first=first,
        after=after,
        last=last,
        before=before,
    )


async def comment_counts(conn: AsyncConnection, viewer: Person, request_ids: Sequence[int]) -> dict[int, int]:
    return await pages.count_by_parent(
        conn, visible_comments(viewer), parent=t.comments.c.request_id, parent_ids=request_ids
    )


async def comments_by_ids(conn: AsyncConnection, viewer: Person, ids: Sequence[int]) -> dict[int, Any]:
    rows = await conn.execute(visible_comments(viewer).where(t.comments.c.id.in_(list(ids))))
    return {r.id: r for r in rows}
