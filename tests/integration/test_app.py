"""The Starlette app in-process: CORS for browser portals, health routes."""

import httpx

from api.app import create_app
from api.auth import mint_token
from api.settings import Settings


def _client(database_url: str, **settings) -> httpx.AsyncClient:
    app = create_app(Settings(database_url=database_url, tandem_secret="x" * 32, **settings))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://tandem.test")


async def test_a_listed_origin_may_call_the_api_from_a_browser(database_url):
    async with _client(database_url, tandem_cors_origins="https://portal.example.com") as client:
        preflight = await client.options(
            "/graphql",
            headers={
                "Origin": "https://portal.example.com",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        call = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": "https://portal.example.com"}
        )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://portal.example.com"
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert call.headers["access-control-allow-origin"] == "https://portal.example.com"
    assert "x-request-id" in call.headers["access-control-expose-headers"].lower()


async def test_other_origins_get_no_cors_grant(database_url):
    async with _client(database_url, tandem_cors_origins="https://portal.example.com") as client:
        preflight = await client.options(
            "/graphql", headers={"Origin": "https://evil.example.net", "Access-Control-Request-Method": "POST"}
        )
    assert "access-control-allow-origin" not in preflight.headers


async def test_without_cors_settings_no_origin_is_granted(database_url):
    async with _client(database_url) as client:
        call = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": "https://portal.example.com"}
        )
    assert "access-control-allow-origin" not in call.headers


async def test_readyz_reports_an_unreachable_database(database_url):
    async with _client("postgresql://postgres@127.0.0.1:1/nowhere") as client:
        ready = await client.get("/readyz")
        healthy = await client.get("/healthz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    assert healthy.status_code == 200


async def test_a_body_over_the_limit_is_refused_with_413(database_url):
    big = {"query": "{ __typename }", "variables": {"padding": "x" * 5_000}}
    async with _client(database_url, tandem_max_body_bytes=2_000) as client:
        declared = await client.post("/graphql", json=big)
        small = await client.post("/graphql", json={"query": "{ __typename }"})
    assert declared.status_code == 413
    assert declared.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert small.status_code == 200


async def test_a_chunked_body_over_the_limit_is_refused_too(database_url):
    async def chunks():
        for _ in range(10):
            yield b"x" * 500

    async with _client(database_url, tandem_max_body_bytes=2_000) as client:
        response = await client.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


async def test_cors_and_caching_headers_merge_into_one_vary(database_url, org):
    # given a browser portal's origin and a signed-in GET
    token = mint_token(person_id=org.employee.id, email=org.employee.email, secret="x" * 32, hours=1)
    async with _client(database_url, tandem_cors_origins="https://portal.example.com") as client:
        response = await client.get(
            "/graphql",
            params={"query": "{ viewer { email } }"},
            headers={"Origin": "https://portal.example.com", "Authorization": f"Bearer {token}"},
        )
    # then each reason to vary is named once, and the answer stays out of shared caches
    assert response.status_code == 200
    assert sorted(v.strip().lower() for v in response.headers["vary"].split(",")) == [
        "accept",
        "authorization",
        "origin",
    ]
    assert response.headers["cache-control"] == "private, no-cache"
