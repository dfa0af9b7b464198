"""journeyRunProgress: a run, pushed whenever it or one of its requests changes."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry

from schema import ids
from schema.context import Info
from schema.journeys.types import JourneyRunNode
from schema.live.changes import changes
from schema.permissions import root_subscription


def about_run(run_id: int):
    """The run's own events, and every event of a request it opened (they carry the run)."""

    def concerns(event: Any) -> bool:
        return event.journey_run_id == run_id

    return concerns


@strawberry.type
class JourneySubscriptions:
    @root_subscription(
        description="A journey run, pushed at once and then whenever it or one of its requests "
        "changes (at most four times a second), as the viewer may see it."
    )
    async def journey_run_progress(self, info: Info, run_id: strawberry.ID) -> AsyncGenerator[JourneyRunNode, None]:
        # Checked before the stream exists: a hidden run fails the subscription itself (an
        # `error` message), rather than its first result (a `next` without data).
        run = await ids.visible_id(run_id, "JourneyRun", field="runId", load=info.context.loaders.journeys.run.load)
        return _pushes(info, run)


async def _pushes(info: Info, run: int) -> AsyncGenerator[JourneyRunNode, None]:
    async for _ in changes(info, concerns=about_run(run), min_interval=0.25):
        row = await info.context.loaders.journeys.run.load(run)
        if row is None:  # runs are never deleted, nor do they hide from whom saw them: defensive
            return
        yield JourneyRunNode.from_row(row)
