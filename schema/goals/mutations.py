"""Shared goal mutations: managers of the participating departments create and change goals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import strawberry

from domain import commands
from domain.errors import NotFound
from domain.goal_participation import Participation
from domain.goals import DEFAULT_DIRECTION, Direction, KeyResult, Metric, Scope
from domain.handlers import goals as handle
from schema.commands import Handler, reload, run_command
from schema.context import Info
from schema.errors import UserError
from schema.goals import inputs
from schema.goals.types import SharedGoalNode
from schema.ids import decode
from schema.permissions import root_mutation


@strawberry.type
class SharedGoalPayload:
    shared_goal: SharedGoalNode | None
    user_errors: list[UserError]


def _utc(moment: datetime | None) -> datetime | None:
    """A moment sent without an offset is taken as UTC (as PostgreSQL stores it), so the two ends
    of a period always compare."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _decoded(values: list[strawberry.ID] | None, type_name: str, *path: str) -> tuple[int, ...]:
    return tuple(_decode(v, type_name, *path) for v in values or ())


def _decode(value: str, type_name: str, *path: str) -> int:
    """ids.decode, with the error on the input path (keyResults, 0, scope, ...)."""
    try:
        return decode(value, type_name, field=path[0])
    except NotFound as error:
        raise NotFound(error.message, field=path) from None


def _key_result(input: inputs.KeyResultInput, i: int) -> KeyResult:
    path = ("keyResults", str(i))
    metric = Metric(input.metric.value)
    scope = input.scope or inputs.KeyResultScopeInput()
    return KeyResult(
        id=_decode(input.id, "KeyResult", *path, "id") if input.id is not None else None,
        title=input.title,
        metric=metric,
        direction=Direction(input.direction.value) if input.direction else DEFAULT_DIRECTION[metric],
        target=input.target,
        scope=Scope(
            service_ids=_decoded(scope.service_ids, "Service", *path, "scope", "serviceIds"),
            request_type_ids=_decoded(scope.request_type_ids, "RequestType", *path, "scope", "requestTypeIds"),
            department_ids=_decoded(scope.department_ids, "Department", *path, "scope", "departmentIds"),
            journey_map_id=(
                _decode(scope.journey_map_id, "JourneyMap", *path, "scope", "journeyMapId")
                if scope.journey_map_id is not None
                else None
            ),
        ),
    )


def _key_results(values: list[inputs.KeyResultInput] | None) -> tuple[KeyResult, ...] | None:
    return None if values is None else tuple(_key_result(k, i) for i, k in enumerate(values))


async def _payload(info: Info, handler: Handler, make_command: Callable[[], object]) -> SharedGoalPayload:
    done = await run_command(info, handler, make_command)
    row = await reload(info.context.loaders.goal, done.result)
    return SharedGoalPayload(shared_goal=SharedGoalNode.maybe(row), user_errors=done.user_errors)


@strawberry.type
class GoalMutations:
    @root_mutation(description="A goal for your department together with others; you must manage one of them.")
    async def shared_goal_create(self, info: Info, input: inputs.SharedGoalCreateInput) -> SharedGoalPayload:
        return await _payload(
            info,
            handle.create_goal,
            lambda: commands.CreateSharedGoal(
                title=input.title,
                description=input.description or "",
                period_start=_utc(input.period_start),
                period_end=_utc(input.period_end),
                department_ids=_decoded(input.department_ids, "Department", "departmentIds"),
                key_results=_key_results(input.key_results) or (),
            ),
        )

    @root_mutation(description="Change a goal (any participating department's manager); carries expectedVersion.")
    async def shared_goal_update(self, info: Info, input: inputs.SharedGoalUpdateInput) -> SharedGoalPayload:
        return await _payload(
            info,
            handle.update_goal,
            lambda: commands.UpdateSharedGoal(
                goal_id=decode(input.id, "SharedGoal", field="id"),
                expected_version=input.expected_version,
                title=input.title,
                description=input.description,
                period_start=_utc(input.period_start),
                period_end=_utc(input.period_end),
                department_ids=(
                    _decoded(input.department_ids, "Department", "departmentIds")
                    if input.department_ids is not None
                    else None
                ),
                key_results=_key_results(input.key_results),
            ),
        )

    @root_mutation(
        description="Your department shares its figures in this goal (as of expectedVersion) with "
        "everyone who reads the goal; until then each reader counts only work they may see."
    )
    async def shared_goal_participation_accept(
        self, info: Info, input: inputs.SharedGoalParticipationAcceptInput
    ) -> SharedGoalPayload:
        return await _payload(
            info,
            handle.decide_participation,
            lambda: commands.DecideGoalParticipation(
                goal_id=decode(input.goal_id, "SharedGoal", field="goalId"),
                department_id=decode(input.department_id, "Department", field="departmentId"),
                status=Participation.ACCEPTED,
                expected_version=input.expected_version,
            ),
        )

    @root_mutation(description="Your department does not share its figures in this goal (or no longer does).")
    async def shared_goal_participation_decline(
        self, info: Info, input: inputs.SharedGoalParticipationDeclineInput
    ) -> SharedGoalPayload:
        return await _payload(
            info,
            handle.decide_participation,
            lambda: commands.DecideGoalParticipation(
                goal_id=decode(input.goal_id, "SharedGoal", field="goalId"),
                department_id=decode(input.department_id, "Department", field="departmentId"),
                status=Participation.DECLINED,
            ),
        )
