"""A portal signs people in at a real OpenID provider (authorization code with PKCE) and calls
Tandem with the access token, over HTTP and over a websocket."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from joserfc.jws import extract_compact
from sqlalchemy import select

from db import tables as t
from tests.e2e.oidc.clients import refusal_over_websocket, signed_in_socket, viewer_over_http, viewer_over_websocket
from tests.e2e.oidc.conftest import ALGORITHMS
from tests.support.oidc.portal import Portal
from tests.support.server import mint_token


async def linked_person_id(org, issuer: str, subject: str) -> int | None:
    async with org.engine.connect() as conn:
        return (
            await conn.execute(
                select(t.person_identities.c.person_id).where(
                    t.person_identities.c.issuer == issuer, t.person_identities.c.subject == subject
                )
            )
        ).scalar_one_or_none()


@pytest.mark.parametrize("alg", ALGORITHMS)
async def test_a_new_person_signs_in_with_a_jwt_access_token(oidc_server, oidc_http, oidc_org, jwt_provider, alg):
    # given a person the provider knows and Tandem does not, and a provider signing with `alg`
    jwt_provider.keys.use(alg)
    sub, email = f"new-{alg}", f"new.{alg.lower()}@example.com"
    jwt_provider.add_account(sub, email=email, email_verified=True, name=f"New {alg}")
    # when the portal signs them in and calls Tandem
    token = Portal().access_token(jwt_provider.issuer, username=sub)
    assert extract_compact(token.encode()).headers()["alg"] == alg
    viewer = viewer_over_http(oidc_http, token)
    # then Tandem provisioned a requester, linked to (issuer, sub), the same over a websocket
    assert viewer == {"email": email, "name": f"New {alg}", "role": "REQUESTER", "department": None}
    assert await linked_person_id(oidc_org, jwt_provider.issuer, sub) is not None
    assert await viewer_over_websocket(oidc_server.url, token) == viewer


async def test_an_existing_person_is_linked_by_verified_email(oidc_http, oidc_org, jwt_provider):
    jwt_provider.keys.use("RS256")
    jwt_provider.add_account("iris", email="it.agent2@example.com", email_verified=True, groups=["it-agents"])

    viewer = viewer_over_http(oidc_http, Portal().access_token(jwt_provider.issuer, username="iris"))

    assert viewer == {
        "email": "it.agent2@example.com",
        "name": "Iris Agent",
        "role": "AGENT",
        "department": {"name": "IT"},
    }
    assert await linked_person_id(oidc_org, jwt_provider.issuer, "iris") == oidc_org.it_agent2.id


async def test_the_providers_groups_give_the_role(oidc_http, jwt_provider):
    jwt_provider.keys.use("RS256")
    jwt_provider.add_account("chief", email="chief@example.com", email_verified=True, groups=["tandem-admins"])

    viewer = viewer_over_http(oidc_http, Portal().access_token(jwt_provider.issuer, username="chief"))

    assert (viewer["email"], viewer["role"]) == ("chief@example.com", "ADMIN")


async def test_an_opaque_token_is_checked_at_the_providers_userinfo(oidc_server, oidc_http, oidc_org, mock_provider):
    # oidc-provider-mock: the account's claims are set through its API, the form asks for `sub`
    claims = {"email": "otto.opaque@example.com", "email_verified": True, "name": "Otto Opaque"}
    assert httpx.put(f"{mock_provider}/users/otto", json=claims).status_code == 204
    token = Portal(client_secret="portal-secret").access_token(mock_provider, sub="otto")
    assert token.count(".") != 2  # not a JWT

    viewer = viewer_over_http(oidc_http, token)

    assert (viewer["email"], viewer["name"], viewer["role"]) == ("otto.opaque@example.com", "Otto Opaque", "REQUESTER")
    assert await linked_person_id(oidc_org, mock_provider, "otto") is not None
    assert await viewer_over_websocket(oidc_server.url, token) == viewer


async def test_an_opaque_token_is_introspected_once_then_cached(oidc_server, oidc_http, introspected_provider):
    introspected_provider.add_account("ines", email="ines@example.com", email_verified=True, name="Ines")
    token = Portal().access_token(introspected_provider.issuer, username="ines")
    before = introspected_provider.introspections

    answers = [viewer_over_http(oidc_http, token) for _ in range(3)]
    answers.append(await viewer_over_websocket(oidc_server.url, token))

    assert {a["email"] for a in answers} == {"ines@example.com"}
    assert introspected_provider.introspections == before + 1


async def test_a_websocket_closes_when_its_oidc_token_expires(oidc_server, oidc_http, jwt_provider):
    jwt_provider.keys.use("RS256")
    claims = {"sub": "brief", "email": "brief@example.com", "email_verified": True}
    viewer_over_http(oidc_http, jwt_provider.sign(**claims))  # provisioned
    ws = await signed_in_socket(oidc_server.url, jwt_provider.sign(exp=int(time.time()) + 2, **claims))
    try:
        closed = await asyncio.wait_for(ws.wait_closed(), 30)
    finally:
        await ws.close()
    assert closed is None and (ws.close_code, ws.close_reason) == (4403, "Forbidden: the token expired")


async def test_a_refused_token_closes_the_websocket_with_4403(oidc_server, oidc_org, jwt_provider):
    expired = jwt_provider.sign(sub="late", exp=int(time.time()) - 300)

    assert await refusal_over_websocket(oidc_server.url, expired) == (4403, "Forbidden: The token has expired.")


async def test_development_tokens_keep_working_alongside(oidc_server, oidc_http, oidc_org):
    token = mint_token("hr.agent@example.com", env=oidc_server.env, cwd=oidc_server.cwd)

    assert viewer_over_http(oidc_http, token)["email"] == "hr.agent@example.com"
    assert (await viewer_over_websocket(oidc_server.url, token))["email"] == "hr.agent@example.com"
