"""Documents built to exhaust the server are refused promptly with a coded error, over HTTP and
websockets, signed in or not, and the process keeps answering; each person's budget per minute
holds across both. (Bounded waits only: a regression fails here instead of hanging.)"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
import websockets

from db.engine import create_engine
from schema import ids
from tests.e2e.client import bearer
from tests.e2e.live import ws_url
from tests.support.database import snapshot
from tests.support.org import Org
from tests.support.server import Server

WAIT = 60  # seconds: far more than any refusal takes, far less than a hang


def spread_twice(levels: int, leaf: str = "__typename") -> str:
    """40 levels: 1.7 KB, and 2^40 paths through the fragments."""
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    return "{ ...F0 } " + " ".join(fragments) + f" fragment F{levels} on Query {{ {leaf} }}"


def fibonacci(levels: int) -> str:
    """Each fragment spreads the two before it: as many paths as the levels' Fibonacci number."""
    fragments = ["fragment G0 on Query { __typename }", "fragment G1 on Query { __typename ...G0 }"]
    fragments += [f"fragment G{i} on Query {{ ...G{i - 1} ...G{i - 2} }}" for i in range(2, levels)]
    return f"{{ ...G{levels - 1} }} " + " ".join(fragments)


def deep_through_fragments(levels: int) -> str:
    fragments = [
        f"fragment D{i} on Person {{ department {{ members {{ ...D{i + 1} ...D{i + 1} }} }} }}" for i in range(levels)
    ]
    return "{ viewer { ...D0 } } " + " ".join(fragments) + f" fragment D{levels} on Person {{ name }}"


PAGES = "requests(first: 100) { edges { node { comments(first: 100) { edges { node { body author { name } } } } } } }"
HOSTILE = {
    "fragments spread twice, 40 deep": (spread_twice(40), "QUERY_TOO_COMPLEX"),
    "an alias at the bottom of them": (spread_twice(40, "a: __typename"), "GRAPHQL_VALIDATION_FAILED"),
    "fragments spreading the two before, 60 deep": (fibonacci(60), "QUERY_TOO_COMPLEX"),
    "nesting through fragments spread twice": (deep_through_fragments(40), "GRAPHQL_VALIDATION_FAILED"),
    "a thousand fields of one name": ("{ " + "viewer { name } " * 1000 + "}", "GRAPHQL_VALIDATION_FAILED"),
    "30 aliases of 100 pages of 100": (
        "{ " + " ".join(f"a{i}: {PAGES}" for i in range(30)) + " }",
        "QUERY_TOO_COMPLEX",
    ),
}


def still_healthy(server: Server) -> None:
    health = httpx.get(f"{server.url}/healthz", timeout=WAIT)
    assert health.status_code == 200 and health.json() == {"status": "ok"}


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed out", "signed in"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_documents_are_refused_with_a_code_and_the_server_keeps_answering(
    server, token_for, e2e_org, name, signed_in
):
    document, code = HOSTILE[name]
    headers = bearer(token_for("it.agent@example.com")) if signed_in else {}

    response = httpx.post(f"{server.url}/graphql", json={"query": document}, headers=headers, timeout=WAIT)

    assert response.status_code == 200
    assert "data" not in response.json()
    assert [e["extensions"]["code"] for e in response.json()["errors"]][:1] == [code]
    still_healthy(server)


async def _session(server: Server, token: str):
    ws = await websockets.connect(ws_url(server.url), subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), WAIT)) == {"type": "connection_ack"}
    return ws


async def _subscribe(ws, operation_id: str, query: str) -> dict:
    await ws.send(json.dumps({"type": "subscribe", "id": operation_id, "payload": {"query": query}}))
    return json.loads(await asyncio.wait_for(ws.recv(), WAIT))


@pytest.mark.parametrize(
    "name",
    [
        "fragments spread twice, 40 deep",
        "an alias at the bottom of them",
        "fragments spreading the two before, 60 deep",
    ],
)
async def test_hostile_documents_are_refused_over_websockets_too(server, token_for, e2e_org, name):
    document, code = HOSTILE[name]
    async with await _session(server, token_for("it.agent@example.com")) as ws:
        refused = await _subscribe(ws, "1", document)
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == code
    still_healthy(server)


