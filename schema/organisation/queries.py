"""The directory: departments and the viewer."""

from __future__ import annotations

import strawberry

from db.read import organisation as read
from schema.context import Info
from schema.organisation.types import DepartmentNode, PersonNode
from schema.permissions import root_field
from schema.relay import Connection, root_connection


@strawberry.type
class OrganisationQueries:
    @root_field(description="Who is signed in.")
    async def viewer(self, info: Info) -> PersonNode:
        viewer = info.context.require_viewer()
        return PersonNode.from_row(await info.context.loaders.person.load(viewer.id))

    @root_field
    async def departments(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[DepartmentNode]:
        return await root_connection(
            info.context.reader,
            first=first,
            node=DepartmentNode.from_row,
            fetch_page=lambda conn: read.departments_page(conn, first=first, after=after),
            fetch_count=read.departments_count,
        )
