"""Journeys through GraphQL: mapping, a run through every stage, versions, retiring, cancelling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from schema import ids
from tests.graphql.journey_ops import (
    MAP_CREATE,
    MAP_RETIRE,
    MAP_REVISE,
    MAPS,
    NODE_MAP,
    RUN_CANCEL,
    RUNS,
    fetch_run,
    onboarding_input,
    request_titled,
    resolve,
    start,
)
from tests.graphql.request_ops import act, ok
from tests.support.journeys import add_journey_catalog
from tests.support.org import Org

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def onboarding(api, org: Org) -> dict:
    await add_journey_catalog(org)
    api.at(T0 - timedelta(days=1))
    return ok(await act(api, org.hr_manager, MAP_CREATE, **onboarding_input(org)), "journeyMap")


async def run_events(engine, run_id: str) -> list[tuple[str, str | None]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "select e.type, r.title from events e left join requests r on r.id = e.request_id "
                "where e.journey_run_id = :run order by e.seq"
            ),
            {"run": ids.parse(run_id)[1]},
        )
        return [(row.type, row.title) for row in rows]


async def test_a_manager_maps_a_journey_of_ordered_stages_with_touchpoints(api, org: Org, onboarding):
    # then the map reads back as written, version 1, active, with its departments
    assert (onboarding["name"], onboarding["version"], onboarding["active"]) == ("Onboarding", 1, True)
    assert [(s["name"], s["position"], s["targetMinutes"]) for s in onboarding["stages"]] == [
        ("Paperwork", 0, 60),
        ("Equipment", 1, 120),
        ("Welcome", 2, None),
    ]
    laptop = onboarding["stages"][1]["touchpoints"][0]
    assert laptop["department"]["name"] == "IT" and laptop["requestType"]["name"] == "New laptop"
    assert laptop["painPoints"] == ["Laptop not ready on day one"]
    assert {f["key"]: f["value"] for f in laptop["fields"]} == {
        "model": "13-inch",
        "needed_by": "{startDate}",
        "manager": "{sponsor}",
    }
    assert onboarding["stages"][2]["touchpoints"][0]["requestType"] is None
    assert sorted(d["name"] for d in onboarding["departments"]) == ["Facilities", "HR", "IT"]


async def test_a_run_goes_through_every_stage_and_completes(api, org: Org, onboarding):
    # given a run started for Jane, sponsored by the employee, starting next Monday
    api.at(T0)
    run = await start(
        api,
        org.hr_agent,
        onboarding["id"],
        sponsorId=org.gid("Person", "employee"),
        startAt="2026-03-09T09:00:00+00:00",
    )
    # then it is in its first stage, whose one request is raised for the sponsor, filled from the run
    assert (run["status"], run["currentStage"]["name"], run["onTrack"]) == ("ACTIVE", "Paperwork", True)
    (contract,) = run["requests"]
    assert contract["title"] == "Contract: Jane Doe" and contract["requester"]["email"] == "employee@example.com"
    assert {f["key"]: f["value"] for f in contract["fields"]} == {"employee": "Jane Doe", "start": "2026-03-09"}
    assert "Contract sent late" in contract["description"]
    assert contract["journeyRun"]["id"] == run["id"]

    # when HR resolves the contract 50 minutes later
    api.at(T0 + timedelta(minutes=50))
    await resolve(api, org.hr_agent, contract)
    run = await fetch_run(api, org.employee, run["id"])
    # then the run is in Equipment, with the laptop and the workplace requests opened
    assert run["currentStage"]["name"] == "Equipment"
    laptop, workplace = request_titled(run, "Laptop"), request_titled(run, "Workplace")
    assert {f["key"]: f["value"] for f in laptop["fields"]} == {
        "model": "13-inch",
        "needed_by": "2026-03-09",
        "budget": None,
        "manager": org.gid("Person", "employee"),
        "notes": None,
    }
    assert (laptop["ownerDepartment"]["name"], workplace["ownerDepartment"]["name"]) == ("IT", "Facilities")
    assert [s["minutes"] for s in run["stages"]] == [50, 0, None]

    # when IT resolves the laptop (after Facilities did its desk task): the stage still waits
    api.at(T0 + timedelta(minutes=100))
    await resolve(api, org.it_agent, laptop, task_worker=org.fac_agent)
    assert (await fetch_run(api, org.hr_agent, run["id"]))["currentStage"]["name"] == "Equipment"

    # when Facilities resolves the workplace, 190 minutes after the start
    api.at(T0 + timedelta(minutes=190))
    await resolve(api, org.fac_agent, workplace)
    run = await fetch_run(api, org.employee, run["id"])

    # then Equipment is left, Welcome (nothing to wait for) passed through, and the run completed
    assert (run["status"], run["currentStage"], run["completedAt"]) == ("COMPLETED", None, "2026-03-02T12:10:00+00:00")
    assert [(s["stage"]["name"], s["minutes"], s["onTime"]) for s in run["stages"]] == [
        ("Paperwork", 50, True),
        ("Equipment", 140, False),
        ("Welcome", 0, None),
    ]
    assert run["onTrack"] is False  # Equipment took 140 minutes against a target of 120
    assert [len(s["requests"]) for s in run["stages"]] == [1, 2, 0]
    assert all(r["status"] == "RESOLVED" for r in run["requests"])
    # and every step is in the event log, in order, carrying the run
    assert await run_events(api.engine, run["id"]) == [
        ("JourneyRunStarted", None),
        ("JourneyStageEntered", None),
        ("RequestCreated", "Contract: Jane Doe"),
        ("RequestTransitioned", "Contract: Jane Doe"),
        ("RequestTransitioned", "Contract: Jane Doe"),
        ("JourneyStageCompleted", None),
        ("JourneyStageEntered", None),
        ("RequestCreated", "Laptop: Jane Doe"),
        ("RequestCreated", "Workplace: Jane Doe"),
        ("TaskCompleted", "Laptop: Jane Doe"),
        ("RequestTransitioned", "Laptop: Jane Doe"),
        ("RequestTransitioned", "Laptop: Jane Doe"),
        ("RequestTransitioned", "Workplace: Jane Doe"),
        ("RequestTransitioned", "Workplace: Jane Doe"),
        ("JourneyStageCompleted", None),
        ("JourneyStageEntered", None),
        ("JourneyStageCompleted", None),
        ("JourneyRunCompleted", None),
    ]


async def test_revising_a_map_never_changes_a_run_already_started(api, org: Org, onboarding):
    # given a run on version 1
    api.at(T0)
    run = await start(api, org.hr_agent, onboarding["id"])
    # when the map is revised: Paperwork gets a 30-minute target and the Welcome stage is dropped
    revised_input = onboarding_input(org)
    revised_input["stages"][0]["targetMinutes"] = 30
    del revised_input["stages"][2]
    revised = ok(await act(api, org.hr_manager, MAP_REVISE, id=onboarding["id"], **revised_input), "journeyMap")
    # then version 2 is the current one, version 1 is retired and points to it
    assert (revised["version"], revised["active"], revised["previousVersion"]["id"]) == (2, True, onboarding["id"])
    old = (await api.ok(NODE_MAP, org.hr_manager, id=onboarding["id"]))["node"]
    assert (old["active"], old["nextVersion"]["id"]) == (False, revised["id"])
    # and the started run still follows version 1, all three stages, the 60-minute target
    run = await fetch_run(api, org.hr_agent, run["id"])
    assert run["map"]["version"] == 1
    assert [s["stage"]["name"] for s in run["stages"]] == ["Paperwork", "Equipment", "Welcome"]
    api.at(T0 + timedelta(minutes=45))
    await resolve(api, org.hr_agent, run["requests"][0])
    assert (await fetch_run(api, org.hr_agent, run["id"]))["stages"][0]["onTime"] is True
    # and new runs start on version 2
    assert (await start(api, org.hr_agent, revised["id"]))["map"]["version"] == 2


async def test_a_retired_map_keeps_its_runs_going(api, org: Org, onboarding):
    # given a run, then the map retired
    api.at(T0)
    run = await start(api, org.hr_agent, onboarding["id"])
    retired = ok(await act(api, org.hr_manager, MAP_RETIRE, id=onboarding["id"]), "journeyMap")
    assert (retired["active"], retired["retiredAt"]) == (False, "2026-03-02T09:00:00+00:00")
    # when the run's request is resolved, the run still moves on
    await resolve(api, org.hr_agent, run["requests"][0])
    assert (await fetch_run(api, org.hr_agent, run["id"]))["currentStage"]["name"] == "Equipment"


async def test_cancelling_a_run_cancels_its_open_requests_only(api, org: Org, onboarding):
    # given a run in Equipment whose laptop request is already resolved
    api.at(T0)
    run = await start(api, org.hr_agent, onboarding["id"], sponsorId=org.gid("Person", "employee"))
    await resolve(api, org.hr_agent, run["requests"][0])
    run = await fetch_run(api, org.employee, run["id"])
    await resolve(api, org.it_agent, request_titled(run, "Laptop"), task_worker=org.fac_agent)
    # when the sponsor cancels the run
    cancelled = ok(await act(api, org.employee, RUN_CANCEL, id=run["id"], reason="Offer withdrawn"), "journeyRun")
    # then the run is cancelled and so is the workplace request, while resolved ones stay resolved
    assert (cancelled["status"], cancelled["cancelledAt"], cancelled["currentStage"]) == (
        "CANCELLED",
        "2026-03-02T09:00:00+00:00",
        None,
    )
    assert {r["title"]: r["status"] for r in cancelled["requests"]} == {
        "Contract: Jane Doe": "RESOLVED",
        "Laptop: Jane Doe": "RESOLVED",
        "Workplace: Jane Doe": "CANCELLED",
    }
    assert (await run_events(api.engine, run["id"]))[-2:] == [
        ("JourneyRunCancelled", None),
        ("RequestTransitioned", "Workplace: Jane Doe"),
    ]


async def test_a_request_cancelled_by_its_department_lets_the_stage_go_on(api, org: Org, onboarding):
    # given a run in its first stage
    run = await start(api, org.hr_agent, onboarding["id"])
    # when HR cancels the contract request (not needed: the contract was signed on paper)
    (contract,) = run["requests"]
    ok(
        await act(
            api,
            org.hr_agent,
            "mutation($input: RequestTransitionInput!) { requestTransition(input: $input) "
            "{ request { id } userErrors { field code message } } }",
            id=contract["id"],
            to="CANCELLED",
            expectedVersion=contract["version"],
        )
    )
    # then the run enters the next stage
    assert (await fetch_run(api, org.hr_agent, run["id"]))["currentStage"]["name"] == "Equipment"


async def test_maps_and_runs_are_listed_with_filters_and_pages(api, org: Org, onboarding):
    # given two runs on version 1, a revision, one run on version 2, and one of them cancelled
    first = await start(api, org.hr_agent, onboarding["id"], subject="Ana")
    await start(api, org.hr_agent, onboarding["id"], subject="Ben")
    revised = ok(await act(api, org.hr_manager, MAP_REVISE, id=onboarding["id"], **onboarding_input(org)), "journeyMap")
    await start(api, org.hr_agent, revised["id"], subject="Cleo")
    ok(await act(api, org.hr_agent, RUN_CANCEL, id=first["id"]), "journeyRun")

    async def subjects(**filter) -> list[str]:
        page = (await api.ok(RUNS, org.hr_agent, first=10, filter=filter))["journeyRuns"]
        assert page["totalCount"] == len(page["edges"])
        return [e["node"]["subject"] for e in page["edges"]]

    # then runs list newest first, across versions unless asked for one version
    assert await subjects() == ["Cleo", "Ben", "Ana"]
    assert await subjects(mapId=onboarding["id"]) == ["Cleo", "Ben", "Ana"]
    assert await subjects(mapId=onboarding["id"], exactVersion=True) == ["Ben", "Ana"]
    assert await subjects(status=["CANCELLED"]) == ["Ana"]
    assert await subjects(sponsorId=org.gid("Person", "hr_agent"), departmentId=org.gid("Department", "it")) == [
        "Cleo",
        "Ben",
        "Ana",
    ]
    assert await subjects(mapId="bm9wZQ") == []
    # and pages follow one another
    page = (await api.ok(RUNS, org.hr_agent, first=2))["journeyRuns"]
    rest = (await api.ok(RUNS, org.hr_agent, first=2, after=page["pageInfo"]["endCursor"]))["journeyRuns"]
    assert page["pageInfo"]["hasNextPage"] and [e["node"]["subject"] for e in rest["edges"]] == ["Ana"]
    # and maps list by name, every version unless only the active ones are asked for
    maps = (await api.ok(MAPS, org.hr_agent, first=10))["journeyMaps"]
    assert [(e["node"]["version"], e["node"]["active"]) for e in maps["edges"]] == [(1, False), (2, True)]
    active = (await api.ok(MAPS, org.hr_agent, filter={"active": True, "search": "onboard"}))["journeyMaps"]
    assert [e["node"]["id"] for e in active["edges"]] == [revised["id"]]
    assert (await api.ok(MAPS, org.hr_agent, filter={"search": "payroll"}))["journeyMaps"]["totalCount"] == 0


async def test_a_runs_requests_carry_it_on_their_timeline(api, org: Org, onboarding):
    # given a run's first request
    run = await start(api, org.hr_agent, onboarding["id"], sponsorId=org.gid("Person", "employee"))
    (contract,) = run["requests"]
    # when its timeline is read
    query = """query($id: ID!) { node(id: $id) { ... on Request {
      activity(first: 5) { edges { node { type journeyRun { id subject } } } } } } }"""
    edges = (await api.ok(query, org.employee, id=contract["id"]))["node"]["activity"]["edges"]
    # then its events name the run
    assert [(e["node"]["type"], e["node"]["journeyRun"]) for e in edges] == [
        ("RequestCreated", {"id": run["id"], "subject": "Jane Doe"})
    ]
