"""Bad journey input: a coded userError, and nothing written (the snapshot before equals the one after)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from tests.graphql.journey_ops import (
    MAP_CREATE,
    MAP_RETIRE,
    MAP_REVISE,
    RUN_CANCEL,
    RUN_START,
    fields,
    onboarding_input,
    start,
    touchpoint,
)
from tests.graphql.request_ops import act, codes, ok, refused
from tests.support.journeys import add_journey_catalog
from tests.support.org import Org

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOBODY = "UGVyc29uOjk5OTk"  # Person:9999


@pytest.fixture
async def onboarding(api, org: Org) -> dict:
    await add_journey_catalog(org)
    api.at(NOW)
    return ok(await act(api, org.admin, MAP_CREATE, **onboarding_input(org)), "journeyMap")


def changed(org: Org, change) -> dict:
    spec = copy.deepcopy(onboarding_input(org))
    change(spec)
    return spec


def stage(spec: dict, i: int) -> dict:
    return spec["stages"][i]


def laptop(spec: dict) -> dict:
    return spec["stages"][1]["touchpoints"][0]


MAP_CASES = {
    "no stages": (lambda s: s.update(stages=[]), "NO_STAGES", ["input", "stages"]),
    "a stage without touchpoints": (
        lambda s: stage(s, 1).update(touchpoints=[]),
        "STAGE_WITHOUT_TOUCHPOINTS",
        ["input", "stages", "1", "touchpoints"],
    ),
    "a blank name": (lambda s: s.update(name="  "), "INVALID_INPUT", ["input", "name"]),
    "a blank stage name": (lambda s: stage(s, 0).update(name=""), "INVALID_INPUT", ["input", "stages", "0", "name"]),
    "a zero target": (
        lambda s: stage(s, 0).update(targetMinutes=0),
        "INVALID_TARGET",
        ["input", "stages", "0", "targetMinutes"],
    ),
    "a blank pain point": (
        lambda s: laptop(s).update(painPoints=[" "]),
        "INVALID_INPUT",
        ["input", "stages", "1", "touchpoints", "0", "painPoints", "0"],
    ),
    "a malformed department": (
        lambda s: laptop(s).update(departmentId="nope"),
        "NOT_FOUND",
        ["input", "stages", "1", "touchpoints", "0", "departmentId"],
    ),
    "a department that does not exist": (
        lambda s: laptop(s).update(departmentId="RGVwYXJ0bWVudDo5OTk"),
        "NOT_FOUND",
        ["input", "stages", "1", "touchpoints", "0", "departmentId"],
    ),
    "a request type that does not exist": (
        lambda s: laptop(s).update(requestTypeId="UmVxdWVzdFR5cGU6OTk5"),
        "NOT_FOUND",
        ["input", "stages", "1", "touchpoints", "0", "requestTypeId"],
    ),
    "a field with no request type": (
        lambda s: stage(s, 2)["touchpoints"][0].update(fields=fields(a="b")),
        "FIELDS_WITHOUT_REQUEST_TYPE",
        ["input", "stages", "2", "touchpoints", "0", "fields"],
    ),
    "an unknown field": (
        lambda s: laptop(s).update(fields=fields(colour="red")),
        "UNKNOWN_FIELD",
        ["input", "stages", "1", "touchpoints", "0", "fields", "colour"],
    ),
    "an unknown placeholder": (
        lambda s: laptop(s).update(fields=fields(notes="{salary}")),
        "UNKNOWN_PLACEHOLDER",
        ["input", "stages", "1", "touchpoints", "0", "fields", "notes"],
    ),
    "a choice not offered": (
        lambda s: laptop(s).update(fields=fields(model="17-inch")),
        "INVALID_FIELD",
        ["input", "stages", "1", "touchpoints", "0", "fields", "model"],
    ),
    "the sponsor in a date": (
        lambda s: laptop(s).update(fields=fields(needed_by="{sponsor}")),
        "INVALID_FIELD",
        ["input", "stages", "1", "touchpoints", "0", "fields", "needed_by"],
    ),
    "a person who does not exist": (
        lambda s: laptop(s).update(fields=fields(manager=NOBODY)),
        "INVALID_FIELD",
        ["input", "stages", "1", "touchpoints", "0", "fields", "manager"],
    ),
    "too many stages": (lambda s: s.update(stages=[stage(s, 2)] * 21), "TOO_MANY_STAGES", ["input", "stages"]),
}


@pytest.mark.parametrize("case", MAP_CASES)
async def test_a_bad_map_is_refused_with_a_code_and_writes_nothing(api, org: Org, case):
    # given the journey catalog
    await add_journey_catalog(org)
    change, code, field = MAP_CASES[case]
    # when a map with the flaw is created / then it is refused, naming the input at fault
    assert codes(await refused(api, org.admin, MAP_CREATE, **changed(org, change))) == [(code, field)]


async def test_a_touchpoint_must_use_a_form_of_its_own_department(api, org: Org):
    # given IT's touchpoint pointing at HR's contract form
    await add_journey_catalog(org)
    spec = changed(org, lambda s: laptop(s).update(requestTypeId=org.gid("RequestType", "contract"), fields=[]))
    # when mapped / then
    assert codes(await refused(api, org.admin, MAP_CREATE, **spec)) == [
        ("REQUEST_TYPE_NOT_IN_DEPARTMENT", ["input", "stages", "1", "touchpoints", "0", "requestTypeId"])
    ]


@pytest.mark.parametrize("who", ["it_agent", "employee"])
async def test_only_admins_and_managers_map_journeys(api, org: Org, who):
    await add_journey_catalog(org)
    assert codes(await refused(api, getattr(org, who), MAP_CREATE, **onboarding_input(org))) == [
        ("FORBIDDEN", ["input", "stages"])
    ]


async def test_a_manager_maps_only_journeys_their_department_takes_part_in(api, org: Org):
    # given a map in which only HR and Facilities take part
    await add_journey_catalog(org)
    spec = {"name": "Leaving", "stages": [{"name": "Exit", "touchpoints": [touchpoint("Exit talk", "hr", org)]}]}
    # when IT's manager maps it / then
    assert codes(await refused(api, org.it_manager, MAP_CREATE, **spec)) == [("FORBIDDEN", ["input", "stages"])]


async def test_revising_or_retiring_a_retired_version_is_refused(api, org: Org, onboarding):
    # given version 1 revised into version 2
    ok(await act(api, org.admin, MAP_REVISE, id=onboarding["id"], **onboarding_input(org)), "journeyMap")
    # when version 1 is revised or retired again / then
    assert codes(await refused(api, org.admin, MAP_REVISE, id=onboarding["id"], **onboarding_input(org))) == [
        ("MAP_RETIRED", ["input", "id"])
    ]
    assert codes(await refused(api, org.admin, MAP_RETIRE, id=onboarding["id"])) == [("MAP_RETIRED", ["input", "id"])]


async def test_changing_a_map_takes_a_manager_of_a_department_in_it(api, org: Org, onboarding):
    assert codes(await refused(api, org.it_agent, MAP_RETIRE, id=onboarding["id"])) == [("FORBIDDEN", ["input", "id"])]
    assert codes(await refused(api, org.employee, MAP_RETIRE, id=onboarding["id"])) == [("NOT_FOUND", ["input", "id"])]
    assert codes(await refused(api, org.admin, MAP_RETIRE, id="Sm91cm5leU1hcDo5OTk")) == [
        ("NOT_FOUND", ["input", "id"])
    ]


START_CASES = {
    "a start more than 30 days ago": (
        dict(startAt=(NOW - timedelta(days=31)).isoformat()),
        "START_TOO_FAR_IN_PAST",
        ["input", "startAt"],
    ),
    "a start more than a year ahead": (
        dict(startAt=(NOW + timedelta(days=400)).isoformat()),
        "START_TOO_FAR_AHEAD",
        ["input", "startAt"],
    ),
    "a blank subject": (dict(subject=" "), "INVALID_INPUT", ["input", "subject"]),
    "a subject too long": (dict(subject="x" * 121), "INVALID_INPUT", ["input", "subject"]),
    "a sponsor who does not exist": (dict(sponsorId=NOBODY), "NOT_FOUND", ["input", "sponsorId"]),
    "a malformed map": (dict(mapId="bm9wZQ"), "NOT_FOUND", ["input", "mapId"]),
    "a field no form has": (dict(fields=fields(colour="red")), "UNKNOWN_FIELD", ["input", "fields", "colour"]),
    "a field value a form refuses": (
        dict(fields=fields(model="17-inch")),
        "INVALID_FIELD",
        ["input", "fields", "model"],
    ),
    "a person field naming nobody": (
        dict(fields=fields(manager=NOBODY)),
        "INVALID_FIELD",
        ["input", "fields", "manager"],
    ),
}


@pytest.mark.parametrize("case", START_CASES)
async def test_a_bad_start_is_refused_with_a_code_and_writes_nothing(api, org: Org, onboarding, case):
    given, code, field = START_CASES[case]
    input = {"mapId": onboarding["id"], "subject": "Jane Doe", **given}
    assert codes(await refused(api, org.hr_agent, RUN_START, **input)) == [(code, field)]


async def test_no_run_starts_on_a_retired_map(api, org: Org, onboarding):
    ok(await act(api, org.admin, MAP_RETIRE, id=onboarding["id"]), "journeyMap")
    assert codes(await refused(api, org.hr_agent, RUN_START, mapId=onboarding["id"], subject="Jane")) == [
        ("MAP_RETIRED", ["input", "mapId"])
    ]


async def test_no_run_starts_while_a_form_of_any_stage_is_on_a_retired_service(api, org: Org, onboarding):
    # given the Facilities workplace service (stage 2) retired after the map was made
    ok(
        await act(
            api,
            org.admin,
            """mutation($input: ServiceUpdateInput!) { serviceUpdate(input: $input) {
        service { id } userErrors { field code message } } }""",
            id=org.gid("Service", "workplace"),
            active=False,
        ),
        "service",
    )
    # when a run starts / then it is refused up front, not stalled at stage 2
    assert codes(await refused(api, org.hr_agent, RUN_START, mapId=onboarding["id"], subject="Jane")) == [
        ("TOUCHPOINT_SERVICE_INACTIVE", ["input", "mapId"])
    ]


async def test_a_required_field_the_map_leaves_open_must_come_with_the_run(api, org: Org):
    # given a map whose contract form does not fill the employee's name
    await add_journey_catalog(org)
    spec = changed(org, lambda s: s["stages"][0]["touchpoints"][0].update(fields=fields(start="{startDate}")))
    journey = ok(await act(api, org.admin, MAP_CREATE, **spec), "journeyMap")
    # when a run starts without it / then it is refused; with it, it starts
    errors = await refused(api, org.hr_agent, RUN_START, mapId=journey["id"], subject="Jane")
    assert codes(errors) == [("REQUIRED_FIELD", ["input", "fields", "employee"])]
    assert errors[0]["message"].startswith("Contract: ")
    run = await start(api, org.hr_agent, journey["id"], fields=fields(employee="Jane Q. Doe"))
    assert {f["key"]: f["value"] for f in run["requests"][0]["fields"]}["employee"] == "Jane Q. Doe"


async def test_who_may_not_start_a_run_is_told_so(api, org: Org):
    # given a map in which only HR takes part
    await add_journey_catalog(org)
    spec = {"name": "Leaving", "stages": [{"name": "Exit", "touchpoints": [touchpoint("Exit talk", "hr", org)]}]}
    journey = ok(await act(api, org.admin, MAP_CREATE, **spec), "journeyMap")
    # then IT's agent cannot see it, IT's manager sees it but may not start runs, and requesters see nothing
    assert codes(await refused(api, org.it_agent, RUN_START, mapId=journey["id"], subject="J")) == [
        ("NOT_FOUND", ["input", "mapId"])
    ]
    assert codes(await refused(api, org.it_manager, RUN_START, mapId=journey["id"], subject="J")) == [
        ("FORBIDDEN", ["input", "mapId"])
    ]
    assert codes(await refused(api, org.employee, RUN_START, mapId=journey["id"], subject="J")) == [
        ("NOT_FOUND", ["input", "mapId"])
    ]


async def test_bad_cancellations_are_refused_and_write_nothing(api, org: Org, onboarding):
    # given an active run started by HR for the employee, and a cancelled one
    run = await start(api, org.hr_agent, onboarding["id"], sponsorId=org.gid("Person", "employee"))
    done = await start(api, org.hr_agent, onboarding["id"])
    ok(await act(api, org.hr_agent, RUN_CANCEL, id=done["id"]), "journeyRun")
    # then
    assert codes(await refused(api, org.hr_agent, RUN_CANCEL, id=done["id"])) == [("RUN_NOT_ACTIVE", ["input", "id"])]
    assert codes(await refused(api, org.hr_agent, RUN_CANCEL, id=run["id"], expectedVersion=run["version"] - 1)) == [
        ("STALE_VERSION", ["input", "expectedVersion"])
    ]
    assert codes(await refused(api, org.fac_agent, RUN_CANCEL, id=run["id"])) == [("FORBIDDEN", ["input", "id"])]
    assert codes(await refused(api, org.other, RUN_CANCEL, id=run["id"])) == [("NOT_FOUND", ["input", "id"])]
    assert codes(await refused(api, org.hr_agent, RUN_CANCEL, id=onboarding["id"])) == [("NOT_FOUND", ["input", "id"])]
