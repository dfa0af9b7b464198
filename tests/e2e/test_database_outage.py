"""A real server on a PostgreSQL of the test's own: one that allows fewer connections than the
server's pool would open, and one that goes away and comes back. Calls wait for a pooled
connection instead of failing; an outage is answered 503 SERVICE_UNAVAILABLE (Retry-After,
X-Request-ID) on a keep-alive connection that stays open, and the next call on it works once the
database is back."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
import websockets

from api.auth import mint_token
from db.engine import create_engine
from domain.people import Person
from schema import ids
from tests.e2e.client import bearer
from tests.e2e.live import ws_url
from tests.support.org import Org, build_org
from tests.support.own_postgres import OwnPostgres
from tests.support.server import Server, clean_env

SECRET = "outage-secret-not-the-default-and-32-bytes-long"
MAX_CONNECTIONS = 10  # the server's pool would open 30 (TANDEM_DB_POOL_SIZE=20, and half again)
CLIENTS, CALLS = 100, 6
LIST = "query($first: Int) { requests(first: $first) { totalCount edges { node { id title } } } }"
COMMENT = (
    """mutation($input: CommentAddInput!) { commentAdd(input: $input) { comment { body } userErrors { code } } }"""
)


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[OwnPostgres]:
    # Tandem signs in as a superuser here: no reserved slots, so MAX_CONNECTIONS is what it may open.
    postgres = OwnPostgres(settings={"max_connections": str(MAX_CONNECTIONS), "superuser_reserved_connections": "0"})
    postgres.start()
    yield postgres
    postgres.remove()


@pytest.fixture(scope="module")
def served(own_postgres, tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("own-postgres")
    running = Server(
        env=clean_env(DATABASE_URL=own_postgres.url, TANDEM_SECRET=SECRET, TANDEM_DB_POOL_SIZE="20"),
        cwd=folder,
        log_path=folder / "server.log",
    )
    running.wait_ready()
    yield running
    running.stop()


@pytest.fixture(scope="module")
async def own_org(served, own_postgres) -> Org:
    engine = create_engine(own_postgres.url, pool_size=1)
    org = await build_org(engine)
    await engine.dispose()  # its connection would take one of the few the server allows
    return org


def _token(person: Person) -> str:
    return mint_token(person_id=person.id, email=person.email, secret=SECRET, hours=1)


async def test_calls_wait_for_a_connection_when_the_server_allows_fewer_than_the_pool(
    served, own_postgres, own_org: Org
):
    # given requests to comment on, and a hundred clients calling at once
    requests = [
        ids.encode("Request", await own_org.raise_request(own_org.employee, title=f"Dock {n}")) for n in range(10)
    ]
    await own_org.engine.dispose()
    agent = _token(own_org.it_agent)
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=served.url, timeout=60, limits=limits, headers=bearer(agent)) as http:

        async def client(number: int) -> list[str]:
            """What went wrong in this client's calls."""
            failures = []
            for call in range(CALLS):
                if call % 2:
                    body = {
                        "query": COMMENT,
                        "variables": {
                            "input": {
                                "requestId": requests[number % len(requests)],
                                "body": f"client {number} call {call}",
                            }
                        },
                    }
                else:
                    body = {"query": LIST, "variables": {"first": 5}}
                try:
                    answer = await http.post("/graphql", json=body)
                except httpx.TransportError as error:  # a dropped connection fails the call too
                    failures.append(repr(error))
                    continue
                if answer.status_code != 200 or "errors" in answer.text:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")
            return failures

        failed = [f for batch in await asyncio.gather(*(client(n) for n in range(CLIENTS))) for f in batch]

    # then every call was answered, though PostgreSQL refused connections meanwhile
    assert failed == [], f"{len(failed)} of {CLIENTS * CALLS} calls failed, e.g. {failed[:5]}"
    refusals = own_postgres.log_text().count("too many clients")
    assert refusals > 0
    # and the pool stopped knocking at the full server meanwhile (each waiting call knocking every
    # half second made 338 refusals in one run; this way, 21)
    assert refusals < CLIENTS * CALLS / 4


async def test_an_outage_is_a_coded_503_and_the_connection_serves_the_next_call(served, own_postgres, own_org: Org):
    agent = _token(own_org.it_agent)
    with httpx.Client(base_url=served.url, timeout=30, headers=bearer(agent)) as http:
        first = http.post("/graphql", json={"query": LIST, "variables": {"first": 5}})
        assert first.status_code == 200
        port = _local_port(first)
        for mode in ("fast", "immediate"):  # a clean shutdown, and a crash
            # when the database stops
            own_postgres.stop(mode)

            # then a read, a write and a sign-in of someone not seen lately are each a coded 503
            newcomer = _token(own_org.people["hr_manager" if mode == "fast" else "fac_agent"])
            answers = [
                http.post("/graphql", json={"query": LIST, "variables": {"first": 5}}),
                http.post(
                    "/graphql",
                    json={
                        "query": COMMENT,
                        "variables": {"input": {"requestId": ids.encode("Request", 1), "body": "during the outage"}},
                    },
                ),
                http.post("/graphql", json={"query": "{ viewer { email } }"}, headers=bearer(newcomer)),
            ]
            for answer in answers:
                assert answer.status_code == 503, answer.text
                assert answer.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
                assert answer.headers["retry-after"].isdigit()
                assert answer.headers["x-request-id"]
                assert _local_port(answer) == port  # the same keep-alive connection
            assert http.get("/readyz").status_code == 503
            assert http.get("/healthz").status_code == 200
            assert await _websocket_sign_in_closes_with(served, newcomer) == 1013

            # and once it is back, the next call on the same connection is answered
            own_postgres.start()
            again = http.post("/graphql", json={"query": LIST, "variables": {"first": 5}})
            assert again.status_code == 200 and "errors" not in again.json(), again.text
            assert _local_port(again) == port


def _local_port(response: httpx.Response) -> int:
    return response.extensions["network_stream"].get_extra_info("client_addr")[1]


async def _websocket_sign_in_closes_with(server: Server, token: str) -> int:
    async with websockets.connect(ws_url(server.url), subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 30)
        return closed.value.rcvd.code
