"""Caches stay within their bytes whatever clients send: the app served by a real uvicorn in this
process (so its caches can be read), real HTTP and websocket clients sending many distinct large
documents and variables. uvicorn keeps its default websocket cap (16 MiB) here: the endpoint's own
check is what closes an oversized message."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets

from api import ws_operations
from api.app import create_app
from api.auth import mint_token
from api.settings import Settings
from tests.support.api import FAST_PATHS_ON
from tests.support.in_process import uvicorn_serving

SECRET = "cache-bounds-secret-not-the-default-32-bytes"
MAX_BODY = 3_000_000
SEARCH = "query($f: RequestFilter) { requests(first: 5, filter: $f) { totalCount edges { node { id number } } } }"


class Served:
    def __init__(self, app: Any, port: int, token: str):
        self.app, self.token = app, token
        self.url = f"http://127.0.0.1:{port}"
        self.schema = app.state.graphql.schema

    async def post(self, http: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
        answer = await http.post(f"{self.url}/graphql", json=body, headers={"Authorization": f"Bearer {self.token}"})
        assert answer.status_code == 200, answer.text[:300]
        assert "errors" not in answer.json(), answer.text[:300]
        return answer.json()

    @contextlib.asynccontextmanager
    async def websocket(self) -> AsyncIterator[Any]:
        url = self.url.replace("http://", "ws://") + "/graphql"
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"], max_size=None) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {self.token}"}}))
            assert json.loads(await ws.recv()) == {"type": "connection_ack"}
            yield ws


@pytest.fixture
async def served(org, database_url) -> AsyncIterator[Served]:
    app = create_app(
        Settings(database_url=database_url, tandem_secret=SECRET, tandem_max_body_bytes=MAX_BODY, **FAST_PATHS_ON)
    )
    admin = org.people["admin"]
    async with uvicorn_serving(app) as server:
        yield Served(app, server.config.port, mint_token(person_id=admin.id, email=admin.email, secret=SECRET, hours=1))


def assert_within_bytes(cache: Any, texts_held: int) -> None:
    """The accounted size stays under the bound, and so does what the keys alone hold (counted
    here from the keys themselves, not from the cache's accounting)."""
    assert cache.bytes <= cache.max_bytes
    assert texts_held <= cache.max_bytes


async def test_compiled_reads_with_distinct_large_variables_keep_at_most_the_bytes_bound(served):
    compiler = served.schema.tandem_compiler
    async with httpx.AsyncClient(timeout=60) as http:
        for n in range(30):
            variables = {"f": {"search": f"{n} " + "x" * 600_000}}
            data = await served.post(http, {"query": SEARCH, "variables": variables})
            assert data["data"]["requests"]["totalCount"] == 0

    kept = [key for key in compiler.bindings.keys() if key[0] == SEARCH]
    assert 0 < len(kept) < 30  # the compiled path ran, and forgot the oldest
    assert_within_bytes(compiler.bindings, sum(len(key[2]) for key in compiler.bindings.keys()))
    searches = [
        shape.criteria.search or ""
        for key in compiler.statements.keys()
        for shape in key[2]
        if hasattr(shape, "criteria")
    ]
    assert_within_bytes(compiler.statements, sum(len(search) for search in searches))


async def test_a_binding_above_the_largest_kept_runs_but_is_not_kept(served):
    compiler = served.schema.tandem_compiler
    async with httpx.AsyncClient(timeout=60) as http:
        data = await served.post(http, {"query": SEARCH, "variables": {"f": {"search": "y" * 2_500_000}}})

    assert data["data"]["requests"]["totalCount"] == 0
    assert all(len(key[2]) < 2_500_000 for key in compiler.bindings.keys())


async def test_distinct_large_documents_keep_at_most_the_bytes_bound(served):
    schema = served.schema
    documents = [f"{{ n{n}: __typename }}\n#" + "x" * 300_000 for n in range(24)]
    async with httpx.AsyncClient(timeout=60) as http:
        for document in documents:
            await served.post(http, {"query": document})
        # parsed and validated once: a repeat is served from the cache
        await served.post(http, {"query": documents[-1]})

    parsed = schema.tandem_documents
    assert 0 < sum(1 for key in parsed.keys() if key[0] in documents) < len(documents)
    assert_within_bytes(parsed, sum(len(key[0]) for key in parsed.keys()))
    compiler = schema.tandem_compiler
    assert_within_bytes(compiler.validated, sum(len(query) for query in compiler.validated.keys()))
    assert_within_bytes(compiler.plans, sum(len(key[0]) for key in compiler.plans.keys()))


async def test_distinct_large_subscription_documents_keep_at_most_the_bytes_bound(served):
    documents = [f"subscription {{ events {{ cursor }} }}\n#{n}" + "x" * 300_000 for n in range(24)]
    async with served.websocket() as ws:
        for n, document in enumerate(documents):
            await ws.send(json.dumps({"type": "subscribe", "id": str(n), "payload": {"query": document}}))
            await ws.send(json.dumps({"type": "complete", "id": str(n)}))
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv()) == {"type": "pong"}

    checked = ws_operations._PARSED
    assert sum(1 for key in checked.keys() if key[1] in documents) < len(documents)
    assert_within_bytes(checked, sum(len(key[1]) for key in checked.keys()))


@pytest.mark.parametrize("padding", ["x" * 3_100_000, "€" * 1_100_000], ids=["ascii", "three-byte characters"])
async def test_a_message_over_the_body_limit_closes_with_1009_and_runs_nothing(served, padding):
    hub = served.app.state.graphql.hub
    async with served.websocket() as ws:
        query = "subscription { events { cursor } }\n#" + padding
        await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {"query": query}}, ensure_ascii=False))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 15)

    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1009, f"Message too big: at most {MAX_BODY} bytes")
    assert hub.subscriber_count == 0
    assert not any(key[1] == query for key in ws_operations._PARSED.keys())


async def test_an_operation_id_over_128_characters_closes_with_4400_and_runs_nothing(served):
    hub = served.app.state.graphql.hub
    subscribe = {"query": "subscription { events { cursor } }"}
    async with served.websocket() as ws:
        await ws.send(json.dumps({"type": "subscribe", "id": "i" * 128, "payload": subscribe}))
        await ws.send(json.dumps({"type": "complete", "id": "i" * 128}))
        await ws.send(json.dumps({"type": "subscribe", "id": "j" * 129, "payload": subscribe}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 15)

    assert closed.value.rcvd.code == 4400
    assert closed.value.rcvd.reason == "Invalid message: an id has at most 128 characters"
    assert hub.subscriber_count == 0
    assert "j" * 129 not in ws_operations._NEXT_PREFIXES
