"""API tokens against a real server: they sign in over HTTP and websockets, and their scopes are
enforced on every path an operation can take (normal execution, the compiled read path, direct
mutations, the event hub, strawberry's subscriptions), with 403 FORBIDDEN and nothing written."""

from __future__ import annotations

import pytest

from domain.api_tokens import new_secret
from domain.people import Person, Role
from tests.e2e.client import data, error_codes, post
from tests.e2e.identity import api_token, next_message, signed_in, someone, subscribe
from tests.support.database import snapshot
from tests.support.org import Org

VIEWER = "{ viewer { email role } }"
REQUESTS = "{ requests(first: 5) { totalCount edges { node { id title } } } }"
CREATE = """mutation($input: RequestCreateInput!) { requestCreate(input: $input) {
  request { id title } userErrors { code } } }"""
TOKENS = "{ apiTokens { totalCount } }"
EVENTS = "subscription { events { type request { title } } }"


@pytest.fixture
def employee(http, e2e_org: Org, token_for):
    return someone(http, token_for("admin@example.com"))


def test_a_token_signs_in_over_http_and_its_last_use_is_recorded(http, employee):
    _id, secret = api_token(http, employee.token, "READ")

    assert data(http, VIEWER, token=secret)["viewer"] == {"email": employee.email, "role": "REQUESTER"}
    listed = data(http, "{ apiTokens { edges { node { lastUsedAt } } } }", token=employee.token)
    assert listed["apiTokens"]["edges"][0]["node"]["lastUsedAt"] is not None


def test_a_read_token_cannot_write_on_any_path(http, employee, e2e_org: Org):
    _id, secret = api_token(http, employee.token, "READ")
    request = {"serviceId": e2e_org.gid("Service", "laptops"), "title": "Scoped"}
    # the documents run once with full rights first: later runs take the compiled and direct paths
    assert data(http, REQUESTS, token=employee.token)
    assert data(http, CREATE, token=employee.token, input=request)["requestCreate"]["userErrors"] == []
    for document, variables in ((CREATE, {"input": request}), (TOKENS, {})):
        response = post(http, document, token=secret, **variables)
        assert response.status_code == 403, response.text
        assert error_codes(response) == ["FORBIDDEN"]
        assert "data" not in response.json()
    assert data(http, REQUESTS, token=secret)["requests"]["totalCount"] == 1


async def snapshot_of(url: str) -> dict:
    from db.engine import create_engine

    engine = create_engine(url, pool_size=1)
    try:
        return await snapshot(engine)
    finally:
        await engine.dispose()


async def test_a_refused_mutation_writes_nothing(http, employee, e2e_org: Org, server_database):
    _id, secret = api_token(http, employee.token, "READ", "EVENTS")
    data(http, VIEWER, token=secret)  # its first use is recorded (a refused operation is a use too)
    before = await snapshot_of(server_database)

    response = post(http, CREATE, token=secret, input={"serviceId": e2e_org.gid("Service", "laptops"), "title": "x"})

    assert response.status_code == 403 and error_codes(response) == ["FORBIDDEN"]
    assert "WRITE" in response.json()["errors"][0]["message"]
    assert await snapshot_of(server_database) == before


@pytest.mark.parametrize(
    "scopes, document, method",
    [
        (("EVENTS",), VIEWER, "POST"),
        (("EVENTS",), VIEWER, "GET"),
        (("WRITE",), REQUESTS, "GET"),
        (("READ", "WRITE", "EVENTS"), TOKENS, "POST"),
    ],
)
def test_each_kind_of_operation_needs_its_scope(http, employee, scopes, document, method):
    _id, secret = api_token(http, employee.token, *scopes)
    headers = {"Authorization": f"Bearer {secret}"}
    response = (
        http.get("/graphql", params={"query": document}, headers=headers)
        if method == "GET"
        else http.post("/graphql", json={"query": document}, headers=headers)
    )
    assert response.status_code == 403, response.text
    assert error_codes(response) == ["FORBIDDEN"]


async def test_a_token_subscribes_over_a_websocket_and_its_scopes_hold_there(server, http, employee, e2e_org: Org):
    _id, events_only = api_token(http, employee.token, "EVENTS")
    ws = await signed_in(server.url, events_only)
    try:
        # a query needs READ: refused, and the connection stays
        await subscribe(ws, VIEWER, "q")
        refused = await next_message(ws)
        assert (refused["type"], refused["id"]) == ("error", "q")
        assert [e["extensions"]["code"] for e in refused["payload"]] == ["FORBIDDEN"]
        # the event feed needs EVENTS: it runs, and delivers what the person's role sees
        await subscribe(ws, EVENTS, "feed")
        for attempt in range(30):
            data(
                http,
                CREATE,
                token=employee.token,
                input={"serviceId": e2e_org.gid("Service", "laptops"), "title": f"Live {attempt}"},
            )
            try:
                message = await next_message(ws, timeout=1)
                break
            except TimeoutError:
                continue
        assert message["type"] == "next" and message["payload"]["data"]["events"]["type"] == "RequestCreated"
    finally:
        await ws.close()


async def test_a_read_token_cannot_subscribe(server, http, employee):
    _id, read_only = api_token(http, employee.token, "READ")
    ws = await signed_in(server.url, read_only)
    try:
        for operation_id, document in (
            ("1", EVENTS),
            ("2", 'subscription { departmentStats(departmentId: "x") { open } }'),
        ):
            await subscribe(ws, document, operation_id)
            refused = await next_message(ws)
            assert refused["type"] == "error"
            assert [e["extensions"]["code"] for e in refused["payload"]] == ["FORBIDDEN"]
        await subscribe(ws, VIEWER, "3")  # what the token may do still works
        assert (await next_message(ws))["payload"]["data"]["viewer"]["email"]
    finally:
        await ws.close()


@pytest.mark.parametrize(
    "token, message",
    [
        ("tdm_pat_nonsense", "The API token is malformed"),
        ("tdm_pat_" + "a" * 38, "The API token is malformed"),
        (new_secret(Person(0, "", "", Role.REQUESTER, None)), "The API token is not known."),
    ],
)
def test_a_malformed_or_unknown_token_is_401(http, e2e_org: Org, token, message):
    response = post(http, VIEWER, token=token)
    assert response.status_code == 401
    assert error_codes(response) == ["UNAUTHENTICATED"]
    assert response.json()["errors"][0]["message"].startswith(message)
