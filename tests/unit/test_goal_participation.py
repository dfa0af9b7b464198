"""Departments accepting or declining a shared goal (domain.goal_participation, SharedGoal.decide)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import DomainError, Forbidden, StaleVersion
from domain.goal_participation import INVITED, Decision, Participation, after_change, asked_again, on_creation
from domain.people import Person, Role

P = Participation
NOW = datetime(2026, 12, 1, tzinfo=UTC)
IT, HR, FAC = 1, 2, 3
IT_MANAGER = Person(id=10, name="I", email="i@x.io", role=Role.MANAGER, department_id=IT)
HR_MANAGER = Person(id=11, name="H", email="h@x.io", role=Role.MANAGER, department_id=HR)
ADMIN = Person(id=1, name="A", email="a@x.io", role=Role.ADMIN, department_id=None)


def test_a_creator_accepts_for_the_department_they_manage():
    assert on_creation(IT_MANAGER, [IT, HR], now=NOW) == {IT: Decision(P.ACCEPTED, 10, NOW), HR: INVITED}
    assert on_creation(ADMIN, [IT, HR], now=NOW) == {IT: INVITED, HR: INVITED}


def test_a_measured_change_invites_the_others_again_and_keeps_declines():
    decisions = {
        IT: Decision(P.ACCEPTED, 10, NOW),
        HR: Decision(P.ACCEPTED, 11, NOW),
        FAC: Decision(P.DECLINED, 1, NOW),
    }
    after = after_change(decisions, [IT, HR, FAC, 4], actor=IT_MANAGER, measured=True)
    assert after == {IT: decisions[IT], HR: INVITED, FAC: decisions[FAC], 4: INVITED}
    assert asked_again(decisions, after) == [HR]
    assert after_change(decisions, [IT, HR, FAC], actor=IT_MANAGER, measured=False) == decisions


def _goal():
    from domain.goals import Direction, KeyResult, Metric, new_goal

    return new_goal(
        IT_MANAGER,
        id=1,
        title="Goal",
        description="",
        period_start=NOW,
        period_end=NOW.replace(month=12, day=31),
        department_ids=[IT, HR],
        key_results=[KeyResult(1, "KR", Metric.OPEN_BACKLOG, Direction.AT_MOST, 3)],
        now=NOW,
    )


def test_a_department_manager_accepts_at_the_version_read():
    goal = _goal()
    goal.events.clear()
    with pytest.raises(StaleVersion):
        goal.decide(HR_MANAGER, department_id=HR, status=P.ACCEPTED, now=NOW, expected_version=2)
    with pytest.raises(Forbidden):
        goal.decide(IT_MANAGER, department_id=HR, status=P.ACCEPTED, now=NOW, expected_version=1)
    with pytest.raises(DomainError) as refused:
        goal.decide(ADMIN, department_id=FAC, status=P.DECLINED, now=NOW)
    assert refused.value.code == "DEPARTMENT_NOT_PARTICIPATING"
    assert goal.events == [] and goal.participation[HR] is INVITED
    goal.decide(HR_MANAGER, department_id=HR, status=P.ACCEPTED, now=NOW, expected_version=1)
    assert goal.participation[HR] == Decision(P.ACCEPTED, 11, NOW)
    assert [e.type for e in goal.events] == ["SharedGoalAccepted"] and goal.version == 1
