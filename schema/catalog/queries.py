"""Browsing the catalog."""
from __future__ import annotations

import strawberry

from db.read import catalog as read
from db.read.pages import BadCursor
from domain.errors import NotFound
from schema import ids
from schema.catalog.inputs import ServiceFilter
from schema.catalog.types import ServiceNode
from schema.errors import BadRequest
from schema.permissions import root_field
from schema.relay import Connection


def criteria_from(filter: ServiceFilter | None) -> read.ServiceCriteria:
    f = filter or ServiceFilter()
    owner = None
    if f.owner_department_id is not None:
        try:
            owner = ids.decode(f.owner_department_id, "Department", field="filter")
        except NotFound:
            owner = -1  # names nothing, so matches nothing
    return read.ServiceCriteria(owner_department_id=owner, active=f.active, search=f.search)


@strawberry.type
class CatalogQueries:
    @root_field(description="The service catalog; retired services only for their own department.")
    async def services(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
                       filter: ServiceFilter | None = None) -> Connection[ServiceNode]:
        context = info.context
        viewer = context.require_viewer()
        if first is not None and first < 0:
            raise BadRequest("`first` must not be negative.")
        criteria = criteria_from(filter)

        async def count() -> int:
            async with context.reader.connect() as conn:
                return await read.services_count(conn, viewer, criteria)

        try:
            async with context.reader.connect() as conn:
                page = await read.services_page(conn, viewer, criteria, first=first, after=after)
        except BadCursor as error:
            raise BadRequest(str(error)) from None
        return Connection.from_page(page, ServiceNode.from_row, count)
