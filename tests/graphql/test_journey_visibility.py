"""Who sees journey maps and runs (domain.journey_access): node lookups and lists agree."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.graphql.journey_ops import MAP_CREATE, MAPS, RUN_START, RUNS, onboarding_input, resolve, start, touchpoint
from tests.graphql.request_ops import NODE, WATCH, act, ok
from tests.support.journeys import add_journey_catalog
from tests.support.org import Org

EVERYONE = ("admin", "it_agent", "it_manager", "hr_agent", "hr_manager", "fac_agent", "employee", "other")


@pytest.fixture
async def world(api, org: Org) -> dict:
    """Onboarding (HR, IT, Facilities) with a run for the employee; Leaving (HR only) with a run for HR's agent."""
    await add_journey_catalog(org)
    onboarding = ok(await act(api, org.admin, MAP_CREATE, **onboarding_input(org)), "journeyMap")
    leaving = ok(
        await act(
            api,
            org.hr_manager,
            MAP_CREATE,
            name="Leaving",
            stages=[
                {
                    "name": "Exit",
                    "touchpoints": [
                        touchpoint(
                            "Exit contract",
                            "hr",
                            org,
                            "contract",
                            fields=[
                                {"key": "employee", "value": "{subject}"},
                                {"key": "start", "value": "{startDate}"},
                            ],
                        )
                    ],
                }
            ],
        ),
        "journeyMap",
    )
    run = await start(api, org.hr_agent, onboarding["id"], sponsorId=org.gid("Person", "employee"))
    exit_run = await start(api, org.hr_agent, leaving["id"], subject="Sam Leaver")
    return {"onboarding": onboarding, "leaving": leaving, "run": run, "exit_run": exit_run}


async def who_sees(api, org: Org, global_id: str) -> set[str]:
    seen = set()
    for name in EVERYONE:
        node = (await api.ok(NODE, getattr(org, name), id=global_id))["node"]
        if node is not None:
            seen.add(name)
    return seen


async def test_a_map_is_seen_by_admins_managers_the_departments_in_it_and_sponsors_of_its_runs(api, org: Org, world):
    assert await who_sees(api, org, world["onboarding"]["id"]) == set(EVERYONE) - {"other"}
    assert await who_sees(api, org, world["leaving"]["id"]) == {"admin", "it_manager", "hr_agent", "hr_manager"}


async def test_a_run_is_seen_by_admins_its_sponsor_and_the_departments_doing_its_work(api, org: Org, world):
    assert await who_sees(api, org, world["run"]["id"]) == set(EVERYONE) - {"other"}
    # a manager of a department outside the journey sees the map but not who is going through it
    assert await who_sees(api, org, world["exit_run"]["id"]) == {"admin", "hr_agent", "hr_manager"}


async def test_lists_show_what_node_lookups_show(api, org: Org, world):
    for name in EVERYONE:
        viewer = getattr(org, name)
        maps = (await api.ok(MAPS, viewer, first=10))["journeyMaps"]
        runs = (await api.ok(RUNS, viewer, first=10))["journeyRuns"]
        for connection, key in ((maps, "onboarding"), (maps, "leaving"), (runs, "run"), (runs, "exit_run")):
            listed = world[key]["id"] in {e["node"]["id"] for e in connection["edges"]}
            assert listed == (name in await who_sees(api, org, world[key]["id"])), (name, key)
        assert maps["totalCount"] == len(maps["edges"]) and runs["totalCount"] == len(runs["edges"])


async def test_a_runs_requests_are_shown_as_each_viewer_may_see_them(api, org: Org, world):
    # given the run in its second stage (IT laptop with a Facilities task, Facilities workplace)
    await resolve(api, org.hr_agent, world["run"]["requests"][0])
    query = """query($id: ID!) { node(id: $id) { ... on JourneyRun { requests { title } } } }"""

    async def titles(viewer) -> list[str]:
        return [r["title"] for r in (await api.ok(query, viewer, id=world["run"]["id"]))["node"]["requests"]]

    # then the sponsor sees all three, each department only its own work
    assert await titles(org.employee) == ["Contract: Jane Doe", "Laptop: Jane Doe", "Workplace: Jane Doe"]
    assert await titles(org.it_agent) == ["Laptop: Jane Doe"]
    assert await titles(org.fac_agent) == ["Laptop: Jane Doe", "Workplace: Jane Doe"]  # a task on the laptop
    assert await titles(org.hr_agent) == ["Contract: Jane Doe"]


