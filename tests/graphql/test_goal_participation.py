"""Accepting and declining a shared goal for a department: who may, and bad input that writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.graphql.goal_ops import GOAL_UPDATE, create_goal
from tests.graphql.request_ops import act, codes, ok, refused
from tests.graphql.test_goal_privacy import ACCEPT, DECLINE
from tests.support.org import Org

DEPARTMENT = ["input", "departmentId"]


@pytest.fixture
async def goal(api, org: Org) -> dict:
    """IT's manager's goal with IT and HR: IT accepted it by creating it, HR is invited."""
    return await create_goal(api, org, departments=("it", "hr"))


def statuses(goal: dict) -> dict[str, str]:
    return {p["department"]["name"]: p["status"] for p in goal["participation"]}


async def goal_events(api) -> list[tuple[str, dict]]:
    async with api.engine.connect() as conn:
        rows = await conn.execute(text("select type, payload from events where type like 'SharedGoal%' order by seq"))
        return [(r.type, r.payload) for r in rows]


async def test_a_new_goal_is_accepted_by_its_creators_department_and_others_are_invited(api, org: Org, goal):
    read = (
        await api.ok(
            """query($id: ID!) { node(id: $id) { ... on SharedGoal {
        participation { department { name } status decidedAt decidedBy { email } } } } }""",
            org.hr_agent,
            id=goal["id"],
        )
    )["node"]
    assert [(p["department"]["name"], p["status"], p["decidedBy"]) for p in read["participation"]] == [
        ("HR", "INVITED", None),
        ("IT", "ACCEPTED", {"email": "it.manager@example.com"}),
    ]


async def test_hr_accepts_once_and_a_second_accept_writes_nothing(api, org: Org, goal):
    accepted = ok(
        await act(
            api, org.hr_manager, ACCEPT, goalId=goal["id"], departmentId=org.gid("Department", "hr"), expectedVersion=1
        ),
        "sharedGoal",
    )
    assert statuses(accepted) == {"HR": "ACCEPTED", "IT": "ACCEPTED"}
    assert accepted["version"] == 1  # the goal's content did not change
    events = await goal_events(api)
    assert events[-1][0] == "SharedGoalAccepted"
    # when accepted again: the same answer, no new event
    again = ok(
        await act(
            api, org.hr_manager, ACCEPT, goalId=goal["id"], departmentId=org.gid("Department", "hr"), expectedVersion=1
        ),
        "sharedGoal",
    )
    assert statuses(again) == statuses(accepted) and await goal_events(api) == events


@pytest.mark.parametrize(
    ("who", "department", "code", "field"),
    [
        ("it_manager", "hr", "FORBIDDEN", DEPARTMENT),  # a manager speaks for their own department only
        ("hr_agent", "hr", "FORBIDDEN", DEPARTMENT),  # an agent does not speak for it
        ("hr_manager", "facilities", "DEPARTMENT_NOT_PARTICIPATING", DEPARTMENT),
        ("admin", "facilities", "DEPARTMENT_NOT_PARTICIPATING", DEPARTMENT),
        ("fac_agent", "hr", "NOT_FOUND", ["input", "goalId"]),  # the goal is not Facilities'
        ("employee", "hr", "NOT_FOUND", ["input", "goalId"]),
    ],
)
@pytest.mark.parametrize("mutation", ["accept", "decline"])
async def test_who_may_not_decide_is_refused_and_nothing_is_written(
    api, org: Org, goal, who, department, code, field, mutation
):
    input = {"goalId": goal["id"], "departmentId": org.gid("Department", department)}
    if mutation == "accept":
        input["expectedVersion"] = 1
    errors = await refused(api, getattr(org, who), ACCEPT if mutation == "accept" else DECLINE, **input)
    assert codes(errors) == [(code, field)]


async def test_accepting_a_goal_changed_since_it_was_read_is_stale(api, org: Org, goal):
    # given IT's manager changed the goal after HR's manager read version 1
    ok(await act(api, org.it_manager, GOAL_UPDATE, id=goal["id"], expectedVersion=1, title="Changed"), "sharedGoal")
    # then accepting version 1 is refused, and nothing is written
    errors = await refused(
        api, org.hr_manager, ACCEPT, goalId=goal["id"], departmentId=org.gid("Department", "hr"), expectedVersion=1
    )
    assert codes(errors) == [("STALE_VERSION", ["input", "expectedVersion"])]


@pytest.mark.parametrize(
    ("input", "code", "field"),
    [
        ({"goalId": "bogus"}, "NOT_FOUND", ["input", "goalId"]),
        ({"goalId": "U2hhcmVkR29hbDo5OTk5OTk5"}, "NOT_FOUND", ["input", "goalId"]),  # SharedGoal:9999999
        ({"departmentId": "bogus"}, "NOT_FOUND", DEPARTMENT),
        ({"departmentId": "RGVwYXJ0bWVudDo5OTk"}, "DEPARTMENT_NOT_PARTICIPATING", DEPARTMENT),  # Department:999
    ],
)
async def test_bad_ids_are_refused_and_nothing_is_written(api, org: Org, goal, input, code, field):
    given = {"goalId": goal["id"], "departmentId": org.gid("Department", "hr"), "expectedVersion": 1, **input}
    assert codes(await refused(api, org.hr_manager, ACCEPT, **given)) == [(code, field)]


async def test_a_change_to_what_is_measured_invites_again_and_says_so(api, org: Org, goal):
    ok(
        await act(
            api, org.hr_manager, ACCEPT, goalId=goal["id"], departmentId=org.gid("Department", "hr"), expectedVersion=1
        ),
        "sharedGoal",
    )
    # when IT's manager moves the period
    ok(
        await act(api, org.it_manager, GOAL_UPDATE, id=goal["id"], expectedVersion=1, periodEnd="2026-12-15T00:00:00Z"),
        "sharedGoal",
    )
    # then HR is invited again, and the update's event names it
    (kind, payload) = (await goal_events(api))[-1]
    assert (kind, payload["changed"], payload["askedAgain"]) == (
        "SharedGoalUpdated",
        ["periodEnd"],
        [org.departments["hr"]],
    )


async def test_an_admin_decides_for_any_department(api, org: Org, goal):
    declined = ok(
        await act(api, org.admin, DECLINE, goalId=goal["id"], departmentId=org.gid("Department", "it")), "sharedGoal"
    )
    assert statuses(declined) == {"HR": "INVITED", "IT": "DECLINED"}
