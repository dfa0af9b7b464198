"""A shared goal end to end: a resolution over HTTP moves it, and `goalProgress` pushes it over a websocket."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.e2e.client import payload
from tests.e2e.live import Feed, live_session
from tests.support.org import Org

GOAL_CREATE = """mutation($input: SharedGoalCreateInput!) { sharedGoalCreate(input: $input) {
  sharedGoal { id } userErrors { code } } }"""
CREATE = """mutation($input: RequestCreateInput!) { requestCreate(input: $input) {
  request { id version } userErrors { code } } }"""
TRANSITION = """mutation($input: RequestTransitionInput!) { requestTransition(input: $input) {
  request { id version } userErrors { code } } }"""
PROGRESS = """subscription($goalId: ID!) { goalProgress(goalId: $goalId) {
  progress status keyResults { current sampleSize byDepartment { department { name } sampleSize } } } }"""


def laptop_goal(http, token: str, org: Org) -> str:
    now = datetime.now(UTC)
    return payload(
        http,
        GOAL_CREATE,
        token=token,
        input={
            "title": "Laptops back the same day",
            "departmentIds": [org.gid("Department", "it")],
            "periodStart": (now - timedelta(days=1)).isoformat(),
            "periodEnd": (now + timedelta(days=1)).isoformat(),
            "keyResults": [
                {
                    "title": "Laptops resolved",
                    "metric": "REQUESTS_RESOLVED",
                    "target": 100,
                    "scope": {"serviceIds": [org.gid("Service", "laptops")]},
                }
            ],
        },
    )["sharedGoal"]["id"]


def request_in_progress(http, employee: str, agent: str, org: Org) -> dict:
    request = payload(
        http, CREATE, token=employee, input={"serviceId": org.gid("Service", "laptops"), "title": "Screen flickers"}
    )["request"]
    return transition(http, agent, request, "IN_PROGRESS")


def transition(http, token: str, request: dict, to: str) -> dict:
    return payload(
        http, TRANSITION, token=token, input={"id": request["id"], "to": to, "expectedVersion": request["version"]}
    )["request"]


def counted(result: dict) -> tuple[float, int, float]:
    goal = result["goalProgress"]
    (key_result,) = goal["keyResults"]
    return key_result["current"], key_result["sampleSize"], goal["progress"]


async def test_a_resolution_moves_a_shared_goal_and_the_subscription_pushes_it(server, http, e2e_org: Org, token_for):
    manager, agent = token_for("it.manager@example.com"), token_for("it.agent@example.com")
    employee = token_for("employee@example.com")
    # given a goal counting IT's laptop resolutions and a request IT is working on
    goal_id = await asyncio.to_thread(laptop_goal, http, manager, e2e_org)
    request = await asyncio.to_thread(request_in_progress, http, employee, agent, e2e_org)
    async with live_session(server.url, manager) as session:
        # and the manager's wallboard subscribed to the goal
        feed = Feed(session, PROGRESS, goalId=goal_id)
        (initial,) = await feed.take(1)
        before, samples, _ = counted(initial)  # other tests on this server may have resolved laptops today
        # when IT resolves the request
        await asyncio.to_thread(transition, http, agent, request, "RESOLVED")
        # then the goal is pushed, one resolution further
        (moved,) = await feed.take(1)
        assert counted(moved) == (before + 1, samples + 1, (before + 1) / 100)
        assert moved["goalProgress"]["keyResults"][0]["byDepartment"] == [
            {"department": {"name": "IT"}, "sampleSize": samples + 1}
        ]
        await feed.stop()
