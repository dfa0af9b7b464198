"""Every bad token is refused with 401 UNAUTHENTICATED and a fixed message (the same over a
websocket: 4403), writes nothing, and leaves no traceback or library internals in the log. Each
carries a fresh identity with a verified email: accepted, it would provision a person."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable, Iterator

import pytest

from api.oidc import refusals
from tests.e2e.client import error_codes, post
from tests.e2e.oidc.clients import VIEWER, refusal_over_websocket
from tests.e2e.oidc.conftest import AUDIENCE
from tests.support.database import snapshot
from tests.support.oidc.portal import Portal
from tests.support.oidc.provider import OpenIdProvider

_fresh = itertools.count()


def fresh() -> dict:
    n = next(_fresh)
    return {"sub": f"intruder-{n}", "email": f"intruder.{n}@example.com", "email_verified": True}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(document: dict) -> str:
    return b64(json.dumps(document).encode())


def unsigned(provider: OpenIdProvider) -> str:
    claims = {"iss": provider.issuer, "aud": AUDIENCE, "exp": int(time.time()) + 300, **fresh()}
    return f"{segment({'alg': 'none', 'typ': 'at+jwt'})}.{segment(claims)}."


def hmac_with_public_key(provider: OpenIdProvider) -> str:
    """The classic confusion: HS256 keyed with the provider's public key, which anyone has."""
    key = provider.keys.use("RS256")
    claims = {"iss": provider.issuer, "aud": AUDIENCE, "exp": int(time.time()) + 300, **fresh()}
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'at+jwt', 'kid': key.kid})}.{segment(claims)}"
    signature = hmac.new(key.as_pem(private=False), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def tampered(provider: OpenIdProvider) -> str:
    header, _payload, signature = provider.sign(**fresh()).split(".")
    claims = {
        "iss": provider.issuer,
        "aud": AUDIENCE,
        "exp": int(time.time()) + 300,
        "sub": "admin",
        "email": "admin@example.com",
        "email_verified": True,
    }
    return f"{header}.{segment(claims)}.{signature}"


def unverified(provider: OpenIdProvider) -> str:
    n = next(_fresh)
    provider.add_account(f"unverified-{n}", email=f"unverified.{n}@example.com", email_verified=False)
    return Portal().access_token(provider.issuer, username=f"unverified-{n}")


def missing_exp(provider: OpenIdProvider) -> str:
    return provider.keys.sign({"iss": provider.issuer, "aud": AUDIENCE, "iat": int(time.time()), **fresh()})


BAD: dict[str, tuple[Callable[[OpenIdProvider, OpenIdProvider], str], str]] = {
    "expired": (lambda p, s: p.sign(exp=int(time.time()) - 120, **fresh()), refusals.EXPIRED),
    "not yet valid": (lambda p, s: p.sign(nbf=int(time.time()) + 300, **fresh()), refusals.NOT_YET_VALID),
    "issued in the future": (lambda p, s: p.sign(iat=int(time.time()) + 300, **fresh()), refusals.NOT_YET_VALID),
    "wrong issuer": (lambda p, s: p.sign(iss=p.issuer + "/", **fresh()), refusals.ISSUER),
    "wrong audience": (lambda p, s: p.sign(aud="another-api", **fresh()), refusals.AUDIENCE),
    "no exp": (lambda p, s: missing_exp(p), refusals.MISSING_CLAIM),
    "unknown kid": (lambda p, s: p.sign(key=p.keys.new_key("RS256"), **fresh()), refusals.UNKNOWN_KEY),
    "alg none": (lambda p, s: unsigned(p), refusals.ALGORITHM),
    "HS256 with the public key": (lambda p, s: hmac_with_public_key(p), refusals.ALGORITHM),
    "tampered payload": (lambda p, s: tampered(p), refusals.SIGNATURE),
    "unconfigured issuer": (lambda p, s: s.sign(aud=AUDIENCE, **fresh()), refusals.ISSUER),
    "unverified email": (lambda p, s: unverified(p), refusals.UNVERIFIED_EMAIL),
    "opaque and unknown": (lambda p, s: "n0t-a-jwt-and-no-provider-issued-it", refusals.INACTIVE),
}


@pytest.fixture(scope="module")
def stranger() -> Iterator[OpenIdProvider]:
    """A real provider Tandem is not configured for."""
    with OpenIdProvider(audience=AUDIENCE) as provider:
        yield provider


@pytest.mark.parametrize("kind", list(BAD))
async def test_a_bad_token_is_refused_and_writes_nothing(
    kind, oidc_server, oidc_http, oidc_org, jwt_provider, stranger
):
    jwt_provider.keys.use("RS256")
    make, reason = BAD[kind]
    token = make(jwt_provider, stranger)
    before = await snapshot(oidc_org.engine)

    response = post(oidc_http, VIEWER, token=token)
    closed = await refusal_over_websocket(oidc_server.url, token)

    assert response.status_code == 401
    assert error_codes(response) == ["UNAUTHENTICATED"]
    assert response.json()["errors"][0]["message"] == reason
    assert closed == (4403, f"Forbidden: {reason}"[:120])
    assert await snapshot(oidc_org.engine) == before
    log = oidc_server.log_text()
    assert "Traceback" not in log and "joserfc" not in log and "authlib" not in log
