"""What caches may keep: every /graphql answer depends on the bearer token and on Accept, so it
says so (Vary); an answer to a signed-in viewer is theirs alone (Cache-Control: private) and is
live data (no-cache: asked for again before reuse)."""

import json

import httpx
import pytest

from tests.e2e.client import bearer, post
from tests.e2e.test_persisted_queries import persisted, sha256, unique_query, with_query
from tests.support.org import Org

PRIVATE = "private, no-cache"


def _vary(response: httpx.Response) -> list[str]:
    return [v.strip().lower() for v in response.headers.get("vary", "").split(",") if v.strip()]


def test_a_signed_in_get_is_private_and_varies_by_token(http, e2e_org: Org, token_for):
    response = http.get(
        "/graphql", params={"query": "{ viewer { email } }"}, headers=bearer(token_for("employee@example.com"))
    )

    assert response.status_code == 200
    assert response.headers["cache-control"] == PRIVATE
    assert _vary(response) == ["accept", "authorization"]


def test_a_persisted_query_by_get_is_private_too(http, e2e_org: Org, token_for):
    # given a stored document (Apollo's link: POST with the query once)
    token = token_for("employee@example.com")
    document = unique_query()
    assert with_query(http, document, token=token).status_code == 200

    # when a client asks for it by hash, in a short URL a CDN could cache
    response = http.get(
        "/graphql",
        headers=bearer(token),
        params={"extensions": f'{{"persistedQuery": {{"version": 1, "sha256Hash": "{sha256(document)}"}}}}'},
    )

    # then no shared cache keeps it, and a private one keys it on the token
    assert response.json()["data"]["viewer"]["email"] == "employee@example.com"
    assert response.headers["cache-control"] == PRIVATE
    assert "authorization" in _vary(response)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not.a.jwt"}])
def test_answers_without_a_viewer_vary_by_token_too(http, e2e_org: Org, headers):
    # an anonymous answer (or a refused token's 401) must never be served to someone signed in
    response = http.get("/graphql", params={"query": "{ __typename }"}, headers=headers)

    assert _vary(response) == ["accept", "authorization"]
    assert response.headers.get("cache-control") == (PRIVATE if headers else None)


def test_a_signed_in_post_is_private(http, e2e_org: Org, token_for):
    response = post(http, "{ viewer { email } }", token=token_for("employee@example.com"))

    assert response.headers["cache-control"] == PRIVATE
    assert "authorization" in _vary(response)


def test_an_unknown_hash_is_still_never_stored(http, e2e_org: Org, token_for):
    response = http.get(
        "/graphql",
        headers=bearer(token_for("employee@example.com")),
        params={"extensions": json.dumps(persisted(sha256(unique_query())))},
    )

    assert response.headers["cache-control"] == "no-store"
    assert "authorization" in _vary(response)
