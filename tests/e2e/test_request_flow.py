"""A request's life over real HTTP: raised by a requester, seen by the owning department's agent,
worked through its workflow, accepted by the requester."""

from tests.e2e.client import data, payload, post
from tests.support.org import Org

CREATE = """mutation($input: RequestCreateInput!) { requestCreate(input: $input) {
  request { id number status version requester { email } ownerDepartment { name } } userErrors { code } } }"""
TRANSITION = """mutation($input: RequestTransitionInput!) { requestTransition(input: $input) {
  request { status version } userErrors { field code message } } }"""
LIST = "query($first: Int) { requests(first: $first) { totalCount edges { node { id number title status } } } }"


def _ids(listing: dict) -> set[str]:
    return {edge["node"]["id"] for edge in listing["requests"]["edges"]}


def test_a_request_goes_from_requester_to_agent_and_back(http, e2e_org: Org, token_for):
    employee, agent = token_for("employee@example.com"), token_for("it.agent@example.com")
    outsider = token_for("other@example.com")

    # given a requester raises a laptop request
    created = payload(
        http,
        CREATE,
        token=employee,
        input={"serviceId": e2e_org.gid("Service", "laptops"), "title": "Screen flickers", "priority": "HIGH"},
    )
    request = created["request"]
    assert request["status"] == "NEW"
    assert request["requester"] == {"email": "employee@example.com"}
    assert request["ownerDepartment"] == {"name": "IT"}

    # then the requester and the IT agent list it; another requester does not see it
    assert request["id"] in _ids(data(http, LIST, token=employee, first=100))
    assert request["id"] in _ids(data(http, LIST, token=agent, first=100))
    assert request["id"] not in _ids(data(http, LIST, token=outsider, first=100))

    # when the requester tries to resolve it, the owning department's decision right holds
    refused = data(
        http,
        TRANSITION,
        token=employee,
        input={"id": request["id"], "to": "RESOLVED", "expectedVersion": request["version"]},
    )["requestTransition"]
    assert refused["request"] is None
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]

    # when the agent works it through: triage, work, resolve
    version = request["version"]
    for status in ("TRIAGED", "IN_PROGRESS", "RESOLVED"):
        moved = payload(
            http, TRANSITION, token=agent, input={"id": request["id"], "to": status, "expectedVersion": version}
        )["request"]
        assert moved["status"] == status
        assert moved["version"] > version
        version = moved["version"]

    # then the requester accepts the resolution
    closed = payload(
        http, TRANSITION, token=employee, input={"id": request["id"], "to": "CLOSED", "expectedVersion": version}
    )["request"]
    assert closed["status"] == "CLOSED"


def test_a_stale_version_changes_nothing(http, e2e_org: Org, token_for):
    employee, agent = token_for("employee@example.com"), token_for("it.agent@example.com")
    request = payload(
        http, CREATE, token=employee, input={"serviceId": e2e_org.gid("Service", "laptops"), "title": "Keyboard sticks"}
    )["request"]
    payload(
        http,
        TRANSITION,
        token=agent,
        input={"id": request["id"], "to": "TRIAGED", "expectedVersion": request["version"]},
    )

    stale = post(
        http,
        TRANSITION,
        token=agent,
        input={"id": request["id"], "to": "IN_PROGRESS", "expectedVersion": request["version"]},
    )

    assert stale.status_code == 200
    body = stale.json()["data"]["requestTransition"]
    assert [e["code"] for e in body["userErrors"]] == ["STALE_VERSION"]
    node = data(http, "query($id: ID!) { node(id: $id) { ... on Request { status } } }", token=agent, id=request["id"])
    assert node["node"]["status"] == "TRIAGED"
