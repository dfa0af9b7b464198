"""Browsing the catalog."""

from __future__ import annotations

import strawberry

from db.read import catalog as read
from schema import ids
from schema.catalog.inputs import ServiceFilter
from schema.catalog.types import ServiceNode
from schema.compiled.connections import root_list
from schema.compiled.sql import TypeSql
from schema.context import Info
from schema.permissions import root_field
from schema.relay import Connection, root_connection


def criteria_from(filter: ServiceFilter | None) -> read.ServiceCriteria:
    f = filter or ServiceFilter()
    return read.ServiceCriteria(
        owner_department_id=ids.decode_filter(f.owner_department_id, "Department"), active=f.active, search=f.search
    )


@strawberry.type
class CatalogQueries:
    @root_field(description="The service catalog; retired services only for their own department.")
    async def services(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: ServiceFilter | None = None,
    ) -> Connection[ServiceNode]:
        viewer, criteria = info.context.require_viewer(), criteria_from(filter)
        return await root_connection(
            info.context.reader,
            first=first,
            node=ServiceNode.from_row,
            fetch_page=lambda conn: read.services_page(conn, viewer, criteria, first=first, after=after),
            fetch_count=lambda conn: read.services_count(conn, viewer, criteria),
        )


# --- Query.services as SQL: services_page and services_count, in one statement ------------------

COMPILED = (
    TypeSql(
        "Query",
        {
            "services": root_list(
                "Service",
                table=read.S,
                order=read.SERVICE_ORDER,
                rows=read.visible_services,
                criteria=lambda arguments: criteria_from(arguments.get("filter")),
            )
        },
    ),
)
