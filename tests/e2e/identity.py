"""People and tokens made over real HTTP for the identity tests: fresh people each time, so
deactivating or moving them leaves the shared test organisation as it was."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import websockets

from api.auth import mint_token
from schema import ids
from tests.e2e.client import payload
from tests.e2e.conftest import SECRET
from tests.e2e.live import ws_url

PROTOCOL = "graphql-transport-ws"
PERSON_CREATE = """mutation($input: PersonCreateInput!) { personCreate(input: $input) {
  person { id email } userErrors { code } } }"""
TOKEN_CREATE = """mutation($input: ApiTokenCreateInput!) { apiTokenCreate(input: $input) {
  apiToken { id } secret userErrors { code } } }"""
TOKEN_REVOKE = """mutation($input: ApiTokenRevokeInput!) { apiTokenRevoke(input: $input) {
  apiToken { revokedAt } userErrors { code } } }"""
PERSON_UPDATE = """mutation($input: PersonUpdateInput!) { personUpdate(input: $input) {
  person { role version } userErrors { code } } }"""
PERSON_DEACTIVATE = """mutation($input: PersonDeactivateInput!) { personDeactivate(input: $input) {
  person { active } userErrors { code } } }"""


@dataclass
class Someone:
    id: str  # the global ID
    email: str
    token: str  # a development token, as `tandem token` mints

    @property
    def db_id(self) -> int:
        return ids.parse(self.id)[1]


def someone(
    http: httpx.Client, admin_token: str, *, role: str = "REQUESTER", department_id: str | None = None
) -> Someone:
    email = f"p.{uuid.uuid4().hex[:10]}@example.com"
    made = payload(
        http,
        PERSON_CREATE,
        token=admin_token,
        input={"name": "Pat Person", "email": email, "role": role, "departmentId": department_id},
    )["person"]
    return Someone(
        made["id"], email, mint_token(person_id=ids.parse(made["id"])[1], email=email, secret=SECRET, hours=1)
    )


def api_token(http: httpx.Client, token: str, *scopes: str, person_id: str | None = None) -> tuple[str, str]:
    """(the token's ID, its secret)"""
    made = payload(
        http, TOKEN_CREATE, token=token, input={"name": "script", "scopes": list(scopes), "personId": person_id}
    )
    return made["apiToken"]["id"], made["secret"]


async def signed_in(url: str, token: str) -> Any:
    ws = await websockets.connect(ws_url(url), subprotocols=[PROTOCOL])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 15)) == {"type": "connection_ack"}
    return ws


async def subscribe(ws: Any, query: str, operation_id: str = "1", **variables: Any) -> None:
    await ws.send(
        json.dumps(
            {"id": operation_id, "type": "subscribe", "payload": {"query": query, "variables": variables or None}}
        )
    )


async def next_message(ws: Any, timeout: float = 15) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def closed_within(ws: Any, seconds: float) -> tuple[int, str]:
    """The close code and reason, once the server closes the connection (within `seconds`)."""

    async def wait() -> tuple[int, str]:
        try:
            while True:
                await ws.recv()
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code, closed.rcvd.reason

    return await asyncio.wait_for(wait(), seconds)
