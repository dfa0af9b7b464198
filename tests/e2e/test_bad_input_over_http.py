"""Bad input over real HTTP, against `tandem serve`: each is refused with a code (a 4xx, or for a
bad argument the status the GraphQL-over-HTTP rules give a request error), writes nothing, and
the server logs its access line only: no traceback."""

import base64
import json
import uuid

import pytest

from schema import ids
from tests.e2e.client import bearer, error_codes
from tests.e2e.raw_http import assert_logged_no_failure, assert_no_failure, raw_request
from tests.support.database import snapshot
from tests.support.org import Org

GRAPHQL_RESPONSE = "application/graphql-response+json"
CREATE = "mutation($input: RequestCreateInput!) { requestCreate(input: $input) { request { id } userErrors { code } } }"


@pytest.fixture
def call(http, server, e2e_org: Org, token_for):
    """POST as an employee (or as `token`), with a fresh X-Request-ID; checks that nothing was
    written and nothing logged but the access line."""

    async def post(body: dict | bytes, *, accept: str = GRAPHQL_RESPONSE, token: str | None = None):
        request_id = f"bad-{uuid.uuid4().hex}"
        headers = {
            **bearer(token or token_for("employee@example.com")),
            "Accept": accept,
            "X-Request-ID": request_id,
            "Content-Type": "application/json",
        }
        before = await snapshot(e2e_org.engine)
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        response = http.post("/graphql", content=content, headers=headers)
        assert await snapshot(e2e_org.engine) == before, "a refused call changed the database"
        assert_logged_no_failure(server, request_id)
        return response

    return post


def _refused(response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert error_codes(response) == [code]
    return response.json()["errors"][0]["message"]


@pytest.mark.parametrize("accept, status", [(GRAPHQL_RESPONSE, 400), ("application/json", 200)])
async def test_a_nul_character_in_a_title_is_bad_user_input(call, e2e_org: Org, accept, status):
    title = {"serviceId": e2e_org.gid("Service", "laptops"), "title": "Slow\u0000laptop"}

    response = await call({"query": CREATE, "variables": {"input": title}}, accept=accept)

    message = _refused(response, status, "BAD_USER_INPUT")
    assert "data" not in response.json()  # a request error: nothing ran
    assert "NUL character" in message and "title" in message


async def test_a_nul_character_in_a_comment_body_is_bad_user_input(call, e2e_org: Org):
    request_id = await e2e_org.raise_request(e2e_org.employee)
    comment = {"requestId": ids.encode("Request", request_id), "body": "Still\u0000slow"}

    response = await call(
        {
            "query": "mutation($input: CommentAddInput!) { commentAdd(input: $input) { comment { id } } }",
            "variables": {"input": comment},
        }
    )

    assert "NUL character" in _refused(response, 400, "BAD_USER_INPUT")


@pytest.mark.parametrize(
    "query",
    [
        "query($s: String) { services(filter: {search: $s}) { totalCount } }",
        "query($s: String) { sharedGoals(filter: {search: $s}) { totalCount } }",
        "query($s: String) { journeyMaps(filter: {search: $s}) { totalCount } }",
        "query($s: String) { requests(filter: {search: $s}) { totalCount } }",
    ],
)
async def test_a_nul_character_in_a_search_is_bad_user_input(call, query):
    response = await call({"query": query, "variables": {"s": "lap\u0000top"}})

    assert "NUL character" in _refused(response, 400, "BAD_USER_INPUT")


async def test_a_nul_character_written_in_the_document_is_bad_user_input(call, e2e_org: Org):
    inline = 'mutation { requestCreate(input: {serviceId: "%s", title: "Slow\\u0000laptop"}) { request { id } } }'

    response = await call({"query": inline % e2e_org.gid("Service", "laptops")})

    assert "NUL character" in _refused(response, 400, "BAD_USER_INPUT")


def _cursor(key: dict, row_id) -> str:
    return base64.urlsafe_b64encode(json.dumps([key, row_id]).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor({"v": "x"}, "y"),  # text where the order has a timestamp and an id
        _cursor({"t": "2026-01-01"}, "y"),  # a timestamp without an offset
        _cursor({"v": [1]}, {"a": 1}),
        _cursor({"t": "2026-01-01T00:00:00+00:00"}, 2**70),  # an id past bigint
        _cursor({"t": "9999-12-31T23:59:59-23:59"}, 1),  # a moment past year 9999 in UTC
        _cursor({"t": "2026-01-01T00:00:00+00:00"}, None),
    ],
)
async def test_a_cursor_that_decodes_to_the_wrong_values_is_bad_user_input(call, cursor):
    response = await call(
        {
            "query": "query($after: String) { requests(after: $after) { edges { node { id } } } }",
            "variables": {"after": cursor},
        }
    )

    # an error of the field (its data is null), so 200 whatever the media type: the spec's rule
    assert _refused(response, 200, "BAD_USER_INPUT") == f"Not a cursor: {cursor!r}"
    assert response.json()["data"] is None


