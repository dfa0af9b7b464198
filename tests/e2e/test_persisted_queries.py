"""Automatic persisted queries over real HTTP, as Apollo's persisted-query link uses them:
the hash alone first; on PERSISTED_QUERY_NOT_FOUND the query with its hash; the hash alone after."""

import hashlib
import json
import uuid
from typing import Any

import httpx

from tests.e2e.client import bearer, error_codes, post
from tests.support.org import Org

GRAPHQL_RESPONSE = "application/graphql-response+json"


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def persisted(digest: str, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


def hash_only(
    http: httpx.Client,
    document: str,
    *,
    token: str,
    variables: dict | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    body = {"extensions": persisted(sha256(document)), "variables": variables or {}}
    return http.post("/graphql", json=body, headers={**bearer(token), **(headers or {})})


def with_query(http: httpx.Client, document: str, *, token: str, variables: dict | None = None) -> httpx.Response:
    body = {"query": document, "extensions": persisted(sha256(document)), "variables": variables or {}}
    return http.post("/graphql", json=body, headers=bearer(token))


def apollo_link(http: httpx.Client, document: str, *, token: str, variables: dict | None = None) -> httpx.Response:
    """What Apollo's persisted-query link does: the hash, and the query only when asked for it."""
    response = hash_only(http, document, token=token, variables=variables)
    if response.status_code == 200 and "PERSISTED_QUERY_NOT_FOUND" in error_codes_or_none(response):
        response = with_query(http, document, token=token, variables=variables)
    return response


def error_codes_or_none(response: httpx.Response) -> list[str]:
    return error_codes(response) if "errors" in response.json() else []


def unique_query() -> str:
    """A document no earlier test registered (the server's store lives as long as the server)."""
    return f"query Mine{uuid.uuid4().hex} {{ viewer {{ email role }} }}"


def test_an_unknown_hash_asks_for_the_query_then_the_hash_alone_runs_it(http, e2e_org: Org, token_for):
    token = token_for("admin@example.com")
    document = unique_query()

    # when the client sends only the hash of a query the server has never seen
    first = hash_only(http, document, token=token)
    # then it is told to send the query, in a way no cache keeps
    assert first.status_code == 200
    assert error_codes(first) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert first.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert first.headers["cache-control"] == "no-store"

    # when it retries with the query and the hash, the query runs
    second = with_query(http, document, token=token)
    assert second.json()["data"] == {"viewer": {"email": "admin@example.com", "role": "ADMIN"}}

    # and from then on the hash alone is enough
    third = hash_only(http, document, token=token)
    assert third.status_code == 200
    assert third.json()["data"] == second.json()["data"]


def test_the_apollo_link_flow_with_variables(http, e2e_org: Org, token_for):
    document = f"query Depts{uuid.uuid4().hex}($first: Int) {{ departments(first: $first) {{ totalCount }} }}"
    token = token_for("it.agent@example.com")

    registered = apollo_link(http, document, token=token, variables={"first": 2})
    again = hash_only(http, document, token=token, variables={"first": 1})

    assert registered.json()["data"]["departments"]["totalCount"] == 3
    assert again.json()["data"] == registered.json()["data"]


def test_get_with_only_the_hash_runs_the_stored_query(http, e2e_org: Org, token_for):
    # given a query registered once over POST
    token = token_for("employee@example.com")
    document = unique_query()
    assert with_query(http, document, token=token).status_code == 200

    # when a GET carries only its hash: a short URL a CDN can key its cache on
    response = http.get(
        "/graphql",
        headers=bearer(token),
        params={"extensions": json.dumps(persisted(sha256(document))), "variables": "{}"},
    )

    # then the stored query runs
    assert "query=" not in str(response.request.url)
    assert response.status_code == 200
    assert response.json()["data"] == {"viewer": {"email": "employee@example.com", "role": "REQUESTER"}}


def test_a_mutation_sent_by_hash_over_get_is_refused_and_writes_nothing(http, e2e_org: Org, token_for):
    # given a mutation registered (and run once) over POST
    token = token_for("admin@example.com")
    name = f"Sneaky {uuid.uuid4().hex[:8]}"
    mutation = f'mutation {{ departmentCreate(input: {{name: "{name}"}}) {{ department {{ id }} }} }}'
    assert with_query(http, mutation, token=token).json()["data"]["departmentCreate"]["department"]["id"]

    # when a GET sends only its hash
    response = http.get(
        "/graphql", headers=bearer(token), params={"extensions": json.dumps(persisted(sha256(mutation)))}
    )

    # then it is refused as a mutation over GET is, and it did not run again
    assert response.status_code == 405
    assert error_codes(response) == ["METHOD_NOT_ALLOWED"]
    names = post(http, "{ departments(first: 100) { edges { node { name } } } }", token=token).json()
    assert [e["node"]["name"] for e in names["data"]["departments"]["edges"]].count(name) == 1


def test_a_hash_that_is_not_the_query_s_is_refused_and_not_stored(http, e2e_org: Org, token_for):
    token = token_for("admin@example.com")
    document, other = unique_query(), unique_query()

    # when the hash sent is another document's
    response = http.post(
        "/graphql", headers=bearer(token), json={"query": document, "extensions": persisted(sha256(other))}
    )

    # then nothing runs, and neither hash now names a stored query
    assert response.status_code == 400
    assert error_codes(response) == ["PERSISTED_QUERY_HASH_MISMATCH"]
    assert "data" not in response.json()
    assert error_codes(hash_only(http, other, token=token)) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert error_codes(hash_only(http, document, token=token)) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_bad_extensions_are_coded_errors(http, e2e_org: Org, token_for):
    token = token_for("admin@example.com")
    document = unique_query()

    version_two = http.post(
        "/graphql",
        headers=bearer(token),
        json={"query": document, "extensions": persisted(sha256(document), version=2)},
    )
    not_a_hash = http.post("/graphql", headers=bearer(token), json={"extensions": persisted("abc")})

    assert version_two.status_code == 400
    assert error_codes(version_two) == ["PERSISTED_QUERY_VERSION_NOT_SUPPORTED"]
    assert not_a_hash.status_code == 400
    assert error_codes(not_a_hash) == ["PERSISTED_QUERY_BAD_HASH"]


def test_not_found_is_a_404_for_the_graphql_response_media_type(http, e2e_org: Org, token_for):
    response = hash_only(
        http, unique_query(), token=token_for("admin@example.com"), headers={"Accept": GRAPHQL_RESPONSE}
    )

    assert response.status_code == 404
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert error_codes(response) == ["PERSISTED_QUERY_NOT_FOUND"]