# -- a server with small budgets: 50 an operation, 60 a minute for each person ----------------------------

DEPARTMENTS = "{ departments(first: 10) { edges { node { name } } } }"  # costs 1 + 10 x 3 = 31
MORE_DEPARTMENTS = "{ departments(first: 16) { edges { node { name } } } }"  # 49
ALL_DEPARTMENTS = "{ departments(first: 20) { edges { node { name } } } }"  # 61
COMMENT = (
    'mutation { commentAdd(input: {requestId: "%s", body: "late"}) { '
    "comment { id body author { name email } } userErrors { code } } }"
)  # 11 + 6 + 10 x 2 = 37


@pytest.fixture(scope="module")
def frugal(server_env, e2e_org, tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("frugal")
    running = Server(
        env={**server_env, "TANDEM_MAX_COST": "50", "TANDEM_COST_PER_MINUTE": "60"},
        cwd=folder,
        log_path=folder / "server.log",
    )
    running.wait_ready()
    yield running
    running.stop()


def post(server: Server, query: str, token: str, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/graphql", json={"query": query}, headers={**bearer(token), **headers}, timeout=WAIT
    )


def test_an_operation_above_the_budget_is_refused_with_its_cost(frugal, token_for):
    response = post(
        frugal, ALL_DEPARTMENTS, token_for("employee@example.com"), Accept="application/graphql-response+json"
    )

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "cost": 61, "budget": 50}
    assert response.json()["extensions"]["cost"] == {"requested": 61, "budget": 50}


async def test_a_spent_budget_is_429_with_retry_after_and_writes_nothing(
    frugal, token_for, e2e_org: Org, server_database
):
    token = token_for("hr.agent@example.com")
    request = ids.encode("Request", await e2e_org.raise_request(e2e_org.employee, service="payroll"))
    engine = create_engine(server_database, pool_size=1)
    try:
        # given an answer that reports what it cost and what remains
        first = post(frugal, DEPARTMENTS, token)
        assert first.status_code == 200
        report = first.json()["extensions"]["cost"]
        assert {k: report[k] for k in ("requested", "budget", "budgetPerMinute", "remaining")} == {
            "requested": 31,
            "budget": 50,
            "budgetPerMinute": 60,
            "remaining": 29,
        }
        assert report["resetsIn"] >= 30
        before = await snapshot(engine)

        # when more comes at once: a query of 49, a comment of 37 (29 remain; 1 comes back a second)
        refused = [post(frugal, MORE_DEPARTMENTS, token), post(frugal, COMMENT % request, token)]

        # then both are refused before running, with the seconds to wait, and nothing changed
        for response in refused:
            assert response.status_code == 429
            (error,) = response.json()["errors"]
            assert error["extensions"]["code"] == "RATE_LIMITED"
            assert int(response.headers["retry-after"]) == error["extensions"]["retryAfter"] >= 1
            assert "data" not in response.json()
        assert await snapshot(engine) == before
    finally:
        await engine.dispose()


async def test_the_budget_per_minute_holds_across_http_and_websockets(frugal, token_for, e2e_org):
    # given a person who spent 31 of 60 over HTTP
    token = token_for("fac.agent@example.com")
    assert post(frugal, DEPARTMENTS, token).status_code == 200

    async with await _session(frugal, token) as ws:
        # when an operation of 49 comes over a websocket
        refused = await _subscribe(ws, "1", MORE_DEPARTMENTS)

        # then it is refused as the operation's error, and the connection stays open
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
        answered = await _subscribe(ws, "2", "{ __typename }")
        assert answered == {"id": "2", "type": "next", "payload": {"data": {"__typename": "Query"}}}


def test_signed_out_operations_are_charged_to_the_client_address(frugal):
    # (introspection is open to anyone, and may cost as much as any read)
    types = "{ __schema { types { name kind description } } }"  # 1 + 10 x 4 = 41

    answers = [httpx.post(f"{frugal.url}/graphql", json={"query": types}, timeout=WAIT) for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 429]
    assert answers[0].json()["extensions"]["cost"]["remaining"] == 60 - 41
    assert answers[1].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
