"""Shared goals: managers set them for their department together with others."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain import commands
from domain.errors import DomainError, Forbidden, NotFound
from domain.goals import GoalChanges, KeyResult, SharedGoal, can_view_goal, new_goal
from domain.people import Person, Role
from domain.ports import UnitOfWork


async def create_goal(cmd: commands.CreateSharedGoal, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    if not (actor.is_admin or actor.role is Role.MANAGER):
        raise Forbidden("Only managers (and admins) set shared goals.")
    async with uow:
        # The goal's own rules first (they need no lookups), then whether what it names exists.
        goal = new_goal(
            actor,
            id=await uow.goals.next_id(),
            title=cmd.title,
            description=cmd.description,
            period_start=cmd.period_start,
            period_end=cmd.period_end,
            department_ids=list(cmd.department_ids),
            key_results=await _with_ids(uow, cmd.key_results),
            now=now,
        )
        await _require_references(uow, cmd.department_ids, cmd.key_results)
        await uow.goals.add(goal)
        _record(uow, goal)
        await uow.commit()
    return goal.id


async def update_goal(cmd: commands.UpdateSharedGoal, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    async with uow:
        goal = await uow.goals.get_for_update(cmd.goal_id)
        if goal is None or not can_view_goal(actor, goal.department_ids):
            raise NotFound("No such shared goal.", field=("id",))
        goal.check_editable_by(actor)
        goal.check_version(cmd.expected_version)
        goal.check_key_result_ids(cmd.key_results)
        key_results = await _with_ids(uow, cmd.key_results) if cmd.key_results is not None else None
        goal.update(
            actor,
            now=now,
            changes=GoalChanges(
                title=cmd.title,
                description=cmd.description,
                period_start=cmd.period_start,
                period_end=cmd.period_end,
                department_ids=cmd.department_ids,
                key_results=key_results,
            ),
        )
        await _require_references(uow, cmd.department_ids or (), cmd.key_results or ())
        if goal.events:
            await uow.goals.save(goal)
            _record(uow, goal)
        await uow.commit()
    return goal.id


async def decide_participation(
    cmd: commands.DecideGoalParticipation, *, uow: UnitOfWork, actor: Person, now: datetime
) -> int:
    """A department accepts the goal, sharing its figures with the goal's readers, or declines it."""
    async with uow:
        goal = await uow.goals.get_for_update(cmd.goal_id)
        if goal is None or not can_view_goal(actor, goal.department_ids):
            raise NotFound("No such shared goal.", field=("goalId",))
        goal.decide(
            actor, department_id=cmd.department_id, status=cmd.status, now=now, expected_version=cmd.expected_version
        )
        if goal.events:
            await uow.goals.save_participation(goal)
            _record(uow, goal)
        await uow.commit()
    return goal.id


def _record(uow: UnitOfWork, goal: SharedGoal) -> None:
    uow.record(goal.events)
    goal.events.clear()


async def _with_ids(uow: UnitOfWork, key_results: tuple[KeyResult, ...]) -> tuple[KeyResult, ...]:
    """New key results (no id yet) get one; existing ones keep theirs."""
    fresh = iter(await uow.goals.next_key_result_ids(sum(k.id is None for k in key_results)))
    return tuple(k if k.id is not None else replace(k, id=next(fresh)) for k in key_results)


async def _require_references(
    uow: UnitOfWork, department_ids: tuple[int, ...], key_results: tuple[KeyResult, ...]
) -> None:
    """Everything the input names must exist: departments, and what each key result is scoped to."""
    if set(department_ids) - await uow.departments.existing_ids(department_ids):
        raise NotFound("No such department.", field=("departmentIds",))
    for i, key_result in enumerate(key_results):
        await _require_scope(uow, key_result, path=("keyResults", str(i), "scope"))


async def _require_scope(uow: UnitOfWork, key_result: KeyResult, *, path: tuple[str, ...]) -> None:
    scope = key_result.scope
    if set(scope.department_ids) - await uow.departments.existing_ids(scope.department_ids):
        raise NotFound("No such department.", field=path + ("departmentIds",))
    if set(scope.service_ids) - await uow.references.existing_service_ids(list(scope.service_ids)):
        raise NotFound("No such service.", field=path + ("serviceIds",))
    services_of_types = await uow.references.services_of_request_types(list(scope.request_type_ids))
    if set(scope.request_type_ids) - set(services_of_types):
        raise NotFound("No such request type.", field=path + ("requestTypeIds",))
    if scope.service_ids and set(services_of_types.values()) - set(scope.service_ids):
        raise DomainError(
            "A request type in the scope belongs to none of its services, so it would match nothing.",
            field=path + ("requestTypeIds",),
            code="SCOPE_MISMATCH",
        )
    journey_map = scope.journey_map_id
    if journey_map is not None and journey_map not in await uow.references.existing_journey_map_ids([journey_map]):
        raise NotFound("No such journey map.", field=path + ("journeyMapId",))
