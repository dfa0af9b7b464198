"""GraphQL over real HTTP: the few calls the end-to-end tests make."""

from __future__ import annotations

from typing import Any

import httpx


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post(
    http: httpx.Client, query: str, *, token: str | None = None, headers: dict[str, str] | None = None, **variables: Any
) -> httpx.Response:
    body: dict[str, Any] = {"query": query}
    if variables:
        body["variables"] = variables
    return http.post("/graphql", json=body, headers={**(bearer(token) if token else {}), **(headers or {})})


def data(http: httpx.Client, query: str, *, token: str, **variables: Any) -> dict[str, Any]:
    """The data of an operation that must succeed: 200 and no top-level errors."""
    response = post(http, query, token=token, **variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def payload(http: httpx.Client, mutation: str, *, token: str, **variables: Any) -> dict[str, Any]:
    """The payload of a single mutation field that must have no userErrors."""
    (result,) = data(http, mutation, token=token, **variables).values()
    assert result["userErrors"] == [], result["userErrors"]
    return result


def error_codes(response: httpx.Response) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in response.json()["errors"]]
