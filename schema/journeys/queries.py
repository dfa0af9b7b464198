"""Listing journey maps and runs."""
from __future__ import annotations

import strawberry

from db.read import journeys as read
from db.read.pages import BadCursor, Page
from domain.errors import NotFound
from schema import ids
from schema.errors import BadRequest
from schema.journeys.inputs import JourneyMapFilter, JourneyRunFilter
from schema.journeys.types import JourneyMapNode, JourneyRunNode
from schema.permissions import root_field
from schema.relay import Connection

MISSING = -1  # an ID filter naming nothing matches nothing


def _filter_id(value: strawberry.ID | None, type_name: str) -> int | None:
    if value is None:
        return None
    try:
        return ids.decode(value, type_name, field="filter")
    except NotFound:
        return MISSING


def map_criteria(filter: JourneyMapFilter | None) -> read.MapCriteria:
    f = filter or JourneyMapFilter()
    return read.MapCriteria(active=f.active, department_id=_filter_id(f.department_id, "Department"),
                            search=f.search)


def run_criteria(filter: JourneyRunFilter | None) -> read.RunCriteria:
    f = filter or JourneyRunFilter()
    return read.RunCriteria(
        map_id=_filter_id(f.map_id, "JourneyMap"), every_version=not f.exact_version,
        statuses=tuple(s.value for s in f.status or ()), sponsor_id=_filter_id(f.sponsor_id, "Person"),
        department_id=_filter_id(f.department_id, "Department"), started_after=f.started_after,
        started_before=f.started_before)


async def _page(info: strawberry.Info, first: int | None, fetch) -> Page:
    if first is not None and first < 0:
        raise BadRequest("`first` must not be negative.")
    try:
        async with info.context.reader.connect() as conn:
            return await fetch(conn)
    except BadCursor as error:
        raise BadRequest(str(error)) from None


@strawberry.type
class JourneyQueries:
    @root_field(description="Journey maps the viewer may see, by name; every version unless filtered.")
    async def journey_maps(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
                           filter: JourneyMapFilter | None = None) -> Connection[JourneyMapNode]:
        viewer, criteria = info.context.require_viewer(), map_criteria(filter)

        async def count() -> int:
            async with info.context.reader.connect() as conn:
                return await read.maps_count(conn, viewer, criteria)

        page = await _page(info, first, lambda conn: read.maps_page(conn, viewer, criteria, first=first, after=after))
        return Connection.from_page(page, JourneyMapNode.from_row, count)

    @root_field(description="Journey runs the viewer may see, the newest first.")
    async def journey_runs(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
                           filter: JourneyRunFilter | None = None) -> Connection[JourneyRunNode]:
        viewer, criteria = info.context.require_viewer(), run_criteria(filter)

        async def count() -> int:
            async with info.context.reader.connect() as conn:
                return await read.runs_count(conn, viewer, criteria)

        page = await _page(info, first, lambda conn: read.runs_page(conn, viewer, criteria, first=first, after=after))
        return Connection.from_page(page, JourneyRunNode.from_row, count)
