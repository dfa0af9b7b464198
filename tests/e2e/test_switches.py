"""TANDEM_INTROSPECTION=false and TANDEM_GRAPHIQL=false, on a second real server."""

import httpx
import pytest

from tests.e2e.client import bearer, error_codes
from tests.support.org import Org
from tests.support.server import Server

INTROSPECTION = "{ __schema { queryType { name } } }"


@pytest.fixture(scope="module")
def locked_down(server_env, e2e_org: Org, tmp_path_factory):
    folder = tmp_path_factory.mktemp("locked")
    running = Server(
        env={**server_env, "TANDEM_INTROSPECTION": "false", "TANDEM_GRAPHIQL": "false"},
        cwd=folder,
        log_path=folder / "server.log",
    )
    running.wait_ready()
    yield running
    running.stop()


def test_introspection_is_refused_when_switched_off(locked_down, token_for):
    response = httpx.post(
        f"{locked_down.url}/graphql", json={"query": INTROSPECTION}, headers=bearer(token_for("admin@example.com"))
    )

    assert "data" not in response.json()
    assert set(error_codes(response)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection" in response.json()["errors"][0]["message"].lower()


def test_ordinary_queries_still_work_without_introspection(locked_down, token_for):
    response = httpx.post(
        f"{locked_down.url}/graphql",
        json={"query": "{ viewer { email } }"},
        headers=bearer(token_for("admin@example.com")),
    )

    assert response.json()["data"] == {"viewer": {"email": "admin@example.com"}}


def test_no_graphiql_when_switched_off(locked_down):
    response = httpx.get(f"{locked_down.url}/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 404
    assert not response.headers["content-type"].startswith("text/html")
    assert error_codes(response) == ["NOT_FOUND"]


def test_introspection_and_graphiql_are_on_by_default(http, token_for):
    introspection = http.post("/graphql", json={"query": INTROSPECTION}, headers=bearer(token_for("admin@example.com")))

    assert introspection.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    assert http.get("/graphql", headers={"Accept": "text/html"}).headers["content-type"].startswith("text/html")


def test_the_landing_page_offers_no_graphiql_when_switched_off(locked_down):
    described = httpx.get(f"{locked_down.url}/").json()
    page = httpx.get(f"{locked_down.url}/", headers={"Accept": "text/html"}).text

    assert described["graphiql"] is None and described["graphql"] == "/graphql"
    assert 'href="/graphql"' not in page and "POST /graphql" in page
