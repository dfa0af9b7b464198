"""Tracing switched on by the standard OTEL_* settings of a real `tandem serve`; and refused, with one
line, when they name an exporter that is not installed."""

from __future__ import annotations

import json

import httpx

from tests.e2e.client import post
from tests.support.org import Org
from tests.support.server import Server, tandem


def _spans(log: str) -> list[dict]:
    """The console exporter's spans: JSON objects of several lines each, among the log lines."""
    decoder, spans, at = json.JSONDecoder(), [], 0
    while (at := log.find("{\n", at)) != -1:
        span, end = decoder.raw_decode(log, at)
        spans.append(span)
        at = end
    return spans


def test_the_otel_settings_turn_tracing_on(server_env, e2e_org: Org, token_for, tmp_path):
    env = {**server_env, "OTEL_TRACES_EXPORTER": "console", "OTEL_SERVICE_NAME": "tandem-e2e"}
    traced = Server(env=env, cwd=tmp_path, log_path=tmp_path / "traced.log")
    try:
        traced.wait_ready()
        with httpx.Client(base_url=traced.url, timeout=30) as http:
            response = post(http, "query ConsoleTraced { viewer { email } }", token=token_for("employee@example.com"))
        assert response.status_code == 200
    finally:
        assert traced.stop() == 0  # the batches are sent at shutdown

    spans = _spans(traced.log_text())
    (operation,) = [s for s in spans if s["name"] == "query ConsoleTraced"]
    assert operation["resource"]["attributes"]["service.name"] == "tandem-e2e"
    assert operation["attributes"]["graphql.operation.name"] == "ConsoleTraced"
    server_span = next(s for s in spans if s["context"]["span_id"] == operation["parent_id"])
    assert server_span["kind"] == "SpanKind.SERVER"
    assert any(s["parent_id"] == operation["context"]["span_id"] and s["kind"] == "SpanKind.CLIENT" for s in spans)
    # the probes are left out
    assert not [s for s in spans if "readyz" in s["name"]]


def test_an_exporter_that_is_not_installed_stops_serve_with_one_line(server_env, tmp_path):
    done = tandem("serve", env={**server_env, "OTEL_TRACES_EXPORTER": "zipkin_json"}, cwd=tmp_path, timeout=60)

    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "zipkin_json" in done.stderr
