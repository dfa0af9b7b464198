"""Listing journey maps and runs; the same lists as SQL for the compiled read path (`COMPILED`)."""

from __future__ import annotations

import strawberry

from db.read import journeys as read
from schema import ids
from schema.compiled.connections import root_list
from schema.compiled.sql import TypeSql
from schema.context import Info
from schema.journeys.inputs import JourneyMapFilter, JourneyRunFilter
from schema.journeys.types import JourneyMapNode, JourneyRunNode
from schema.permissions import root_field
from schema.relay import Connection, root_connection


def map_criteria(filter: JourneyMapFilter | None) -> read.MapCriteria:
    f = filter or JourneyMapFilter()
    return read.MapCriteria(
        active=f.active, department_id=ids.decode_filter(f.department_id, "Department"), search=f.search
    )


def run_criteria(filter: JourneyRunFilter | None) -> read.RunCriteria:
    f = filter or JourneyRunFilter()
    return read.RunCriteria(
        map_id=ids.decode_filter(f.map_id, "JourneyMap"),
        every_version=not f.exact_version,
        statuses=tuple(s.value for s in f.status or ()),
        sponsor_id=ids.decode_filter(f.sponsor_id, "Person"),
        department_id=ids.decode_filter(f.department_id, "Department"),
        started_after=f.started_after,
        started_before=f.started_before,
    )


@strawberry.type
class JourneyQueries:
    @root_field(description="Journey maps the viewer may see, by name; every version unless filtered.")
    async def journey_maps(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: JourneyMapFilter | None = None,
    ) -> Connection[JourneyMapNode]:
        viewer, criteria = info.context.require_viewer(), map_criteria(filter)
        return await root_connection(
            info.context.reader,
            first=first,
            node=JourneyMapNode.from_row,
            fetch_page=lambda conn: read.maps_page(conn, viewer, criteria, first=first, after=after),
            fetch_count=lambda conn: read.maps_count(conn, viewer, criteria),
        )

    @root_field(description="Journey runs the viewer may see, the newest first.")
    async def journey_runs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: JourneyRunFilter | None = None,
    ) -> Connection[JourneyRunNode]:
        viewer, criteria = info.context.require_viewer(), run_criteria(filter)
        return await root_connection(
            info.context.reader,
            first=first,
            node=JourneyRunNode.from_row,
            fetch_page=lambda conn: read.runs_page(conn, viewer, criteria, first=first, after=after),
            fetch_count=lambda conn: read.runs_count(conn, viewer, criteria),
        )


# --- Query.journeyMaps and Query.journeyRuns as SQL: db.read.journeys's pages and counts ----------

COMPILED = (
    TypeSql(
        "Query",
        {
            "journeyMaps": root_list(
                "JourneyMap",
                table=read.M,
                order=read.MAP_ORDER,
                rows=read.visible_maps,
                criteria=lambda arguments: map_criteria(arguments.get("filter")),
            ),
            "journeyRuns": root_list(
                "JourneyRun",
                table=read.R,
                order=read.RUN_ORDER,
                rows=read.visible_runs,
                criteria=lambda arguments: run_criteria(arguments.get("filter")),
            ),
        },
    ),
)