async def test_a_request_links_its_run_only_for_those_who_may_see_the_run(api, org: Org, world):
    # given someone outside the journey watching its contract request
    contract = world["run"]["requests"][0]
    ok(await act(api, org.hr_agent, WATCH, id=contract["id"], personId=org.gid("Person", "other")))
    query = """query($id: ID!) { node(id: $id) { ... on Request { title journeyRun { subject } } } }"""
    # then they see the request but not the run; the sponsor sees both
    assert (await api.ok(query, org.other, id=contract["id"]))["node"] == {
        "title": "Contract: Jane Doe",
        "journeyRun": None,
    }
    assert (await api.ok(query, org.employee, id=contract["id"]))["node"]["journeyRun"] == {"subject": "Jane Doe"}


SERVICE_UPDATE = """mutation($input: ServiceUpdateInput!) { serviceUpdate(input: $input) {
  service { id } userErrors { field code message } } }"""
TOUCHPOINT_FORMS = """query($id: ID!) { node(id: $id) { ... on JourneyMap { stages { touchpoints {
  name requestType { name service { name description } } } } } } }"""


async def test_a_retired_service_shows_through_a_map_only_to_those_who_may_see_the_service(api, org: Org, world):
    # given Facilities' workplace service renamed, then retired, after the map was made
    workplace = org.gid("Service", "workplace")
    ok(
        await act(
            api,
            org.admin,
            SERVICE_UPDATE,
            id=workplace,
            name="Desk moves (Tower B)",
            description="Only for the Tower B refit",
        ),
        "service",
    )
    ok(await act(api, org.admin, SERVICE_UPDATE, id=workplace, active=False), "service")
    for name in EVERYONE:
        node = (await api.ok(TOUCHPOINT_FORMS, getattr(org, name), id=world["onboarding"]["id"]))["node"]
        if node is None:
            continue
        forms = {tp["name"]: tp["requestType"] for stage in node["stages"] for tp in stage["touchpoints"]}
        # then the touchpoint's form (and so its service) shows exactly where node(id:) shows the service
        if await who_sees_one(api, getattr(org, name), workplace):
            assert forms["Workplace"] == {
                "name": "Workplace for a starter",
                "service": {"name": "Desk moves (Tower B)", "description": "Only for the Tower B refit"},
            }, name
        else:
            assert forms["Workplace"] is None, name
        assert forms["Laptop"]["service"]["name"] == "Laptops", name  # an active service shows to everyone
    assert {n for n in EVERYONE if await who_sees_one(api, getattr(org, n), workplace)} == {"admin", "fac_agent"}


async def test_a_run_refused_for_a_retired_service_is_not_told_its_name(api, org: Org, world):
    # given the workplace service renamed, then retired
    workplace = org.gid("Service", "workplace")
    ok(await act(api, org.admin, SERVICE_UPDATE, id=workplace, name="Desk moves (Tower B)"), "service")
    ok(await act(api, org.admin, SERVICE_UPDATE, id=workplace, active=False), "service")
    # when HR, which may not see it any more, starts a run
    payload = await act(api, org.hr_agent, RUN_START, mapId=world["onboarding"]["id"], subject="Jo")
    # then it is refused without naming the service
    assert [e["code"] for e in payload["userErrors"]] == ["TOUCHPOINT_SERVICE_INACTIVE"]
    assert "Tower B" not in payload["userErrors"][0]["message"]


async def test_a_touchpoint_skipped_on_a_retired_service_is_not_told_its_name(api, org: Org, world):
    # given the run in its first stage, and the workplace service (stage 2) renamed and retired
    workplace = org.gid("Service", "workplace")
    ok(await act(api, org.admin, SERVICE_UPDATE, id=workplace, name="Desk moves (Tower B)"), "service")
    ok(await act(api, org.admin, SERVICE_UPDATE, id=workplace, active=False), "service")
    # when HR resolves the contract, so the run enters stage 2 without the workplace request
    await resolve(api, org.hr_agent, world["run"]["requests"][0])
    # then the event saying so (which HR and IT read in their feeds) does not name the service
    reasons = await skipped_reasons(api)
    assert reasons == ["Its service is retired."]


async def skipped_reasons(api) -> list[str]:
    async with api.engine.connect() as conn:
        rows = await conn.execute(text("select payload from events where type = 'JourneyTouchpointSkipped'"))
        return [row.payload["reason"] for row in rows]


async def who_sees_one(api, viewer, global_id: str) -> bool:
    return (await api.ok(NODE, viewer, id=global_id))["node"] is not None
