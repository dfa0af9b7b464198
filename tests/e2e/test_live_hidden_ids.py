"""`goalProgress`, `journeyRunProgress`, `departmentStats` and `events` on an ID the viewer may not
see, over a raw websocket:
the operation fails with an `error` message coded NOT_FOUND (as an unknown request in `events`
does), never a `next` without data."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
import websockets

from tests.e2e.client import data, payload
from tests.e2e.live import ws_url
from tests.support.org import Org

GOAL_CREATE = """mutation($input: SharedGoalCreateInput!) { sharedGoalCreate(input: $input) {
  sharedGoal { id } userErrors { field code message } } }"""
MAP_CREATE = """mutation($input: JourneyMapCreateInput!) { journeyMapCreate(input: $input) {
  journeyMap { id } userErrors { field code message } } }"""
RUN_START = """mutation($input: JourneyRunStartInput!) { journeyRunStart(input: $input) {
  journeyRun { id } userErrors { field code message } } }"""
REQUEST_CREATE = """mutation($input: RequestCreateInput!) { requestCreate(input: $input) {
  request { id } userErrors { field code message } } }"""
GOAL_PROGRESS = "subscription($id: ID!) { goalProgress(goalId: $id) { title } }"
RUN_PROGRESS = "subscription($id: ID!) { journeyRunProgress(runId: $id) { subject } }"
STATS = "subscription($id: ID!) { departmentStats(departmentId: $id) { open } }"
# A fragment at the root: not the hub's path (api.ws_operations.PreparedOperation.is_event_feed).
EVENTS_IN_FRAGMENT = """subscription($request: ID, $department: ID) { ...Feed }
fragment Feed on Subscription { events(requestId: $request, departmentId: $department) { cursor } }"""
NO_DEPARTMENT = "RGVwYXJ0bWVudDo5OTk5OTk5"  # Department:9999999
NO_GOAL = "U2hhcmVkR29hbDo5OTk5OTk5"  # SharedGoal:9999999
NO_RUN = "Sm91cm5leVJ1bjo5OTk5OTk5"  # JourneyRun:9999999


def it_goal(http, token: str, org: Org) -> str:
    now = datetime.now(UTC)
    return payload(
        http,
        GOAL_CREATE,
        token=token,
        input={
            "title": "IT's own",
            "departmentIds": [org.gid("Department", "it")],
            "periodStart": (now - timedelta(days=1)).isoformat(),
            "periodEnd": (now + timedelta(days=1)).isoformat(),
            "keyResults": [{"title": "Resolved", "metric": "REQUESTS_RESOLVED", "target": 10}],
        },
    )["sharedGoal"]["id"]


def hr_run(http, manager: str, agent: str, org: Org) -> str:
    journey = payload(
        http,
        MAP_CREATE,
        token=manager,
        input={
            "name": "Welcome",
            "stages": [
                {
                    "name": "Lunch",
                    "touchpoints": [{"name": "Welcome lunch", "departmentId": org.gid("Department", "hr")}],
                }
            ],
        },
    )
    return payload(http, RUN_START, token=agent, input={"mapId": journey["journeyMap"]["id"], "subject": "John Roe"})[
        "journeyRun"
    ]["id"]


async def first_answer(server, token: str, query: str, **variables) -> dict:
    async with websockets.connect(ws_url(server.url), subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {"query": query, "variables": variables}}))
        return json.loads(await asyncio.wait_for(ws.recv(), 15))


@pytest.mark.parametrize("hidden", ["someone else's", "unknown"])
async def test_a_goal_the_viewer_may_not_see_is_an_error_message(server, http, e2e_org: Org, token_for, hidden):
    # given a goal of IT's, which a requester may not see (or an ID naming no goal)
    goal = await asyncio.to_thread(it_goal, http, token_for("it.manager@example.com"), e2e_org)
    goal_id = goal if hidden == "someone else's" else NO_GOAL
    # when the requester subscribes to it
    answer = await first_answer(server, token_for("employee@example.com"), GOAL_PROGRESS, id=goal_id)
    # then
    assert answer["type"] == "error" and answer["id"] == "1", answer
    assert [(e["message"], e["extensions"]["code"]) for e in answer["payload"]] == [
        ("No shared goal has this ID.", "NOT_FOUND")
    ]


@pytest.mark.parametrize("hidden", ["someone else's", "unknown"])
async def test_a_run_the_viewer_may_not_see_is_an_error_message(server, http, e2e_org: Org, token_for, hidden):
    # given a run of HR's that names no one else, which another requester may not see
    run = await asyncio.to_thread(
        hr_run, http, token_for("hr.manager@example.com"), token_for("hr.agent@example.com"), e2e_org
    )
    run_id = run if hidden == "someone else's" else NO_RUN
    # when the requester subscribes to it
    answer = await first_answer(server, token_for("other@example.com"), RUN_PROGRESS, id=run_id)
    # then
    assert answer["type"] == "error" and answer["id"] == "1", answer
    assert [(e["message"], e["extensions"]["code"]) for e in answer["payload"]] == [
        ("No journey run has this ID.", "NOT_FOUND")
    ]


async def test_a_goal_the_viewer_may_see_is_sent_at_once(server, http, e2e_org: Org, token_for):
    goal = await asyncio.to_thread(it_goal, http, token_for("it.manager@example.com"), e2e_org)
    answer = await first_answer(server, token_for("it.agent@example.com"), GOAL_PROGRESS, id=goal)
    assert answer == {"id": "1", "type": "next", "payload": {"data": {"goalProgress": {"title": "IT's own"}}}}


@pytest.mark.parametrize("hidden", ["unknown", "another kind's"])
async def test_stats_of_a_department_there_is_not_are_an_error_message(server, e2e_org: Org, token_for, hidden):
    department_id = NO_DEPARTMENT if hidden == "unknown" else e2e_org.gid("Service", "laptops")
    answer = await first_answer(server, token_for("it.agent@example.com"), STATS, id=department_id)
    assert answer["type"] == "error" and answer["id"] == "1", answer
    assert [(e["message"], e["extensions"]["code"]) for e in answer["payload"]] == [
        ("No department has this ID.", "NOT_FOUND")
    ]


async def test_stats_of_a_department_are_sent_at_once(server, e2e_org: Org, token_for):
    answer = await first_answer(server, token_for("it.agent@example.com"), STATS, id=e2e_org.gid("Department", "hr"))
    assert answer["type"] == "next" and "errors" not in answer["payload"], answer
    assert isinstance(answer["payload"]["data"]["departmentStats"]["open"], int)


@pytest.mark.parametrize(
    ("argument", "message"), [("request", "No request has this ID."), ("department", "No department has this ID.")]
)
async def test_events_behind_a_fragment_on_an_id_not_seen_are_an_error_message(
    server, http, e2e_org: Org, token_for, argument, message
):
    # given a request of Emma's, which Otto may not see (or a department there is not)
    if argument == "request":
        hidden = (
            await asyncio.to_thread(
                data,
                http,
                REQUEST_CREATE,
                token=token_for("employee@example.com"),
                input={"serviceId": e2e_org.gid("Service", "laptops"), "title": "Mine"},
            )
        )["requestCreate"]["request"]["id"]
    else:
        hidden = NO_DEPARTMENT
    # when Otto subscribes to its events, the field inside a fragment
    answer = await first_answer(server, token_for("other@example.com"), EVENTS_IN_FRAGMENT, **{argument: hidden})
    # then
    assert answer["type"] == "error" and answer["id"] == "1", answer
    assert [(e["message"], e["extensions"]["code"]) for e in answer["payload"]] == [(message, "NOT_FOUND")]
