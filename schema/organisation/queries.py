"""The directory: departments and the viewer; both as SQL too, for the compiled read path (`COMPILED`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import ColumnElement, select

from db import tables as t
from db.read import organisation as read
from schema.compiled import json_text as j
from schema.compiled.connections import root_list
from schema.compiled.sql import Build, FieldSql, TypeSql, object_json
from schema.context import Info
from schema.organisation.types import DepartmentNode, PersonNode
from schema.permissions import root_field
from schema.relay import Connection, root_connection

if TYPE_CHECKING:
    from schema.compiled.planner import PlanField


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


# --- Query.viewer and Query.departments as SQL -----------------------------------------------------


def _viewer(f: PlanField, row: Any, build: Build) -> ColumnElement[str]:
    """The person loader's row of the signed-in viewer."""
    person = t.people.alias("viewer")
    found = select(object_json("Person", f.children, person, build)).where(person.c.id == build.viewer.id)
    return j.or_null(found.scalar_subquery())


COMPILED = (
    TypeSql(
        "Query",
        {
            "viewer": FieldSql(_viewer, "Person!"),
            # Every signed-in person reads the directory: no visibility.
            "departments": root_list(
                "Department",
                table=t.departments,
                order=read.DEPARTMENT_ORDER,
                rows=lambda viewer, criteria: select(t.departments),
            ),
        },
    ),
)
