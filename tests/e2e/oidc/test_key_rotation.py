"""The provider rotates its keys mid-session, and its JWKS endpoint goes down: Tandem keeps
working with the keys it has, picks up new ones without a restart, and refuses keys it cannot
fetch."""

from __future__ import annotations

import time

from api.oidc import refusals
from tests.e2e.client import post
from tests.e2e.oidc.clients import VIEWER, ask_viewer, eventually, signed_in_socket, viewer_over_http
from tests.support.oidc.portal import Portal


async def test_keys_rotated_mid_session_keep_everyone_signed_in(oidc_server, oidc_http, jwt_provider):
    # given a person signed in over HTTP and over a websocket, with tokens from the current key
    old_key = jwt_provider.keys.use("RS256")
    jwt_provider.add_account("rosa", email="rosa@example.com", email_verified=True, name="Rosa")
    first = Portal().access_token(jwt_provider.issuer, username="rosa")
    assert viewer_over_http(oidc_http, first)["email"] == "rosa@example.com"
    ws = await signed_in_socket(oidc_server.url, first)
    try:
        # when the provider rotates to a new key and signs the next sign-in with it
        new_key = jwt_provider.keys.rotate("RS256")
        second = Portal().access_token(jwt_provider.issuer, username="rosa")
        # then Tandem fetches the new key (once its refetch cooldown allows) and accepts the token
        answer = eventually(lambda: post(oidc_http, VIEWER, token=second))
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["viewer"]["email"] == "rosa@example.com"
        # and tokens from the old key, still published, keep working: new ones and the open websocket
        assert viewer_over_http(oidc_http, jwt_provider.sign(key=old_key, sub="rosa"))["email"] == "rosa@example.com"
        assert (await ask_viewer(ws))["email"] == "rosa@example.com"
        assert new_key.kid != old_key.kid
    finally:
        await ws.close()


async def test_while_the_jwks_endpoint_is_down_cached_keys_work_and_unknown_ones_fail_closed(oidc_http, jwt_provider):
    known = jwt_provider.keys.use("RS256")
    jwt_provider.add_account("dora", email="dora@example.com", email_verified=True)
    assert viewer_over_http(oidc_http, jwt_provider.sign(sub="dora"))["email"] == "dora@example.com"
    unseen = jwt_provider.keys.rotate("RS256")  # published, but Tandem cannot fetch it now
    jwt_provider.jwks_down = True
    try:
        time.sleep(1.2)  # past the refetch cooldown: Tandem does try the endpoint
        requests_before = jwt_provider.jwks_requests
        refused = post(oidc_http, VIEWER, token=jwt_provider.sign(key=unseen, sub="dora"))
        still_fine = post(oidc_http, VIEWER, token=jwt_provider.sign(key=known, sub="dora"))

        assert refused.status_code == 401
        assert refused.json()["errors"][0]["message"] == refusals.UNKNOWN_KEY
        assert jwt_provider.jwks_requests == requests_before + 1
        assert still_fine.status_code == 200 and still_fine.json()["data"]["viewer"]["email"] == "dora@example.com"
    finally:
        jwt_provider.jwks_down = False
    # once the endpoint is back, the new key counts
    back = eventually(lambda: post(oidc_http, VIEWER, token=jwt_provider.sign(key=unseen, sub="dora")))
    assert back.status_code == 200, back.text
