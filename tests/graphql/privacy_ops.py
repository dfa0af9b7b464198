"""A request with an agent-only form and people around it, for the requester privacy tests.

"Laptop repair" (IT's, with a Facilities task) has a public field and two agent-only ones. Emma
Employee raises one; Ian (IT) fills in the agent-only fields, takes it, comments, and adds Otto
(a requester) and Hana (HR, a department with no part in it) as watchers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.graphql.request_ops import ASSIGN, UPDATE, WATCH, act, comment, ok, raise_request
from tests.support.api import Api
from tests.support.org import Org

SECRET_TAG = "TAG-SECRET-42"
REPAIR_FIELDS = [
    {"key": "symptom", "label": "Symptom", "kind": "TEXT"},
    {"key": "asset_tag", "label": "Asset tag", "kind": "TEXT", "agentOnly": True},
    {"key": "triage", "label": "Triage", "kind": "CHOICE", "options": ["low", "high"], "agentOnly": True},
]
REQUEST_TYPE_CREATE = """mutation($input: RequestTypeCreateInput!) { requestTypeCreate(input: $input) {
  requestType { id fields { key agentOnly required } } userErrors { field code message } } }"""
PERSON = "name email role"
PEOPLE = f"""requester {{ {PERSON} }} assignee {{ {PERSON} }} watchers {{ {PERSON} }}
  comments {{ edges {{ node {{ author {{ {PERSON} }} }} }} }}"""
REQUEST_PEOPLE = f"query($id: ID!) {{ node(id: $id) {{ ... on Request {{ {PEOPLE} }} }} }}"
REQUEST_FIELDS = "query($id: ID!) { node(id: $id) { ... on Request { fields { key value } } } }"
EVERYTHING = f"""query($id: ID!) {{
  node(id: $id) {{ ... on Request {{ {PEOPLE} fields {{ key value }} }} }}
  requests(first: 10) {{ edges {{ node {{ {PEOPLE} fields {{ key value }} }} }} }} }}"""


@dataclass
class Repair:
    type_id: str
    request_id: str


async def repair_type(api: Api, org: Org) -> str:
    payload = await act(
        api,
        org.admin,
        REQUEST_TYPE_CREATE,
        serviceId=org.gid("Service", "laptops"),
        name="Laptop repair",
        fields=REPAIR_FIELDS,
        taskTemplates=[{"title": "Check the desk", "departmentId": org.gid("Department", "facilities")}],
    )
    return ok(payload, "requestType")["id"]


async def repair(api: Api, org: Org) -> Repair:
    type_id = await repair_type(api, org)
    request = await raise_request(
        api,
        org,
        org.employee,
        title="Fan is loud",
        requestTypeId=type_id,
        fields=[{"key": "symptom", "value": "Fan noise"}],
    )
    request = ok(
        await act(
            api,
            org.it_agent,
            UPDATE,
            id=request["id"],
            expectedVersion=request["version"],
            fields=[{"key": "asset_tag", "value": SECRET_TAG}, {"key": "triage", "value": "high"}],
        )
    )
    request = ok(
        await act(
            api,
            org.it_agent,
            ASSIGN,
            id=request["id"],
            expectedVersion=request["version"],
            assigneeId=org.gid("Person", "it_agent"),
        )
    )
    for watcher in ("other", "hr_agent"):
        ok(await act(api, org.it_agent, WATCH, id=request["id"], personId=org.gid("Person", watcher)))
    await comment(api, org.it_agent, request, "Looking at it")
    return Repair(type_id=type_id, request_id=request["id"])


def person(org: Org, key: str, *, seen: bool) -> dict[str, Any]:
    """How `key` answers {name email role}: in full, or by name only."""
    who = getattr(org, key)
    return {"name": who.name, "email": who.email if seen else None, "role": who.role.value if seen else None}


def field_values(node: dict[str, Any]) -> dict[str, str | None]:
    return {f["key"]: f["value"] for f in node["fields"]}
