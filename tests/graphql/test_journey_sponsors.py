"""Who raises a run's requests (whoever started it, at every stage) and whom a run may be for
(domain.journey_access.can_sponsor)."""

from __future__ import annotations

import pytest

from tests.graphql.journey_ops import MAP_CREATE, RUN_START, onboarding_input, request_titled, resolve, start
from tests.graphql.journey_ops import touchpoint as touchpoint_input
from tests.graphql.request_ops import act, codes, ok, refused
from tests.support.journeys import add_journey_catalog
from tests.support.org import Org

RAISED = """query($id: ID!) { node(id: $id) { ... on Request { requester { email }
  activity(first: 1) { edges { node { type actor { email } } } } } } }"""


@pytest.fixture
async def maps(api, org: Org) -> dict:
    """Onboarding (HR, IT, Facilities), and Leaving, in which only HR takes part."""
    await add_journey_catalog(org)
    onboarding = ok(await act(api, org.hr_manager, MAP_CREATE, **onboarding_input(org)), "journeyMap")
    leaving = ok(
        await act(
            api,
            org.hr_manager,
            MAP_CREATE,
            name="Leaving",
            stages=[{"name": "Exit", "touchpoints": [touchpoint_input("Exit talk", "hr", org)]}],
        ),
        "journeyMap",
    )
    return {"onboarding": onboarding["id"], "leaving": leaving["id"]}


async def raised(api, org: Org, request: dict) -> tuple[str, str, str]:
    """(event type, who raised it, its requester), read as an admin."""
    node = (await api.ok(RAISED, org.admin, id=request["id"]))["node"]
    (created,) = node["activity"]["edges"]
    return created["node"]["type"], created["node"]["actor"]["email"], node["requester"]["email"]


async def test_an_agent_naming_an_admin_as_sponsor_is_refused_and_nothing_is_written(api, org: Org, maps):
    # when HR's agent starts an onboarding run naming the admin as its sponsor
    errors = await refused(
        api, org.hr_agent, RUN_START, mapId=maps["onboarding"], subject="Jane Doe", sponsorId=org.gid("Person", "admin")
    )
    # then it is refused, on sponsorId, and (refused() checks) nothing is written
    assert codes(errors) == [("SPONSOR_NOT_ALLOWED", ["input", "sponsorId"])]


async def test_the_starter_raises_every_request_of_the_run_for_its_sponsor(api, org: Org, maps):
    # given a run HR's agent starts for IT's manager (IT takes part in onboarding)
    run = await start(api, org.hr_agent, maps["onboarding"], sponsorId=org.gid("Person", "it_manager"))
    # then the first stage's request is raised by HR's agent, for IT's manager
    contract = request_titled(run, "Contract")
    assert await raised(api, org, contract) == ("RequestCreated", "hr.agent@example.com", "it.manager@example.com")
    # when HR's manager resolves it, so the run opens the next stage's requests
    await resolve(api, org.hr_manager, contract)
    equipment = (
        await api.ok(
            """query($id: ID!) { node(id: $id) { ... on JourneyRun {
        requests { id title } } } }""",
            org.admin,
            id=run["id"],
        )
    )["node"]
    # then those are raised by the run's starter too, not by who resolved the last one, nor the sponsor
    for title in ("Laptop", "Workplace"):
        assert await raised(api, org, request_titled(equipment, title)) == (
            "RequestCreated",
            "hr.agent@example.com",
            "it.manager@example.com",
        ), title


@pytest.mark.parametrize(
    ("starter", "sponsor", "journey", "allowed"),
    [
        ("hr_agent", None, "onboarding", True),  # themselves
        ("hr_agent", "hr_agent", "onboarding", True),
        ("hr_agent", "employee", "onboarding", True),  # a requester
        ("hr_agent", "it_agent", "onboarding", True),  # staff of a department taking part
        ("hr_agent", "it_manager", "onboarding", True),  # e.g. the hiring manager
        ("hr_agent", "admin", "onboarding", False),
        ("hr_agent", "it_manager", "leaving", False),  # IT takes no part in leaving
        ("hr_manager", "it_agent", "leaving", False),
        ("hr_manager", "admin", "leaving", False),
        ("admin", "it_manager", "leaving", True),  # admins name anyone
        ("admin", "admin", "leaving", True),
    ],
)
async def test_whom_a_run_may_be_for(api, org: Org, maps, starter, sponsor, journey, allowed):
    input = {"mapId": maps[journey], "subject": "Sam"}
    if sponsor is not None:
        input["sponsorId"] = org.gid("Person", sponsor)
    if allowed:
        run = await start(api, getattr(org, starter), maps[journey], **{k: v for k, v in input.items() if k != "mapId"})
        assert run["sponsor"]["email"] == getattr(org, sponsor or starter).email
    else:
        assert codes(await refused(api, getattr(org, starter), RUN_START, **input)) == [
            ("SPONSOR_NOT_ALLOWED", ["input", "sponsorId"])
        ]


async def test_an_unknown_sponsor_is_not_found_before_any_rule(api, org: Org, maps):
    errors = await refused(
        api, org.hr_agent, RUN_START, mapId=maps["onboarding"], subject="Sam", sponsorId="UGVyc29uOjk5OTk5OTk"
    )  # Person:9999999
    assert codes(errors) == [("NOT_FOUND", ["input", "sponsorId"])]
