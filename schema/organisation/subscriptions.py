"""Wallboards: a department's stats, pushed when its queue changes."""
from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry

from schema import ids
from schema.live.changes import changes
from schema.organisation.types import DepartmentStats
from schema.permissions import root_subscription


def touches_queue(department_id: int):
    """Any event about a request the department owns or works on, or about the department."""
    def concerns(event: Any) -> bool:
        return department_id in event.department_ids or event.owner_department_id == department_id
    return concerns


@strawberry.type
class OrganisationSubscriptions:
    @root_subscription(description="A department's wallboard numbers, pushed when its queue changes "
                                   "(at most four times a second), as the viewer may see them.")
    async def department_stats(self, info: strawberry.Info,
                               department_id: strawberry.ID) -> AsyncGenerator[DepartmentStats, None]:
        department = await ids.visible_id(department_id, "Department", field="departmentId",
                                          load=info.context.loaders.department.load)
        last: DepartmentStats | None = None
        async for _ in changes(info, concerns=touches_queue(department), min_interval=0.25):
            stats = DepartmentStats.from_stats(await info.context.loaders.department_stats.load(department))
            if stats != last:  # a comment changes no number: nothing to push
                last = stats
                yield stats
