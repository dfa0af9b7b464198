"""Agent-only fields: a request type's field whose value only the departments working on the request
(and admins) see and set, as internal notes. Requesters never see the values, on any path, and
cannot set them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db import tables as t
from schema import ids
from tests.graphql.journey_ops import MAP_CREATE, NODE_MAP, start
from tests.graphql.privacy_ops import (
    REPAIR_FIELDS,
    REQUEST_FIELDS,
    REQUEST_TYPE_CREATE,
    SECRET_TAG,
    field_values,
    repair,
    repair_type,
)
from tests.graphql.request_ops import ACTIVITY, CREATE, UPDATE, act, ok, raise_request, refused
from tests.support.org import Org

PUBLIC = {"symptom": "Fan noise"}
EVERYTHING = {"symptom": "Fan noise", "asset_tag": SECRET_TAG, "triage": "high"}
VERSION = "query($id: ID!) { node(id: $id) { ... on Request { version } } }"


async def test_a_field_is_marked_agent_only_on_its_request_type(api, org: Org):
    # when a request type is made with agent-only fields
    payload = await act(
        api,
        org.admin,
        REQUEST_TYPE_CREATE,
        serviceId=org.gid("Service", "laptops"),
        name="Laptop repair",
        fields=REPAIR_FIELDS,
    )
    # then its form says which, to everyone who sees it (a portal leaves them out)
    assert ok(payload, "requestType")["fields"] == [
        {"key": "symptom", "agentOnly": False, "required": False},
        {"key": "asset_tag", "agentOnly": True, "required": False},
        {"key": "triage", "agentOnly": True, "required": False},
    ]


async def test_an_agent_only_field_cannot_be_required(api, org: Org):
    # when a request type would require an agent-only field (no requester could raise one)
    errors = await refused(
        api,
        org.admin,
        REQUEST_TYPE_CREATE,
        serviceId=org.gid("Service", "laptops"),
        name="Laptop repair",
        fields=[{"key": "asset_tag", "label": "Asset tag", "kind": "TEXT", "agentOnly": True, "required": True}],
    )
    # then it is refused, and nothing was written
    assert errors == [
        {
            "field": ["input", "fields", "0", "required"],
            "code": "INVALID_FIELD_DEFINITION",
            "message": "An agent-only field cannot be required.",
        }
    ]


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("employee", PUBLIC),  # the requester
        ("other", PUBLIC),  # a requester watching it
        ("hr_agent", PUBLIC),  # staff of a department with no part in it, watching it
        ("it_agent", EVERYTHING),  # the owning department
        ("fac_agent", EVERYTHING),  # a department with a task on it
        ("admin", EVERYTHING),
    ],
)
async def test_agent_only_values_are_for_the_departments_working_on_the_request(api, org: Org, viewer, expected):
    # given a request whose agent-only fields IT filled in
    repaired = await repair(api, org)
    # when someone who may see the request reads its fields
    node = (await api.ok(REQUEST_FIELDS, getattr(org, viewer), id=repaired.request_id))["node"]
    # then they get the form's values in order, agent-only ones only if they work on it
    assert field_values(node) == expected
    assert list(field_values(node)) == [k for k in EVERYTHING if k in expected]


async def _version(api, org: Org, request_id: str) -> int:
    return (await api.ok(VERSION, org.admin, id=request_id))["node"]["version"]


@pytest.mark.parametrize("value", [SECRET_TAG, None])
async def test_a_requester_cannot_set_or_clear_an_agent_only_field(api, org: Org, value):
    # given the repaired request, still NEW, which its requester may edit
    repaired = await repair(api, org)
    version = await _version(api, org, repaired.request_id)
    # when the requester sends a value for an agent-only field (or clears it), with a public one
    errors = await refused(
        api,
        org.employee,
        UPDATE,
        id=repaired.request_id,
        expectedVersion=version,
        fields=[{"key": "symptom", "value": "Noise"}, {"key": "asset_tag", "value": value}],
    )
    # then it is refused with a code, and nothing was written (refused checks the whole database)
    assert errors == [
        {
            "field": ["input", "fields", "asset_tag"],
            "code": "AGENT_ONLY_FIELD",
            "message": "'Asset tag' is filled in by the departments working on the request.",
        }
    ]


@pytest.mark.parametrize("viewer", ["employee", "hr_agent"])
async def test_only_the_departments_that_will_work_on_it_raise_a_request_with_agent_only_values(api, org: Org, viewer):
    # given the repair form (IT's, with a Facilities task)
    type_id = await repair_type(api, org)
    # when a requester, or an agent of a department with no part in it, raises one with a triage
    errors = await refused(
        api,
        getattr(org, viewer),
        CREATE,
        serviceId=org.gid("Service", "laptops"),
        title="Loud",
        requestTypeId=type_id,
        fields=[{"key": "triage", "value": "low"}],
    )
    # then it is refused and nothing was written (no REQ number drawn either)
    assert errors == [
        {
            "field": ["input", "fields", "triage"],
            "code": "AGENT_ONLY_FIELD",
            "message": "'Triage' is filled in by the departments working on the request.",
        }
    ]


@pytest.mark.parametrize("viewer", ["it_agent", "fac_agent"])
async def test_the_departments_that_will_work_on_it_fill_agent_only_fields_when_raising(api, org: Org, viewer):
    type_id = await repair_type(api, org)
    request = await raise_request(
        api, org, getattr(org, viewer), title="Loud", requestTypeId=type_id, fields=[{"key": "triage", "value": "low"}]
    )
    assert field_values(request) == {"symptom": None, "asset_tag": None, "triage": "low"}


async def test_a_requesters_edit_keeps_the_agent_only_values(api, org: Org):
    # given the repaired request
    repaired = await repair(api, org)
    # when its requester edits the public field
    request = ok(
        await act(
            api,
            org.employee,
            UPDATE,
            id=repaired.request_id,
            expectedVersion=await _version(api, org, repaired.request_id),
            fields=[{"key": "symptom", "value": "Fan rattles"}],
        )
    )
    # then the payload shows them only that, and the agent-only values are untouched
    assert field_values(request) == {"symptom": "Fan rattles"}
    node = (await api.ok(REQUEST_FIELDS, org.it_agent, id=repaired.request_id))["node"]
    assert field_values(node) == {**EVERYTHING, "symptom": "Fan rattles"}


async def _summaries(api, viewer, request_id: str) -> list[str]:
    activity = (await api.ok(ACTIVITY, viewer, id=request_id, first=50))["node"]["activity"]
    return [edge["node"]["summary"] for edge in activity["edges"]]


async def test_agent_only_changes_are_internal_events_and_public_events_carry_no_agent_only_value(api, org: Org):
    # given the repaired request
    repaired = await repair(api, org)
    version = await _version(api, org, repaired.request_id)
    # when an agent changes a public and an agent-only field in one edit
    request = ok(
        await act(
            api,
            org.it_agent,
            UPDATE,
            id=repaired.request_id,
            expectedVersion=version,
            fields=[{"key": "symptom", "value": "Fan rattles"}, {"key": "triage", "value": "low"}],
        )
    )
    # then the request moved one version, and the agent's timeline has both changes, internal ones apart
    assert request["version"] == version + 1
    agent = await _summaries(api, org.it_agent, repaired.request_id)
    employee = await _summaries(api, org.employee, repaired.request_id)
    assert agent.count("Changed fields") == 3  # agent-only (first edit), public and agent-only (this one)
    assert employee.count("Changed fields") == 1  # the public one only
    # and no event a requester may see carries an agent-only value
    async with api.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(t.events.c.internal, t.events.c.payload)
                .where(t.events.c.request_id == ids.parse(repaired.request_id)[1], t.events.c.type == "RequestUpdated")
                .order_by(t.events.c.seq)
            )
        ).all()
    assert [(r.internal, r.payload["changes"]["fields"]) for r in rows] == [
        (True, {"asset_tag": SECRET_TAG, "triage": "high"}),
        (False, {"symptom": "Fan rattles"}),
        (True, {"asset_tag": SECRET_TAG, "triage": "low"}),
    ]


async def test_a_journey_maps_agent_only_values_are_not_shown_to_a_sponsoring_requester(api, org: Org):
    # given a map whose IT touchpoint puts values on the repair form, and a run Emma sponsors
    type_id = await repair_type(api, org)
    tp = {
        "name": "Repair",
        "departmentId": org.gid("Department", "it"),
        "requestTypeId": type_id,
        "fields": [{"key": "symptom", "value": "{subject}"}, {"key": "triage", "value": "high"}],
    }
    journey = ok(
        await act(api, org.admin, MAP_CREATE, name="Fix-up", stages=[{"name": "Fix", "touchpoints": [tp]}]),
        "journeyMap",
    )
    await start(api, org.it_agent, journey["id"], sponsorId=org.gid("Person", "employee"))

    # when the sponsor and an agent read the map
    def values(map_node: dict) -> list[dict]:
        return map_node["stages"][0]["touchpoints"][0]["fields"]

    sponsor = (await api.ok(NODE_MAP, org.employee, id=journey["id"]))["node"]
    agent = (await api.ok(NODE_MAP, org.it_agent, id=journey["id"]))["node"]
    # then the sponsor sees the public template only, staff all of it
    assert values(sponsor) == [{"key": "symptom", "value": "{subject}"}]
    assert values(agent) == [{"key": "symptom", "value": "{subject}"}, {"key": "triage", "value": "high"}]
