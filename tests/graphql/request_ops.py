"""GraphQL operations and small steps shared by the request tests (bad input, visibility, happy paths)."""

from __future__ import annotations

from typing import Any

from domain.people import Person
from schema import ids
from tests.support.api import Api
from tests.support.database import snapshot
from tests.support.org import Org

REQUEST = """
  id number title description status priority version createdAt updatedAt resolvedAt
  service { name } requestType { name } requester { email } assignee { email } ownerDepartment { name }
  fields { key value } tasks { id title status department { name } } watchers { email }
  sla { responseDueAt resolutionDueAt paused breached } satisfaction { score comment }
"""
ERRORS = "userErrors { field code message }"


def _request_mutation(name: str, input_type: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ request {{ {REQUEST} }} {ERRORS} }} }}"


CREATE = _request_mutation("requestCreate", "RequestCreateInput")
UPDATE = _request_mutation("requestUpdate", "RequestUpdateInput")
TRANSITION = _request_mutation("requestTransition", "RequestTransitionInput")
ASSIGN = _request_mutation("requestAssign", "RequestAssignInput")
HAND_OFF = _request_mutation("requestHandOff", "RequestHandOffInput")
RATE = _request_mutation("requestRate", "RequestRateInput")
WATCH = _request_mutation("requestWatch", "RequestWatchInput")
COMMENT_ADD = f"""mutation($input: CommentAddInput!) {{ commentAdd(input: $input) {{
  comment {{ id body internal author {{ email }} createdAt }} {ERRORS} }} }}"""
TASK_ADD = f"""mutation($input: TaskAddInput!) {{ taskAdd(input: $input) {{
  task {{ id title status department {{ name }} request {{ id }} }} {ERRORS} }} }}"""
TASK_COMPLETE = f"""mutation($input: TaskCompleteInput!) {{ taskComplete(input: $input) {{
  task {{ id title status department {{ name }} request {{ id status version }} }} {ERRORS} }} }}"""

REQUEST_BY_ID = f"query($id: ID!) {{ node(id: $id) {{ ... on Request {{ {REQUEST} }} }} }}"
NODE = """query($id: ID!) { node(id: $id) { __typename id } }"""
NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"""
LIST = """query($first: Int, $after: String, $filter: RequestFilter, $orderBy: RequestOrder) {
  requests(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id number title priority status } } } }"""
COMMENTS = """query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Request {
  comments(first: $first, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id body internal author { email } } } } } } }"""
ACTIVITY = """query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Request {
  activity(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
    edges { node { id type summary actor { email } request { id } } } } } } }"""


def ok(payload: dict[str, Any], key: str = "request") -> dict[str, Any]:
    """The object of a mutation payload that must have succeeded."""
    assert payload["userErrors"] == [], payload["userErrors"]
    assert payload[key] is not None
    return payload[key]


def gid(type_name: str, db_id: int) -> str:
    return ids.encode(type_name, db_id)


async def create(api: Api, viewer: Person, **input: Any) -> dict[str, Any]:
    return await api.mutate(CREATE, viewer, input=input)


async def raise_request(
    api: Api,
    org: Org,
    viewer: Person,
    *,
    service: str = "laptops",
    laptop: bool = False,
    title: str = "My laptop is slow",
    **input: Any,
) -> dict[str, Any]:
    """A request raised through GraphQL; `laptop` picks the "New laptop" form (with a Facilities task)."""
    if laptop:
        input.setdefault("requestTypeId", org.gid("RequestType", "new_laptop"))
        input.setdefault("fields", [{"key": "model", "value": "13-inch"}])
    return ok(await create(api, viewer, serviceId=org.gid("Service", service), title=title, **input))


async def act(api: Api, viewer: Person, mutation: str, **input: Any) -> dict[str, Any]:
    """Run one mutation with `input` and return its payload."""
    return await api.mutate(mutation, viewer, input=input)


async def move(api: Api, viewer: Person, request: dict[str, Any], *statuses: str) -> dict[str, Any]:
    """Walk a request through `statuses` as `viewer`, each step at the current version."""
    for status in statuses:
        request = ok(
            await act(api, viewer, TRANSITION, id=request["id"], to=status, expectedVersion=request["version"])
        )
    return request


async def comment(
    api: Api, viewer: Person, request: dict[str, Any], body: str, *, internal: bool = False, **extra: Any
) -> dict[str, Any]:
    return ok(
        await act(api, viewer, COMMENT_ADD, requestId=request["id"], body=body, internal=internal, **extra), "comment"
    )


async def fetch(api: Api, viewer: Person, request_id: str) -> dict[str, Any] | None:
    return (await api.ok(REQUEST_BY_ID, viewer, id=request_id))["node"]


async def listed(api: Api, viewer: Person, **variables: Any) -> dict[str, Any]:
    return (await api.ok(LIST, viewer, **variables))["requests"]


async def numbers(api: Api, viewer: Person, **variables: Any) -> list[str]:
    variables.setdefault("first", 100)
    page = await listed(api, viewer, **variables)
    return [edge["node"]["number"] for edge in page["edges"]]


async def refused(api: Api, viewer: Person | None, mutation: str, **input: Any) -> list[dict[str, Any]]:
    """Run a mutation that must be refused: it writes nothing and returns no object, only userErrors."""
    before = await snapshot(api.engine)
    commits = list(api.commits)
    payload = await api.mutate(mutation, viewer, input=input)
    assert await snapshot(api.engine) == before, "a refused mutation changed the database"
    assert api.commits == commits, "a refused mutation told the broker about a commit"
    (key,) = [k for k in payload if k != "userErrors"]
    assert payload[key] is None
    assert payload["userErrors"], "expected userErrors"
    return payload["userErrors"]


def codes(errors: list[dict[str, Any]]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in errors]
