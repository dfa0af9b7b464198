"""`GET /` on the real server: a page of links for browsers, the same as JSON for everyone else."""

from __future__ import annotations

import re

import pytest

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
LINKS = {"graphql": "/graphql", "graphiql": "/graphql", "health": "/healthz", "ready": "/readyz", "metrics": "/metrics"}


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_clients_get_a_json_description(http, accept):
    response = http.get("/", headers={"Accept": accept} if accept else {})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "Accept" in response.headers["vary"]
    body = response.json()
    assert body["name"] == "Tandem" and {k: body[k] for k in LINKS} == LINKS and "docs/" in body["docs"]


def test_browsers_get_a_page_whose_links_all_answer(http):
    response = http.get("/", headers={"Accept": BROWSER})

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    links = re.findall(r'href="([^"]+)"', response.text)
    assert links == ["/graphql", "/healthz", "/readyz", "/metrics"]
    for link in links:
        assert http.get(link, headers={"Accept": BROWSER}).status_code == 200, link
    assert "<script" not in response.text


def test_only_get_is_answered(http):
    assert http.post("/", json={}).status_code == 405


def test_switched_off_endpoints_are_not_offered():
    from starlette.applications import Starlette
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from api.landing import landing

    app = Starlette(routes=[Route("/", landing(graphiql=False, metrics=False))])
    body = TestClient(app).get("/").json()

    assert body["graphiql"] is None and body["metrics"] is None
    page = TestClient(app).get("/", headers={"Accept": BROWSER}).text
    assert re.findall(r'href="([^"]+)"', page) == ["/healthz", "/readyz"]
