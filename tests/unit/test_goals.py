"""Shared goal rules (domain.goals): who sets them, what they may contain, how updates apply."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import DomainError, Forbidden
from domain.goals import Direction, GoalChanges, KeyResult, Metric, Scope, can_view_goal, new_goal
from tests.unit.example_org import (
    ADMIN,
    EMPLOYEE,
    FAC_AGENT,
    FACILITIES,
    HR,
    HR_AGENT,
    HR_MANAGER,
    IT,
    IT_AGENT,
    IT_MANAGER,
    LATER,
    NOW,
)

P90 = KeyResult(
    id=1,
    title=" P90 within a day ",
    metric=Metric.P90_RESOLUTION_HOURS,
    direction=Direction.AT_MOST,
    target=8,
    scope=Scope(department_ids=(IT, IT)),
)


def _goal(actor=IT_MANAGER, **overrides):
    values = {
        "id": 1,
        "title": " Resolve within a working day ",
        "description": "",
        "period_start": NOW,
        "period_end": NOW + timedelta(days=30),
        "department_ids": [HR, IT, IT],
        "key_results": [P90],
        "now": NOW,
        **overrides,
    }
    return new_goal(actor, **values)


def test_a_new_goal_is_trimmed_and_records_an_event_for_its_departments():
    # when
    goal = _goal()
    # then
    assert goal.title == "Resolve within a working day"
    assert goal.department_ids == sorted([IT, HR])
    assert goal.key_results[0].title == "P90 within a day"
    assert goal.key_results[0].scope.department_ids == (IT,)
    (event,) = goal.events
    assert (event.type, event.department_ids, event.payload["goalId"]) == (
        "SharedGoalCreated",
        tuple(sorted([IT, HR])),
        1,
    )


def test_readers_are_the_participating_departments_and_admins():
    goal = _goal()
    assert [
        p.email
        for p in (ADMIN, IT_AGENT, IT_MANAGER, HR_AGENT, HR_MANAGER, FAC_AGENT, EMPLOYEE)
        if can_view_goal(p, goal.department_ids)
    ] == [p.email for p in (ADMIN, IT_AGENT, IT_MANAGER, HR_AGENT, HR_MANAGER)]


def test_a_manager_must_take_part():
    with pytest.raises(Forbidden):
        _goal(HR_MANAGER, department_ids=[IT, FACILITIES])


def test_an_update_applies_only_what_changed_and_steps_the_version():
    # given
    goal = _goal()
    goal.events.clear()
    # when
    goal.update(HR_MANAGER, now=LATER, changes=GoalChanges(title="Resolve fast", description=""))
    # then
    assert (goal.title, goal.version, goal.updated_at) == ("Resolve fast", 2, LATER)
    (event,) = goal.events
    assert event.payload["changed"] == ["title"]


def test_a_refused_update_changes_nothing():
    # given
    goal = _goal()
    # when
    with pytest.raises(DomainError) as refused:
        goal.update(IT_MANAGER, now=LATER, changes=GoalChanges(title="Later", period_end=NOW - timedelta(days=1)))
    # then
    assert refused.value.code == "INVALID_PERIOD"
    assert (goal.title, goal.version) == ("Resolve within a working day", 1)
