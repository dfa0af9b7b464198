"""The directory: departments and the viewer."""
from __future__ import annotations

import strawberry

from db.read import organisation as read
from db.read.pages import BadCursor
from schema.errors import BadRequest
from schema.organisation.types import DepartmentNode, PersonNode
from schema.permissions import root_field
from schema.relay import Connection


@strawberry.type
class OrganisationQueries:
    @root_field(description="Who is signed in.")
    async def viewer(self, info: strawberry.Info) -> PersonNode:
        viewer = info.context.require_viewer()
        return PersonNode.from_row(await info.context.loaders.person.load(viewer.id))

    @root_field
    async def departments(self, info: strawberry.Info, first: int | None = None,
                          after: str | None = None) -> Connection[DepartmentNode]:
        engine = info.context.reader
        if first is not None and first < 0:
            raise BadRequest("`first` must not be negative.")

        async def count() -> int:
            async with engine.connect() as conn:
                return await read.departments_count(conn)

        try:
            async with engine.connect() as conn:
                page = await read.departments_page(conn, first=first, after=after)
        except BadCursor as error:
            raise BadRequest(str(error)) from None
        return Connection.from_page(page, DepartmentNode.from_row, count)
