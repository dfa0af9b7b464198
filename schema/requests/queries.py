"""Listing requests: filters, ordering, keyset pages, counts — all under visibility; and the
same list as SQL for the compiled read path (`COMPILED`)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import ColumnElement, Select, func, select

from db import tables as t
from db.read import pages
from db.read import requests as read
from db.read.pages import BadCursor
from domain.errors import NotFound
from schema import ids
from schema.compiled.arguments import Fallback, RequestsShape, bind_cursor
from schema.compiled.connections import Window, connection, cursor_params, keyset_page
from schema.compiled.sql import Build, TypeSql
from schema.context import Info
from schema.enums import OrderDirection, RequestOrderField
from schema.errors import BadRequest
from schema.permissions import root_field
from schema.relay import Connection, load_page
from schema.requests.inputs import RequestFilter, RequestOrder
from schema.requests.types import RequestNode

if TYPE_CHECKING:
    from schema.compiled.planner import PlanField

MISSING = -1  # an ID filter naming nothing matches nothing (ids are positive)


def _filter_id(value: strawberry.ID | None, type_name: str) -> int | None:
    if value is None:
        return None
    try:
        return ids.decode(value, type_name, field="filter")
    except NotFound:
        return MISSING


def criteria_from(filter: RequestFilter | None) -> read.RequestCriteria:
    f = filter or RequestFilter()
    owner = _filter_id(f.owner_department_id, "Department")
    return read.RequestCriteria(
        # Each value once: a list of a hundred thousand OPENs would otherwise be as long in the SQL.
        statuses=tuple(dict.fromkeys(s.value for s in f.status or ())),
        priorities=tuple(dict.fromkeys(p.value for p in f.priority or ())),
        service_id=_filter_id(f.service_id, "Service"),
        owner_department_id=owner,
        assignee_id=_filter_id(f.assignee_id, "Person"),
        unassigned=f.unassigned,
        requester_id=_filter_id(f.requester_id, "Person"),
        search=f.search,
        created_after=f.created_after,
        created_before=f.created_before,
        updated_after=f.updated_after,
        sla_breached=f.sla_breached,
        open_task_department_id=_filter_id(f.open_task_department_id, "Department"),
    )


def _sort(order_by: RequestOrder | None) -> tuple[str, bool]:
    order = order_by or RequestOrder()
    return RequestOrderField(order.field).value, order.direction is OrderDirection.DESC


async def queue_connection(
    info: Info, department_id: int, *, first: int | None, after: str | None, filter: RequestFilter | None
) -> Connection[RequestNode]:
    """A department's queue; departments listed together share one statement per page."""
    loaders = info.context.loaders
    criteria = criteria_from(filter)
    # The queue's department is the partition, not a criterion: every department listed with the
    # same filter then shares one statement. A filter naming another department matches nothing here.
    owner = None if criteria.owner_department_id in (None, department_id) else MISSING
    criteria = dataclasses.replace(criteria, owner_department_id=owner)
    page = await load_page(loaders.queue_page, (department_id, first, after, criteria, *_sort(None)))
    return Connection.from_page(page, RequestNode.from_row, lambda: loaders.queue_count.load((department_id, criteria)))


async def request_connection(
    info: Info,
    *,
    first: int | None,
    after: str | None,
    filter: RequestFilter | None,
    order_by: RequestOrder | None = None,
) -> Connection[RequestNode]:
    context = info.context
    viewer = context.require_viewer()
    if first is not None and first < 0:
        raise BadRequest("`first` must not be negative.")
    criteria = criteria_from(filter)
    sort = read.request_order(*_sort(order_by))

    async def count() -> int:
        async with context.reader.connect() as conn:
            return await read.requests_count(conn, viewer, criteria)

    try:
        async with context.reader.connect() as conn:
            page = await read.requests_page(conn, viewer, criteria, order=sort, first=first, after=after)
    except BadCursor as error:
        raise BadRequest(str(error)) from None
    return Connection.from_page(page, RequestNode.from_row, count)


@strawberry.type
class RequestQueries:
    @root_field(description="Requests the viewer may see, newest first unless ordered otherwise.")
    async def requests(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: RequestFilter | None = None,
        order_by: RequestOrder | None = None,
    ) -> Connection[RequestNode]:
        return await request_connection(info, first=first, after=after, filter=filter, order_by=order_by)


