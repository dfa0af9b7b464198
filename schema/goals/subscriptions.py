"""`goalProgress`: a goal pushed when committed work inside its scope changes it.

Which events matter is decided in memory from the event itself (type, departments, the request's
service and type), so an event outside every goal's scope costs no query, and only the goals
whose scope it touches are read again. Time moves goals too (a deadline passes, the period runs
out), so a goal is also re-read after TICK_SECONDS without a change; a push goes out only when
what the goal shows (values, samples, statuses) differs from the last one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import strawberry

from domain.goals import JOURNEY_METRICS
from schema import ids
from schema.context import Info
from schema.goals.types import SharedGoalNode
from schema.live.changes import changes
from schema.permissions import root_subscription

JOURNEY_METRIC_NAMES = frozenset(m.value for m in JOURNEY_METRICS)
TICK_SECONDS = 30.0

# Request events that can move a key result: opened or finished (backlog, resolutions, SLA),
# moved between departments (credit), rated (CSAT), reprioritised (SLA deadlines).
# Comments, watchers, assignments and tasks change no metric by themselves; when they move the
# status, the move is its own RequestTransitioned event.
MOVING_EVENTS = frozenset(
    {"RequestCreated", "RequestTransitioned", "RequestHandedOff", "RequestRated", "RequestUpdated"}
)
# A run's on-time outcome is decided when it completes.
JOURNEY_EVENTS = frozenset({"JourneyRunCompleted"})


@dataclass(frozen=True)
class KeyResultScope:
    service_ids: frozenset[int]
    request_type_ids: frozenset[int]
    department_ids: frozenset[int]  # the key result's, or else the goal's
    journeys: bool  # measures journey runs
    journey_map: bool  # only work of a journey map's runs

    def touches(self, event: Any) -> bool:
        """Matched on the event alone. A journey map is matched coarsely (any run's work), since
        the event does not say which map its run follows."""
        departments = set(event.department_ids) | {event.owner_department_id}
        if not departments & self.department_ids:
            return False
        if event.request_id is None:
            return self.journeys and event.type in JOURNEY_EVENTS
        return (
            not self.journeys
            and event.type in MOVING_EVENTS
            and (not self.journey_map or event.journey_run_id is not None)
            and (not self.service_ids or event.service_id in self.service_ids)
            and (not self.request_type_ids or event.request_type_id in self.request_type_ids)
        )


@dataclass
class GoalScope:
    """What one goal measures; reloaded after each push, since an update may change it."""

    goal_id: int
    key_results: list[KeyResultScope] = field(default_factory=list)

    def concerns(self, event: Any) -> bool:
        if event.request_id is None and event.journey_run_id is None:
            return event.payload.get("goalId") == self.goal_id
        return any(k.touches(event) for k in self.key_results)

    async def reload(self, info: Info) -> None:
        loaders = info.context.loaders
        goal_departments = frozenset(r.department_id for r in await loaders.goal_departments.load(self.goal_id))
        self.key_results = [
            KeyResultScope(
                service_ids=frozenset(row.scope_service_ids),
                request_type_ids=frozenset(row.scope_request_type_ids),
                department_ids=frozenset(row.scope_department_ids) or goal_departments,
                journeys=row.metric in JOURNEY_METRIC_NAMES,
                journey_map=row.scope_journey_map_id is not None,
            )
            for row in await loaders.key_results_of_goal.load(self.goal_id)
        ]


@strawberry.type
class GoalSubscriptions:
    @root_subscription(
        description="A shared goal, pushed when a change inside its scope commits (at most four "
        "times a second); ends if the viewer may no longer see it."
    )
    async def goal_progress(self, info: Info, goal_id: strawberry.ID) -> AsyncGenerator[SharedGoalNode, None]:
        # Checked before the stream exists: a hidden goal fails the subscription itself (an
        # `error` message), rather than its first result (a `next` without data).
        scope = GoalScope(
            await ids.visible_id(goal_id, "SharedGoal", field="goalId", load=info.context.loaders.goal.load)
        )
        await scope.reload(info)
        return _pushes(info, scope)


async def _pushes(info: Info, scope: GoalScope) -> AsyncGenerator[SharedGoalNode, None]:
    last: tuple | None = None
    changed = changes(info, concerns=scope.concerns, min_interval=0.25)
    async for _ in with_ticks(changed, every=TICK_SECONDS, refresh=info.context.refresh):
        row = await info.context.loaders.goal.load(scope.goal_id)
        if row is None:
            return
        await scope.reload(info)
        goal = SharedGoalNode.from_row(row)
        shown = await _shown(info, goal)
        if shown != last:
            last = shown
            yield goal


async def _shown(info: Info, goal: SharedGoalNode) -> tuple:
    """What a push would show, to compare with the last push (the loads are the push's own)."""
    # Subscribers who count the same work share the values' computation (schema.goals.loaders).
    key_results = await goal.load_key_results(info)
    values = await asyncio.gather(*(k.value(info) for k in key_results))
    departments = await info.context.loaders.goal_departments.load(goal.db_id)
    return (goal.title, goal.version, [k.row for k in key_results], departments, values, await goal.measures(info))


async def with_ticks(source: AsyncIterator[None], *, every: float, refresh) -> AsyncIterator[None]:
    """Every item of `source`, and one more after each `every` seconds without one (fresh loads)."""
    pending = asyncio.ensure_future(anext(source))
    try:
        while True:
            done, _ = await asyncio.wait({pending}, timeout=every)
            if pending not in done:
                refresh()
                yield
                continue
            try:
                pending.result()
            except StopAsyncIteration:
                return
            yield
            pending = asyncio.ensure_future(anext(source))
    finally:
        pending.cancel()
