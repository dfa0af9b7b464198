"""Probes, request ids and the JSON log lines on the server's stderr."""

import uuid

from tests.e2e.client import post


def test_healthz_answers_without_the_database(http):
    response = http.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database(http):
    response = http.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_a_caller_request_id_is_echoed_and_logged(http, server):
    request_id = f"e2e-{uuid.uuid4().hex}"

    response = post(http, "{ viewer { id } }", headers={"X-Request-ID": request_id})

    assert response.headers["x-request-id"] == request_id
    access = server.wait_for_log(lambda e: e.get("request_id") == request_id and e.get("logger") == "tandem.access")
    assert access["method"] == "POST"
    assert access["path"] == "/graphql"
    assert access["status"] == 401
    assert access["level"] == "INFO"


def test_a_request_id_is_generated_when_absent(http, server):
    first, second = http.get("/healthz"), http.get("/healthz")

    generated = first.headers["x-request-id"]
    assert generated and generated != second.headers["x-request-id"]
    server.wait_for_log(lambda e: e.get("request_id") == generated and e.get("path") == "/healthz")


def test_every_log_line_is_json(http, server):
    http.get("/readyz")

    entries = server.log_entries()
    assert entries
    assert [e for e in entries if "unparsed" in e] == []
    assert all({"time", "level", "logger", "message"} <= e.keys() for e in entries)


def test_client_mistakes_are_not_logged_as_server_errors(http, server):
    request_id = f"e2e-{uuid.uuid4().hex}"

    post(http, "{ nope }", headers={"X-Request-ID": request_id})

    server.wait_for_log(lambda e: e.get("request_id") == request_id and e.get("logger") == "tandem.access")
    mine = [e for e in server.log_entries() if e.get("request_id") == request_id]
    assert [e["level"] for e in mine] == ["INFO"]


def test_the_server_says_which_url_to_open_in_its_log(server):
    ready = server.wait_for_log(lambda e: e.get("message", "").startswith("Tandem is ready"))

    assert ready["message"].startswith(f"Tandem is ready: open {server.url}/graphql in a browser (GraphiQL)")
    assert ready["logger"] == "tandem.serve" and ready["level"] == "INFO"


def test_the_migrations_chatter_is_not_logged(http, server):
    messages = [e.get("message", "") for e in server.log_entries()]

    assert messages
    for chatter in ("Context impl", "Will assume transactional DDL", "Running upgrade"):
        assert not [m for m in messages if chatter in m]
