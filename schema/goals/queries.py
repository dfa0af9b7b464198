"""Listing shared goals: only those of the viewer's department (admins: all)."""
from __future__ import annotations

import strawberry

from db.read import goals as read
from db.read.pages import BadCursor
from domain.errors import NotFound
from schema import ids
from schema.errors import BadRequest
from schema.goals.inputs import SharedGoalFilter
from schema.goals.types import SharedGoalNode
from schema.permissions import root_field
from schema.relay import Connection


def criteria_from(filter: SharedGoalFilter | None) -> read.GoalCriteria:
    f = filter or SharedGoalFilter()
    department = None
    if f.department_id is not None:
        try:
            department = ids.decode(f.department_id, "Department", field="filter")
        except NotFound:
            department = -1  # names nothing, so matches nothing
    return read.GoalCriteria(department_id=department, active_at=f.active_at, search=f.search)


@strawberry.type
class GoalQueries:
    @root_field(description="Shared goals of the viewer's department (admins: all), latest periods first.")
    async def shared_goals(self, info: strawberry.Info, first: int | None = None, after: str | None = None,
                           filter: SharedGoalFilter | None = None) -> Connection[SharedGoalNode]:
        context = info.context
        viewer = context.require_viewer()
        if first is not None and first < 0:
            raise BadRequest("`first` must not be negative.")
        criteria = criteria_from(filter)

        async def count() -> int:
            async with context.reader.connect() as conn:
                return await read.goals_count(conn, viewer, criteria)

        try:
            async with context.reader.connect() as conn:
                page = await read.goals_page(conn, viewer, criteria, first=first, after=after)
        except BadCursor as error:
            raise BadRequest(str(error)) from None
        return Connection.from_page(page, SharedGoalNode.from_row, count)
