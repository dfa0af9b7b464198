"""Requesters see other people's names, not their emails or roles: on every read path, in mutation
payloads (normal and direct) and in the events feed. Staff and admins see them; everyone sees their own."""

from __future__ import annotations

import json

import pytest
from strawberry.http import process_result

from api.graphql_app import response_json
from schema.compiled.extension import DirectlyRunMutations
from schema.context import Context
from schema.schema import build_schema
from tests.graphql.privacy_ops import (
    PERSON,
    REQUEST_PEOPLE,
    SECRET_TAG,
    field_values,
    person,
    repair,
)
from tests.graphql.request_ops import UPDATE, act, ok
from tests.support.direct import CountingDirect
from tests.support.org import Org

VIEWER = f"{{ viewer {{ {PERSON} }} }}"
PERSON_NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Person {{ {PERSON} }} }} }}"
MEMBERS = f"query($id: ID!) {{ node(id: $id) {{ ... on Department {{ members {{ {PERSON} }} }} }} }}"
LISTED = f"{{ requests(first: 10) {{ edges {{ node {{ requester {{ {PERSON} }} assignee {{ {PERSON} }} }} }} }} }}"


async def test_a_requester_sees_the_people_on_a_request_by_name_only_but_themselves_in_full(api, org: Org):
    # given a request with an assignee, watchers and an agent's comment
    repaired = await repair(api, org)
    # when its requester, a watching requester and the agent read its people
    employee = (await api.ok(REQUEST_PEOPLE, org.employee, id=repaired.request_id))["node"]
    other = (await api.ok(REQUEST_PEOPLE, org.other, id=repaired.request_id))["node"]
    agent = (await api.ok(REQUEST_PEOPLE, org.it_agent, id=repaired.request_id))["node"]
    # then the requester sees only names of others, and their own details
    assert employee["requester"] == person(org, "employee", seen=True)
    assert employee["assignee"] == person(org, "it_agent", seen=False)
    assert employee["watchers"] == [person(org, "hr_agent", seen=False), person(org, "other", seen=False)]
    assert employee["comments"]["edges"][0]["node"]["author"] == person(org, "it_agent", seen=False)
    # and the watching requester alike (their own entry in full)
    assert other["requester"] == person(org, "employee", seen=False)
    assert other["watchers"] == [person(org, "hr_agent", seen=False), person(org, "other", seen=True)]
    # and the agent sees everyone in full
    assert agent["requester"] == person(org, "employee", seen=True)
    assert agent["assignee"] == person(org, "it_agent", seen=True)
    assert agent["watchers"] == [person(org, "hr_agent", seen=True), person(org, "other", seen=True)]


async def test_a_requester_sees_no_contact_details_in_lists(api, org: Org):
    # given
    await repair(api, org)
    # when the requester lists their requests; then the assignee answers by name only
    (edge,) = (await api.ok(LISTED, org.employee))["requests"]["edges"]
    assert edge["node"] == {
        "requester": person(org, "employee", seen=True),
        "assignee": person(org, "it_agent", seen=False),
    }


async def test_the_viewer_and_a_person_by_id_answer_by_the_same_rule(api, org: Org):
    # when a requester asks about themselves, and about an agent and another requester by ID
    me = (await api.ok(VIEWER, org.employee))["viewer"]
    mine = (await api.ok(PERSON_NODE, org.employee, id=org.gid("Person", "employee")))["node"]
    agent = (await api.ok(PERSON_NODE, org.employee, id=org.gid("Person", "it_agent")))["node"]
    someone = (await api.ok(PERSON_NODE, org.employee, id=org.gid("Person", "other")))["node"]
    # then they see themselves in full, and the others by name only
    assert me == mine == person(org, "employee", seen=True)
    assert agent == person(org, "it_agent", seen=False)
    assert someone == person(org, "other", seen=False)
    # and staff see anyone in full
    assert (await api.ok(PERSON_NODE, org.hr_agent, id=org.gid("Person", "other")))["node"] == person(
        org, "other", seen=True
    )


@pytest.mark.parametrize(("viewer", "seen"), [("employee", False), ("hr_agent", True), ("admin", True)])
async def test_a_departments_members_answer_by_the_same_rule(api, org: Org, viewer, seen):
    members = (await api.ok(MEMBERS, getattr(org, viewer), id=org.gid("Department", "it")))["node"]["members"]
    assert members == [person(org, key, seen=seen) for key in ("it_agent", "it_agent2", "it_manager")]


# -- direct mutation payloads -----------------------------------------------------------------------------

COUNTING = CountingDirect()
DIRECT = build_schema(direct_mutations=False)
DIRECT.extensions = (*DIRECT.extensions, lambda: DirectlyRunMutations(COUNTING))
UPDATE_PAYLOAD = f"""mutation($input: RequestUpdateInput!) {{ requestUpdate(input: $input) {{
  request {{ version requester {{ {PERSON} }} assignee {{ {PERSON} }} watchers {{ {PERSON} }} fields {{ key value }} }}
  userErrors {{ code }} }} }}"""


async def test_a_direct_mutation_payload_hides_them_as_normal_execution_does(api, org: Org):
    # given the repaired request, at its current version
    repaired = await repair(api, org)
    version = (
        await api.ok(
            "query($id: ID!) { node(id: $id) { ... on Request { version } } }", org.employee, id=repaired.request_id
        )
    )["node"]["version"]
    ran = COUNTING.ran
    # when its requester edits it through the direct path
    variables = {
        "input": {
            "id": repaired.request_id,
            "expectedVersion": version,
            "fields": [{"key": "symptom", "value": "Fan noise, louder"}],
        }
    }
    result = await DIRECT.execute(
        UPDATE_PAYLOAD, variable_values=variables, context_value=Context(engine=api.engine, viewer=org.employee)
    )
    payload = json.loads(response_json(process_result(result)))["data"]["requestUpdate"]
    # then the direct path answered, with names only and without the agent-only values
    assert COUNTING.ran == ran + 1
    assert payload["userErrors"] == []
    request = payload["request"]
    assert request["requester"] == person(org, "employee", seen=True)
    assert request["assignee"] == person(org, "it_agent", seen=False)
    assert request["watchers"] == [person(org, "hr_agent", seen=False), person(org, "other", seen=False)]
    assert field_values(request) == {"symptom": "Fan noise, louder"}
    # and it is what a normal read answers the requester
    normal = (await api.ok(REQUEST_PEOPLE, org.employee, id=repaired.request_id))["node"]
    assert {k: request[k] for k in ("requester", "assignee", "watchers")} == {
        k: normal[k] for k in ("requester", "assignee", "watchers")
    }
    # while the agent's own edit shows the agent everything
    agent = ok(
        await act(
            api,
            org.it_agent,
            UPDATE,
            id=repaired.request_id,
            expectedVersion=request["version"],
            title="Fan is very loud",
        )
    )
    assert agent["watchers"] == [{"email": org.hr_agent.email}, {"email": org.other.email}]
    assert field_values(agent)["asset_tag"] == SECRET_TAG
