"""Opaque access tokens, which only their provider can read: token introspection (RFC 7662)
when the provider offers it and Tandem has client credentials, else the userinfo endpoint.

Userinfo accepts any token the provider issued for OpenID Connect, whoever it was meant for:
introspection, which names the token's audience, is the stronger check where available."""

from __future__ import annotations

import time
from typing import Any

from api.oidc import refusals
from api.oidc.fetch import ProviderUnreachable
from api.oidc.provider import Provider
from api.oidc.refusals import Refused


async def check(
    token: str, provider: Provider, *, audience: str, credentials: tuple[str, str] | None, leeway: int
) -> dict[str, Any]:
    """The token's claims (`sub`, and `exp` when introspection gives it); Refused(INACTIVE) when
    the provider does not vouch for it."""
    metadata = await provider.metadata()
    endpoint = metadata.get("introspection_endpoint")
    if isinstance(endpoint, str) and credentials is not None:
        return await _introspect(token, provider, endpoint, audience=audience, credentials=credentials, leeway=leeway)
    return await userinfo(token, provider)


async def userinfo(token: str, provider: Provider) -> dict[str, Any]:
    endpoint = (await provider.metadata()).get("userinfo_endpoint")
    if not isinstance(endpoint, str):
        raise ProviderUnreachable(f"{provider.issuer} has no userinfo endpoint")
    status, answer = await provider.client.get(endpoint, bearer=token)
    if status in (400, 401, 403):
        raise Refused(refusals.INACTIVE, f"userinfo answered {status}")
    if status != 200 or not isinstance(answer, dict):
        raise ProviderUnreachable(f"userinfo answered {status}")
    _require_subject(answer)
    return answer


async def _introspect(
    token: str, provider: Provider, endpoint: str, *, audience: str, credentials: tuple[str, str], leeway: int
) -> dict[str, Any]:
    status, answer = await provider.client.post_form(
        endpoint, {"token": token, "token_type_hint": "access_token"}, auth=credentials
    )
    if status != 200 or not isinstance(answer, dict):
        raise ProviderUnreachable(f"introspection answered {status}")
    if answer.get("active") is not True:
        raise Refused(refusals.INACTIVE, "introspection: not active")
    _check_answer(answer, issuer=provider.issuer, audience=audience, leeway=leeway)
    return answer


def _check_answer(answer: dict[str, Any], *, issuer: str, audience: str, leeway: int) -> None:
    """An active token's other members, where the provider gives them (RFC 7662 makes all optional)."""
    now = time.time()
    exp, nbf = answer.get("exp"), answer.get("nbf")
    if isinstance(exp, (int, float)) and exp <= now - leeway:
        raise Refused(refusals.EXPIRED)
    if isinstance(nbf, (int, float)) and nbf > now + leeway:
        raise Refused(refusals.NOT_YET_VALID)
    if "iss" in answer and answer["iss"] != issuer:
        raise Refused(refusals.ISSUER)
    aud = answer.get("aud")
    if aud is not None and audience not in (aud if isinstance(aud, list) else [aud]):
        raise Refused(refusals.AUDIENCE)
    _require_subject(answer)


def _require_subject(claims: dict[str, Any]) -> None:
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise Refused(refusals.MISSING_CLAIM, "sub")
