"""Changes to people and tokens reach open websockets: a revoked token's connection, and every
connection of a deactivated person, close with 4403; a change of role or department changes what
an open subscription delivers. The server here re-reads nothing on a timer
(TANDEM_WS_RECHECK_SECONDS=0): what closes and moves the connections is the event log, as
committed by another process. Waits are bounded, never asserted."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from db.engine import create_engine
from tests.e2e.client import data, error_codes, payload, post
from tests.e2e.identity import (
    PERSON_DEACTIVATE,
    PERSON_UPDATE,
    TOKEN_CREATE,
    TOKEN_REVOKE,
    api_token,
    closed_within,
    next_message,
    signed_in,
    someone,
    subscribe,
)
from tests.support.org import Org
from tests.support.server import Server, tandem

VIEWER = "{ viewer { email role } }"
EVENTS = "subscription { events { type request { title } } }"
CREATE = """mutation($input: RequestCreateInput!) { requestCreate(input: $input) {
  request { id title } userErrors { code } } }"""
CLOSE_WAIT = 10  # bounded: the watch closes them within about a second


@pytest.fixture(scope="module")
def watched(server_env, server, e2e_org, tmp_path_factory) -> Iterator[Server]:
    """A second process on the same database, timer off: the websockets live here, the changes are
    made on the other one."""
    folder = tmp_path_factory.mktemp("watched")
    running = Server(env={**server_env, "TANDEM_WS_RECHECK_SECONDS": "0"}, cwd=folder, log_path=folder / "server.log")
    running.wait_ready()
    yield running
    running.stop()


@pytest.fixture
def admin(token_for) -> str:
    return token_for("admin@example.com")


async def test_revoking_a_token_closes_its_websocket_and_refuses_its_next_call(server, watched, http, admin):
    person = someone(http, admin)
    token_id, secret = api_token(http, person.token, "READ", "EVENTS")
    other_id, other = api_token(http, person.token, "READ", "EVENTS")
    ws, kept = await signed_in(watched.url, secret), await signed_in(watched.url, other)
    try:
        payload(http, TOKEN_REVOKE, token=person.token, input={"id": token_id})

        assert await closed_within(ws, CLOSE_WAIT) == (4403, "Forbidden: the token was revoked")
        response = post(http, VIEWER, token=secret)  # the process that revoked it: the very next call
        assert response.status_code == 401 and error_codes(response) == ["UNAUTHENTICATED"]
        assert response.json()["errors"][0]["message"] == "The API token has been revoked."
        await subscribe(kept, VIEWER)  # the person's other token is untouched
        assert (await next_message(kept))["payload"]["data"]["viewer"]["email"] == person.email
    finally:
        await ws.close()
        await kept.close()


async def test_deactivating_a_person_closes_all_their_websockets(server, watched, http, admin):
    person = someone(http, admin)
    _id, secret = api_token(http, person.token, "READ", "EVENTS")
    sockets = [await signed_in(watched.url, secret), await signed_in(watched.url, person.token)]
    try:
        payload(http, PERSON_DEACTIVATE, token=admin, input={"id": person.id})

        for ws in sockets:
            assert await closed_within(ws, CLOSE_WAIT) == (4403, "Forbidden: the person is deactivated")
        for token, message in (
            (secret, "The API token's person is deactivated."),
            (person.token, "The person is deactivated."),
        ):
            response = post(http, VIEWER, token=token)
            assert response.status_code == 401 and response.json()["errors"][0]["message"] == message
        refused = tandem("token", "--email", person.email, cwd=server.cwd, env=server.env)
        assert refused.returncode == 1 and "deactivated" in refused.stderr
    finally:
        for ws in sockets:
            await ws.close()


async def until_delivered(
    ws, http: httpx.Client, *, token: str, org: Org, title: str, service: str = "laptops"
) -> dict:
    """Raise requests until one of them arrives on `ws` (the feed goes live a moment after subscribing)."""
    for attempt in range(30):
        data(http, CREATE, token=token, input={"serviceId": org.gid("Service", service), "title": f"{title} {attempt}"})
        try:
            while True:
                message = await next_message(ws, timeout=1)
                if message["payload"]["data"]["events"]["type"] == "RequestCreated":
                    return message["payload"]["data"]["events"]
        except TimeoutError:
            continue
    raise AssertionError("nothing arrived")


async def test_a_role_change_changes_what_an_open_subscription_delivers(watched, http, admin, e2e_org: Org, token_for):
    person, employee = someone(http, admin), token_for("employee@example.com")
    ws = await signed_in(watched.url, person.token)
    try:
        await subscribe(ws, EVENTS)
        # given a requester's feed, live: it shows their own requests, not the employee's
        await until_delivered(ws, http, token=person.token, org=e2e_org, title="Mine")
        data(http, CREATE, token=employee, input={"serviceId": e2e_org.gid("Service", "laptops"), "title": "Before"})
        # when an admin makes them an IT agent (on the other process)
        payload(
            http,
            PERSON_UPDATE,
            token=admin,
            input={
                "id": person.id,
                "expectedVersion": 1,
                "role": "AGENT",
                "departmentId": e2e_org.gid("Department", "it"),
            },
        )
        # then the same subscription delivers IT's requests from then on (the earlier one is not replayed)
        seen = await until_delivered(ws, http, token=employee, org=e2e_org, title="After")
        assert seen["request"]["title"].startswith("After")
        assert data(http, VIEWER, token=person.token)["viewer"]["role"] == "AGENT"
        await subscribe(ws, VIEWER, "2")
        while (message := await next_message(ws))["id"] != "2":
            pass
        assert message["payload"]["data"]["viewer"]["role"] == "AGENT"
    finally:
        await ws.close()


async def test_an_agent_moved_to_another_department_gets_that_departments_events(
    watched, http, admin, e2e_org: Org, token_for
):
    person = someone(http, admin, role="AGENT", department_id=e2e_org.gid("Department", "it"))
    employee = token_for("employee@example.com")
    ws = await signed_in(watched.url, person.token)
    try:
        await subscribe(ws, EVENTS)  # shared with IT's agents: rendered once for all of them
        await until_delivered(ws, http, token=employee, org=e2e_org, title="IT")
        payload(
            http,
            PERSON_UPDATE,
            token=admin,
            input={"id": person.id, "expectedVersion": 1, "departmentId": e2e_org.gid("Department", "hr")},
        )
        # HR's requests arrive once the move has taken effect (about a second)...
        await until_delivered(ws, http, token=employee, org=e2e_org, title="Payroll", service="payroll")
        # ...and IT's no longer do: the next request created that arrives is HR's, not the IT one before it
        data(http, CREATE, token=employee, input={"serviceId": e2e_org.gid("Service", "laptops"), "title": "IT"})
        seen = await until_delivered(ws, http, token=employee, org=e2e_org, title="Payroll", service="payroll")

        assert seen["request"]["title"].startswith("Payroll")
    finally:
        await ws.close()


@pytest.fixture
def swept(server_env, server, e2e_org, tmp_path) -> Iterator[Server]:
    running = Server(
        env={**server_env, "TANDEM_WS_RECHECK_SECONDS": "0.5"}, cwd=tmp_path, log_path=tmp_path / "server.log"
    )
    running.wait_ready()
    yield running
    running.stop()


async def test_a_change_made_behind_tandems_back_closes_websockets_on_the_next_sweep(
    swept, http, admin, server_database
):
    person = someone(http, admin)
    _id, secret = api_token(http, person.token, "READ")
    ws = await signed_in(swept.url, secret)
    engine = create_engine(server_database, pool_size=1)
    try:
        async with engine.begin() as conn:  # an operator's SQL: no event in the log
            await conn.execute(
                text("update api_tokens set revoked_at = now() where person_id = :id"), {"id": person.db_id}
            )
        assert await closed_within(ws, CLOSE_WAIT) == (4403, "Forbidden: the token was revoked")
    finally:
        await ws.close()
        await engine.dispose()
        await asyncio.sleep(0)


async def test_a_websocket_closes_when_its_api_token_expires(watched, http, admin):
    person = someone(http, admin)
    expires = (datetime.now(UTC) + timedelta(seconds=6)).isoformat()
    made = payload(
        http, TOKEN_CREATE, token=person.token, input={"name": "short", "scopes": ["EVENTS"], "expiresAt": expires}
    )
    ws = await signed_in(watched.url, made["secret"])
    try:
        assert await closed_within(ws, 20) == (4403, "Forbidden: the token expired")
    finally:
        await ws.close()