# --- Query.requests as SQL -----------------------------------------------------------------------

TIMESTAMP_KEYS = frozenset({"CREATED_AT", "UPDATED_AT", "RESOLUTION_DUE_AT"})


def _requests_arguments(site: int, arguments: dict[str, Any], params: dict[str, Any]) -> RequestsShape:
    """request_connection's checks: what it answers with an error falls back."""
    return _list_shape(site, arguments, params, order_by=arguments.get("order_by"))


def _list_shape(site: int, arguments: dict[str, Any], params: dict[str, Any], *, order_by: Any) -> RequestsShape:
    """A list of requests' shape, in `order_by` (None: newest first), with first/after/filter."""
    first, after = arguments.get("first"), arguments.get("after")
    if first is not None and first < 0:
        raise Fallback("negative first")
    order_field, descending = _sort(order_by)
    if after is not None:
        bind_cursor(site, after, timestamp=order_field in TIMESTAMP_KEYS, params=params)
    return RequestsShape(
        criteria=criteria_from(arguments.get("filter")),
        order_field=order_field,
        descending=descending,
        size=pages.page_size(first),
        after=after is not None,
    )


def _requests_sql(f: PlanField, row: Any, build: Build) -> ColumnElement[str]:
    """requests_page and requests_count of db.read.requests, in one statement."""
    shape = build.shapes[f.bound_site]
    assert isinstance(shape, RequestsShape)
    # The page probes visibility per row, the total with a hash (db.read.visibility._exists).
    scan = read.visible_requests(build.viewer, shape.criteria, per_row=True)
    visible = read.visible_requests(build.viewer, shape.criteria)
    return _request_window(f, build, shape, scan=scan, counted=visible)


def _request_window(
    f: PlanField, build: Build, shape: RequestsShape, *, scan: Select[Any], counted: Select[Any]
) -> ColumnElement[str]:
    """A connection of requests: the page of `scan` after the cursor, each read from the requests
    table itself (so that its encoders may name the table's columns), and the count of `counted`."""
    R = t.requests
    order = read.request_order(shape.order_field, shape.descending)
    timestamp = shape.order_field in TIMESTAMP_KEYS
    after = order.after(cursor_params(f.bound_site, build, timestamp=timestamp)) if shape.after else None
    page = keyset_page(scan, R.c.id, order, after=after, size=shape.size, name=f"{f.name}_page")

    def total() -> ColumnElement[Any]:
        return select(func.count()).select_from(counted.order_by(None).subquery()).scalar_subquery()

    window = Window(
        page, node_row=R, total=total, size=shape.size, backward=False, cursor=shape.after, timestamp=timestamp
    )
    return window.connection(f, build, source=page.join(R, R.c.id == page.c.id))


# --- Department.queue as SQL ---------------------------------------------------------------------


def _queue_arguments(site: int, arguments: dict[str, Any], params: dict[str, Any]) -> RequestsShape:
    """queue_connection's checks (load_page's): what it answers with an error falls back. The
    queue's order is fixed: newest first. A filter naming another owner matches nothing in this
    queue, as queue_connection's MISSING: kept as a criterion, it says the same beside the queue's
    own department."""
    return _list_shape(site, arguments, params, order_by=None)


def _queue_sql(f: PlanField, department: Any, build: Build) -> ColumnElement[str]:
    """queue_pages and queue_counts of db.read.requests: the requests the department owns, as the
    viewer may see them (the requests list's visibility and filters)."""
    shape = build.shapes[f.bound_site]
    assert isinstance(shape, RequestsShape)
    owned = t.requests.c.owner_department_id == department.c.id
    # Subqueries in FROM are not correlated on their own: the department is the enclosing one.
    scan = read.visible_requests(build.viewer, shape.criteria).where(owned).correlate(department)
    return _request_window(f, build, shape, scan=scan, counted=scan)


COMPILED = (
    TypeSql("Query", {"requests": connection("Request", _requests_sql, arguments=_requests_arguments)}),
    TypeSql("Department", {"queue": connection("Request", _queue_sql, arguments=_queue_arguments)}),
)
