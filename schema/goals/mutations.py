"""Shared goal mutations: managers of the participating departments create and change goals."""
from __future__ import annotations

import strawberry

from domain import commands
from domain.goals import DEFAULT_DIRECTION, Direction, KeyResult, Metric, Scope
from domain.handlers import goals as handle
from schema.commands import execute, reload
from schema.errors import UserError
from schema.goals import inputs
from schema.goals.types import SharedGoalNode
from schema.ids import decode, decode_optional
from schema.permissions import root_mutation


@strawberry.type
class SharedGoalPayload:
    shared_goal: SharedGoalNode | None
    user_errors: list[UserError]


def _decoded(values: list[strawberry.ID] | None, type_name: str, field: str) -> tuple[int, ...]:
    return tuple(decode(v, type_name, field=field) for v in values or ())


def _key_result(input: inputs.KeyResultInput, i: int) -> KeyResult:
    path = f"keyResults.{i}"
    metric = Metric(input.metric.value)
    scope = input.scope or inputs.KeyResultScopeInput()
    return KeyResult(
        id=decode_optional(input.id, "KeyResult", field=f"{path}.id"), title=input.title, metric=metric,
        direction=Direction(input.direction.value) if input.direction else DEFAULT_DIRECTION[metric],
        target=input.target,
        scope=Scope(service_ids=_decoded(scope.service_ids, "Service", f"{path}.scope.serviceIds"),
                    request_type_ids=_decoded(scope.request_type_ids, "RequestType",
                                              f"{path}.scope.requestTypeIds"),
                    department_ids=_decoded(scope.department_ids, "Department", f"{path}.scope.departmentIds"),
                    journey_map_id=decode_optional(scope.journey_map_id, "JourneyMap",
                                                   field=f"{path}.scope.journeyMapId")))


def _key_results(values: list[inputs.KeyResultInput] | None) -> tuple[KeyResult, ...] | None:
    return None if values is None else tuple(_key_result(k, i) for i, k in enumerate(values))


async def _payload(info: strawberry.Info, action) -> SharedGoalPayload:
    goal_id, errors = await execute(info, action)
    row = await reload(info.context.loaders.goal, goal_id)
    return SharedGoalPayload(shared_goal=SharedGoalNode.maybe(row), user_errors=errors)


@strawberry.type
class GoalMutations:
    @root_mutation(description="A goal for your department together with others; you must manage one of them.")
    async def shared_goal_create(self, info: strawberry.Info, input: inputs.SharedGoalCreateInput) -> SharedGoalPayload:
        return await _payload(info, lambda **deps: handle.create_goal(commands.CreateSharedGoal(
            title=input.title, description=input.description or "", period_start=input.period_start,
            period_end=input.period_end, department_ids=_decoded(input.department_ids, "Department", "departmentIds"),
            key_results=_key_results(input.key_results) or ()), **deps))

    @root_mutation(description="Change a goal (any participating department's manager); carries expectedVersion.")
    async def shared_goal_update(self, info: strawberry.Info, input: inputs.SharedGoalUpdateInput) -> SharedGoalPayload:
        return await _payload(info, lambda **deps: handle.update_goal(commands.UpdateSharedGoal(
            goal_id=decode(input.id, "SharedGoal", field="id"), expected_version=input.expected_version,
            title=input.title, description=input.description, period_start=input.period_start,
            period_end=input.period_end,
            department_ids=(_decoded(input.department_ids, "Department", "departmentIds")
                            if input.department_ids is not None else None),
            key_results=_key_results(input.key_results)), **deps))