async def test_created_after_beyond_year_9999_in_utc_is_bad_user_input(call):
    response = await call(
        {
            "query": "query($d: DateTime) { requests(filter: {createdAfter: $d}) { totalCount } }",
            "variables": {"d": "9999-12-31T23:59:59.999999-23:59"},
        }
    )

    assert "DateTime out of range" in _refused(response, 400, "BAD_USER_INPUT")


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_subscription_over_http_is_a_400(http, server, token_for, method):
    request_id = f"sub-{uuid.uuid4().hex}"
    headers = {**bearer(token_for("employee@example.com")), "X-Request-ID": request_id}
    query = "subscription { events { cursor } }"

    response = (
        http.post("/graphql", json={"query": query}, headers=headers)
        if method == "POST"
        else http.get("/graphql", params={"query": query}, headers=headers)
    )

    assert "websockets" in _refused(response, 400, "BAD_REQUEST")
    assert_logged_no_failure(server, request_id)


async def test_a_body_that_is_not_utf8_is_a_400(call):
    response = await call(b'{"query": "{ viewer { email } }", "variables": {"x": "\xff\xfe"}}')

    assert _refused(response, 400, "BAD_REQUEST") == "The request body is not UTF-8."


async def test_json_nested_too_deeply_is_a_400(call):
    response = await call(b'{"query": "{ viewer { email } }", "variables": {"x": ' + b"[" * 100_000 + b"]}")

    assert _refused(response, 400, "BAD_REQUEST") == "The request's JSON is nested too deeply."


def test_json_nested_too_deeply_in_a_get_is_a_400(http, token_for):
    response = http.get(
        "/graphql",
        params={"query": "{ __typename }", "variables": "[" * 5000},
        headers=bearer(token_for("employee@example.com")),
    )

    assert _refused(response, 400, "BAD_REQUEST") == "The request's JSON is nested too deeply."


@pytest.mark.parametrize("name", [["Portal"], 5, {"a": 1}])
async def test_an_operation_name_that_is_not_a_string_is_a_400(call, name):
    # given a document answered before (so it reaches the caches keyed on the operation's name)
    document = "query Portal { requests(first: 2) { edges { node { title } } } }"
    assert (await call({"query": document, "operationName": "Portal"})).status_code == 200

    response = await call({"query": document, "operationName": name})

    assert "`operationName` must be a string" in _refused(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize("request_line", [b"GET /healthz HTTP/1.1", b"GET /readyz HTTP/1.1", b"POST /graphql HTTP/1.1"])
def test_a_request_id_that_is_not_utf8_is_replaced(server, request_line):
    body = b'{"query": "{ __typename }"}' if request_line.startswith(b"POST") else b""

    response = raw_request(
        server, request_line, [(b"X-Request-ID", b"\xff\xfe-not-utf8"), (b"Content-Type", b"application/json")], body
    )

    assert response.status == 200, response.body
    generated = response.headers["x-request-id"]
    assert len(generated) == 32 and int(generated, 16) >= 0
    assert_logged_no_failure(server, generated)


@pytest.mark.parametrize("path, status", [(b"/graphql", 101), (b"/healthz", 403)])
def test_a_websocket_request_id_that_is_not_utf8_is_no_failure(server, path, status):
    # /graphql's websockets go straight to the endpoint; any other path's pass the HTTP middleware
    upgrade = [
        (b"Upgrade", b"websocket"),
        (b"Connection", b"Upgrade"),
        (b"Sec-WebSocket-Version", b"13"),
        (b"Sec-WebSocket-Key", base64.b64encode(uuid.uuid4().bytes)),
        (b"Sec-WebSocket-Protocol", b"graphql-transport-ws"),
        (b"X-Request-ID", b"\xff\xfe"),
    ]
    seen = len(server.log_entries())

    response = raw_request(server, b"GET " + path + b" HTTP/1.1", upgrade)

    assert response.status == status
    if status == 403:  # refused by the router: the access line says so
        server.wait_for_log(lambda e: e.get("method") == "WS" and e.get("path") == "/healthz")
    assert_no_failure(server.log_entries()[seen:])
