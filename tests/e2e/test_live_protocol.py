"""graphql-transport-ws rules at the edges: authentication, limits, bad messages (a raw client)."""

from __future__ import annotations

import json

import pytest
import websockets

from tests.e2e.live import ws_url
from tests.e2e.raw_http import assert_no_failure

PROTOCOL = "graphql-transport-ws"
SUBSCRIBE = {"query": "subscription { events { cursor } }"}


async def _connect(server):
    return await websockets.connect(ws_url(server.url), subprotocols=[PROTOCOL])


async def _closed_with(ws) -> int:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await ws.recv()
    return closed.value.rcvd.code


async def _init(ws, token: str) -> None:
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert json.loads(await ws.recv()) == {"type": "connection_ack"}


async def test_a_missing_token_closes_with_4401(server):
    async with await _connect(server) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert await _closed_with(ws) == 4401


async def test_a_bad_token_closes_with_4403(server):
    async with await _connect(server) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer forged"}}))
        assert await _closed_with(ws) == 4403
        # the fixed message for a malformed token, not the JWT library's text
        assert ws.close_reason == "Forbidden: Invalid token: it is not a well-formed JWT."


async def test_subscribing_before_init_closes_with_4401(server):
    async with await _connect(server) as ws:
        await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": SUBSCRIBE}))
        assert await _closed_with(ws) == 4401


async def test_a_second_init_closes_with_4429(server, token_for):
    async with await _connect(server) as ws:
        await _init(ws, token_for("employee@example.com"))
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert await _closed_with(ws) == 4429


async def test_a_duplicate_operation_id_closes_with_4409(server, token_for):
    async with await _connect(server) as ws:
        await _init(ws, token_for("employee@example.com"))
        for _ in range(2):
            await ws.send(json.dumps({"type": "subscribe", "id": "same", "payload": SUBSCRIBE}))
        assert await _closed_with(ws) == 4409


async def test_a_message_that_is_not_the_protocol_closes_with_4400(server, token_for):
    async with await _connect(server) as ws:
        await _init(ws, token_for("employee@example.com"))
        await ws.send("not json")
        assert await _closed_with(ws) == 4400


async def test_a_client_that_never_initialises_is_closed(server_env, tmp_path, e2e_org):
    from tests.support.server import Server

    quick = Server(env={**server_env, "TANDEM_WS_INIT_TIMEOUT": "0.5"}, cwd=tmp_path, log_path=tmp_path / "s.log")
    try:
        quick.wait_ready()
        async with await _connect(quick) as ws:
            assert await _closed_with(ws) == 4408
    finally:
        quick.stop()


async def test_operations_per_connection_are_limited(server, token_for):
    async with await _connect(server) as ws:
        await _init(ws, token_for("employee@example.com"))
        for n in range(51):
            await ws.send(json.dumps({"type": "subscribe", "id": str(n), "payload": SUBSCRIBE}))
        refused = json.loads(await ws.recv())
        assert refused["type"] == "error" and refused["id"] == "50"
        assert refused["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        # completing one makes room for another
        await ws.send(json.dumps({"type": "complete", "id": "0"}))
        await ws.send(
            json.dumps({"type": "subscribe", "id": "again", "payload": {"query": "query { viewer { email } }"}})
        )
        answer = json.loads(await ws.recv())
        assert answer == {
            "id": "again",
            "type": "next",
            "payload": {"data": {"viewer": {"email": "employee@example.com"}}},
        }
        assert json.loads(await ws.recv()) == {"id": "again", "type": "complete"}


async def test_an_invalid_document_is_an_error_message_with_a_code(server, token_for):
    async with await _connect(server) as ws:
        await _init(ws, token_for("employee@example.com"))
        await ws.send(
            json.dumps({"type": "subscribe", "id": "1", "payload": {"query": "subscription { events { nope } }"}})
        )
        refused = json.loads(await ws.recv())
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        await ws.send(
            json.dumps(
                {
                    "type": "subscribe",
                    "id": "2",
                    "payload": {"query": 'subscription { events(after: "nonsense") { cursor } }'},
                }
            )
        )
        refused = json.loads(await ws.recv())
        assert refused["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_ping_is_answered_with_pong(server, token_for):
    async with await _connect(server) as ws:
        await _init(ws, token_for("employee@example.com"))
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv()) == {"type": "pong"}


async def test_a_connection_closes_when_its_token_expires(server, e2e_org):
    from api.auth import mint_token
    from tests.e2e.conftest import SECRET

    employee = e2e_org.people["employee"]
    token = mint_token(person_id=employee.id, email=employee.email, secret=SECRET, hours=2 / 3600)
    async with await _connect(server) as ws:
        await _init(ws, token)
        assert await _closed_with(ws) == 4403


async def test_a_message_over_the_body_limit_closes_with_1009(server, token_for):
    # uvicorn's default would take 16 MiB: `tandem serve` caps messages as it caps HTTP bodies (1 MB)
    async with await _connect(server) as ws:
        await _init(ws, token_for("employee@example.com"))
        padded = {"query": "subscription { events { cursor } }\n#" + "x" * 1_100_000}
        await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": padded}))
        assert await _closed_with(ws) == 1009


async def test_an_operation_id_over_128_characters_closes_with_4400(server, token_for):
    async with await _connect(server) as ws:
        await _init(ws, token_for("employee@example.com"))
        await ws.send(
            json.dumps({"type": "subscribe", "id": "x" * 128, "payload": {"query": "query { viewer { email } }"}})
        )
        assert json.loads(await ws.recv())["type"] == "next"
        await ws.send(json.dumps({"type": "subscribe", "id": "x" * 129, "payload": SUBSCRIBE}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await ws.recv()
    assert closed.value.rcvd.code == 4400
    assert "at most 128 characters" in closed.value.rcvd.reason


@pytest.mark.parametrize(
    "message",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"type": "subscribe", "id": "1", "payload": {"query": "subscription { events { cursor } }", '
        '"variables": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}}",
    ],
)
async def test_json_nested_too_deeply_closes_with_4400_and_the_server_goes_on(server, token_for, message):
    seen = len(server.log_entries())
    async with await _connect(server) as ws:
        await _init(ws, token_for("employee@example.com"))
        await ws.send(message)  # well within the 1 MB a message may take
        assert await _closed_with(ws) == 4400
        assert ws.close_reason == "Invalid message"
    # the server goes on serving websockets, and logged no traceback
    async with await _connect(server) as ws:
        await _init(ws, token_for("employee@example.com"))
        await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {"query": "{ viewer { email } }"}}))
        assert json.loads(await ws.recv())["payload"] == {"data": {"viewer": {"email": "employee@example.com"}}}
    assert_no_failure(server.log_entries()[seen:])
