"""OpenTelemetry traces of real calls: the app served by uvicorn in this process, called over HTTP and
a websocket, its spans caught by the SDK's in-memory exporter. A trace has the HTTP server span, the
operation's span under it, the SQL statements, and for a mutation the domain command's span with its
own statements beneath it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from gql import gql
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from api import tracing
from api.app import create_app
from api.auth import mint_token
from api.settings import Settings
from schema import ids
from schema import tracing as schema_tracing
from tests.e2e.live import live_session
from tests.support.in_process import uvicorn_serving
from tests.support.org import Org

SECRET = "tracing-test-secret-32-bytes-long!"
CREATE = """mutation TracedCreate($input: RequestCreateInput!) { requestCreate(input: $input) {
  request { id version } userErrors { code } } }"""
UPDATE = """mutation TracedUpdate($input: RequestUpdateInput!) { requestUpdate(input: $input) {
  request { title } userErrors { code } } }"""


@pytest.fixture(scope="module")
def spans() -> AsyncIterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    assert tracing.configure(exporter=exporter)
    yield exporter
    tracing.shutdown()
    assert schema_tracing.tracer is None


@contextlib.asynccontextmanager
async def serving(database_url: str) -> AsyncIterator[str]:
    app = create_app(Settings(database_url=database_url, tandem_secret=SECRET))
    async with uvicorn_serving(app, ws_per_message_deflate=True) as server:
        yield f"http://127.0.0.1:{server.config.port}"


async def finished(spans: InMemorySpanExporter, holds: Callable[[list[ReadableSpan]], bool]) -> list[ReadableSpan]:
    """The spans once `holds`: a server span ends just after its response has gone."""
    deadline = time.monotonic() + 10
    while not holds(found := list(spans.get_finished_spans())) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    return found


def named(found: list[ReadableSpan], name: str) -> ReadableSpan:
    matches = [s for s in found if s.name == name]
    assert len(matches) == 1, sorted(s.name for s in found)
    return matches[0]


def children(found: list[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    return [s for s in found if s.parent is not None and s.parent.span_id == parent.context.span_id]


def statements(found: list[ReadableSpan]) -> list[ReadableSpan]:
    return [s for s in found if s.kind is SpanKind.CLIENT and s.attributes.get("db.system") == "postgresql"]


async def test_a_mutation_traces_its_operation_command_and_statements(spans, database_url, org: Org):
    token = mint_token(person_id=org.employee.id, email=org.employee.email, secret=SECRET, hours=1)
    async with serving(database_url) as url, httpx.AsyncClient(base_url=url) as http:
        spans.clear()
        # when a request is raised over HTTP
        response = await http.post(
            "/graphql",
            json={"query": CREATE, "variables": {"input": {"serviceId": org.gid("Service", "laptops"), "title": "T"}}},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.json()["data"]["requestCreate"]["userErrors"] == []
        found = await finished(spans, lambda f: any(s.kind is SpanKind.SERVER for s in f))

    # then one trace: the HTTP server span, the operation under it, the command under that
    server = next(s for s in found if s.kind is SpanKind.SERVER)
    operation = named(found, "mutation TracedCreate")
    command = named(found, "command CreateRequest")
    assert operation.parent.span_id == server.context.span_id
    assert command.parent.span_id == operation.context.span_id
    assert {s.context.trace_id for s in (server, operation, command)} == {server.context.trace_id}
    assert operation.attributes["graphql.operation.type"] == "mutation"
    assert operation.attributes["graphql.operation.name"] == "TracedCreate"
    assert command.attributes["graphql.field.name"] == "requestCreate"
    # the command's SQL (the optimistic write, sent to the driver directly) under the command
    written = statements(children(found, command))
    assert written, sorted(s.name for s in found)
    assert any("insert into events" in s.attributes["db.statement"] for s in written)
    # the sign-in's statement under the operation
    assert statements(children(found, operation))


async def test_a_command_run_through_the_locking_unit_of_work_has_its_span(spans, database_url, org: Org):
    token = mint_token(person_id=org.employee.id, email=org.employee.email, secret=SECRET, hours=1)
    request_id = await org.raise_request(org.employee)
    gid = ids.encode("Request", request_id)
    async with serving(database_url) as url, httpx.AsyncClient(base_url=url) as http:
        spans.clear()
        response = await http.post(
            "/graphql",
            json={"query": UPDATE, "variables": {"input": {"id": gid, "expectedVersion": 1, "title": "Renamed"}}},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.json()["data"]["requestUpdate"]["userErrors"] == []
        found = await finished(spans, lambda f: any(s.kind is SpanKind.SERVER for s in f))

    operation = named(found, "mutation TracedUpdate")
    command = named(found, "command UpdateRequest")
    assert command.parent.span_id == operation.context.span_id
    # SQLAlchemy's statements (prepared by the driver) are there too
    assert any("UPDATE requests" in s.attributes["db.statement"] for s in statements(children(found, command)))


async def test_a_query_over_a_websocket_is_a_trace_of_its_own(spans, database_url, org: Org):
    token = mint_token(person_id=org.employee.id, email=org.employee.email, secret=SECRET, hours=1)
    async with serving(database_url) as url, live_session(url, token) as session:
        spans.clear()
        result = await session.execute(gql("query TracedOverWs { requests(first: 5) { totalCount } }"))
        assert result["requests"]["totalCount"] == 0
        found = await finished(spans, lambda f: any(s.name == "query TracedOverWs" for s in f))

    operation = named(found, "query TracedOverWs")
    assert operation.parent is None
    assert operation.kind is SpanKind.SERVER
    assert statements(children(found, operation))


async def test_tracing_is_off_unless_asked_for(monkeypatch):
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    assert tracing.requested_exporters() == []
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    assert tracing.requested_exporters() == []
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp,console")
    assert tracing.requested_exporters() == ["otlp", "console"]
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert tracing.requested_exporters() == []


async def test_an_exporter_that_is_not_installed_is_named(monkeypatch):
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "zipkin_json")
    with pytest.raises(tracing.TracingUnavailable, match="zipkin_json"):
        tracing.check()
