"""Wallboards: a department's stats, pushed when its queue changes."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Hashable
from typing import Any

import strawberry

from domain.people import Person
from schema import ids
from schema.context import Info
from schema.live.changes import changes
from schema.organisation.stats import DepartmentStats
from schema.permissions import root_subscription


def touches_queue(department_id: int):
    """Any event about a request the department owns or works on, or about the department."""

    def concerns(event: Any) -> bool:
        return department_id in event.department_ids or event.owner_department_id == department_id

    return concerns


def sees_alike(viewer: Person, department_id: int) -> Hashable:
    """Who sees the same numbers for a department: admins and the department's own staff see
    every request it owns (db.read.visibility.works_on_request); anyone else sees their own."""
    if viewer.is_admin or (viewer.is_staff and viewer.department_id == department_id):
        return ("all of", department_id)
    return ("person", viewer.id, department_id)


async def _read_stats(context: Any, department_id: int) -> Any:
    loaders = context.loaders
    if context.hub is None or context.broker is None:
        return await loaders.department_stats.load(department_id)
    version = (context.broker.head, context.now().date())  # "resolved today" turns over at midnight
    return await context.hub.reads.read(
        sees_alike(context.require_viewer(), department_id),
        version,
        lambda: loaders.department_stats.load(department_id),
    )


@strawberry.type
class OrganisationSubscriptions:
    @root_subscription(
        description="A department's wallboard numbers, pushed when its queue changes "
        "(at most four times a second), as the viewer may see them."
    )
    async def department_stats(self, info: Info, department_id: strawberry.ID) -> AsyncGenerator[DepartmentStats, None]:
        # Checked before the stream exists: an unknown department fails the subscription itself
        # (an `error` message), rather than its first result (a `next` without data).
        department = await ids.visible_id(
            department_id, "Department", field="departmentId", load=info.context.loaders.department.load
        )
        return _pushes(info, department)


async def _pushes(info: Info, department: int) -> AsyncGenerator[DepartmentStats, None]:
    last: DepartmentStats | None = None
    async for _ in changes(info, concerns=touches_queue(department), min_interval=0.25):
        stats = DepartmentStats.from_stats(await _read_stats(info.context, department), now=info.context.now())
        if stats != last:  # a comment changes no number: nothing to push
            last = stats
            yield stats
