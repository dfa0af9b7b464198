"""A journey run watched through `journeyRunProgress` over a real websocket while people work
its requests over real HTTP, against the real server."""

from __future__ import annotations

import asyncio

import pytest
from gql import GraphQLRequest
from gql.transport.exceptions import TransportQueryError

from tests.e2e.client import data, payload
from tests.e2e.live import Feed, live_session
from tests.graphql.journey_ops import onboarding_input
from tests.support.journeys import add_journey_catalog
from tests.support.org import Org

PROGRESS = """subscription($runId: ID!) { journeyRunProgress(runId: $runId) {
  id status onTrack currentStage { name } stages { stage { name } enteredAt leftAt } } }"""
MAP_CREATE = """mutation($input: JourneyMapCreateInput!) { journeyMapCreate(input: $input) {
  journeyMap { id } userErrors { field code message } } }"""
RUN_START = """mutation($input: JourneyRunStartInput!) { journeyRunStart(input: $input) {
  journeyRun { id } userErrors { field code message } } }"""
RUN_REQUESTS = """query($id: ID!) { node(id: $id) { ... on JourneyRun {
  requests { id title version tasks { id status } } } } }"""
TRANSITION = """mutation($input: RequestTransitionInput!) { requestTransition(input: $input) {
  request { version } userErrors { field code message } } }"""
TASK_COMPLETE = """mutation($input: TaskCompleteInput!) { taskComplete(input: $input) {
  task { id } userErrors { field code message } } }"""


@pytest.fixture(scope="module")
async def onboarding(e2e_org: Org, http_module, token_for) -> str:
    await add_journey_catalog(e2e_org)
    created = await asyncio.to_thread(
        payload, http_module, MAP_CREATE, token=token_for("hr.manager@example.com"), input=onboarding_input(e2e_org)
    )
    return created["journeyMap"]["id"]


@pytest.fixture(scope="module")
def http_module(server):
    import httpx

    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def work(http, token: str, request: dict, *, task_token: str | None = None) -> None:
    """Complete the request's tasks, then start and resolve it."""
    version = request["version"]
    for task in request["tasks"]:
        payload(http, TASK_COMPLETE, token=task_token, input={"id": task["id"]})
        version += 1
    for status in ("IN_PROGRESS", "RESOLVED"):
        version = payload(
            http, TRANSITION, token=token, input={"id": request["id"], "to": status, "expectedVersion": version}
        )["request"]["version"]


def requests_of(http, token: str, run_id: str) -> dict[str, dict]:
    node = data(http, RUN_REQUESTS, token=token, id=run_id)["node"]
    return {r["title"].split(":")[0]: r for r in node["requests"]}


async def pushes_until(feed: Feed, done, timeout: float = 20) -> list[dict]:
    """Pushes received until one satisfies `done` (bursts may be coalesced into fewer pushes)."""
    seen: list[dict] = []
    while not seen or not done(seen[-1]):
        (result,) = await feed.take(1, timeout=timeout)
        seen.append(result["journeyRunProgress"])
    return seen


async def test_a_subscriber_watches_a_run_through_every_stage(server, http_module, e2e_org: Org, token_for, onboarding):
    http = http_module
    hr, it, facilities = (token_for(f"{d}@example.com") for d in ("hr.agent", "it.agent", "fac.agent"))
    employee = token_for("employee@example.com")
    run = (
        await asyncio.to_thread(
            payload,
            http,
            RUN_START,
            token=hr,
            input={"mapId": onboarding, "subject": "Jane Doe", "sponsorId": e2e_org.gid("Person", "employee")},
        )
    )["journeyRun"]
    async with live_session(server.url, employee) as session:
        # given the sponsor watching the run: the first push is the run as it is
        feed = Feed(session, PROGRESS, runId=run["id"])
        (first,) = await feed.take(1)
        assert (first["journeyRunProgress"]["status"], first["journeyRunProgress"]["currentStage"]) == (
            "ACTIVE",
            {"name": "Paperwork"},
        )

        # when HR resolves the contract, the run is pushed in its second stage
        contract = (await asyncio.to_thread(requests_of, http, employee, run["id"]))["Contract"]
        await asyncio.to_thread(work, http, hr, contract)
        equipment = await pushes_until(feed, lambda r: r["currentStage"] == {"name": "Equipment"})
        assert all(r["status"] == "ACTIVE" for r in equipment)

        # when IT (after Facilities' desk task) and Facilities resolve theirs, the run is pushed completed
        requests = await asyncio.to_thread(requests_of, http, employee, run["id"])
        await asyncio.to_thread(work, http, it, requests["Laptop"], task_token=facilities)
        await asyncio.to_thread(work, http, facilities, requests["Workplace"])
        final = (await pushes_until(feed, lambda r: r["status"] == "COMPLETED"))[-1]
        assert final["currentStage"] is None
        assert [(s["stage"]["name"], s["leftAt"] is not None) for s in final["stages"]] == [
            ("Paperwork", True),
            ("Equipment", True),
            ("Welcome", True),
        ]
        # and nothing more comes once the run is done
        assert await feed.nothing_more()
        await feed.stop()


async def test_a_run_the_viewer_may_not_see_cannot_be_watched(server, http_module, e2e_org: Org, token_for, onboarding):
    run = (
        await asyncio.to_thread(
            payload,
            http_module,
            RUN_START,
            token=token_for("hr.agent@example.com"),
            input={"mapId": onboarding, "subject": "John Roe"},
        )
    )["journeyRun"]
    async with live_session(server.url, token_for("other@example.com")) as session:
        with pytest.raises(TransportQueryError) as refused:
            async for _ in session.subscribe(GraphQLRequest(PROGRESS, variable_values={"runId": run["id"]})):
                pass
    assert refused.value.errors[0]["extensions"]["code"] == "NOT_FOUND"
