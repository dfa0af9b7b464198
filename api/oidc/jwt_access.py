"""JWT access tokens (RFC 9068), checked locally: joserfc verifies the signature with the
issuer's published key, then `iss`, `aud`, `exp` and `nbf` are checked with a bounded leeway."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
    SecurityWarning,
)
from joserfc.jws import JWSRegistry, extract_compact

from api.oidc import refusals
from api.oidc.provider import Provider
from api.oidc.refusals import Refused

# The asymmetric algorithms accepted, with the key type each needs. Never `none`, never HMAC:
# an HS256 token "signed" with a provider's public key must not pass for the provider's.
ALGORITHMS = {"RS256": "RSA", "PS256": "RSA", "ES256": "EC", "EdDSA": "OKP", "Ed25519": "OKP"}
REGISTRY = JWSRegistry(algorithms=list(ALGORITHMS), strict_check_header=False)
# RFC 9864 prefers the name Ed25519 to EdDSA; providers still sign with "EdDSA", which we accept.
warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)

CLAIM_REFUSALS = {
    "iss": refusals.ISSUER,
    "aud": refusals.AUDIENCE,
    "nbf": refusals.NOT_YET_VALID,
    "iat": refusals.NOT_YET_VALID,
}


@dataclass(frozen=True, slots=True)
class SentToken:
    """A JWS's header and claims as sent: not yet verified, only to route the token."""

    header: dict[str, Any]
    claims: dict[str, Any]

    @property
    def issuer(self) -> Any:
        return self.claims.get("iss")


def as_sent(token: str) -> SentToken | None:
    """The token's header and claims, or None when it is not a JWS with a JSON object inside."""
    if token.count(".") != 2:
        return None
    try:
        sent = extract_compact(token.encode("ascii"), registry=REGISTRY)
        claims = json.loads(sent.payload)
    except (JoseError, ValueError):  # UnicodeError is a ValueError
        return None
    return SentToken(sent.headers(), claims) if isinstance(claims, dict) else None


async def verify(token: str, sent: SentToken, provider: Provider, *, audience: str, leeway: int) -> dict[str, Any]:
    """The token's claims, once its signature and claims hold; Refused otherwise."""
    alg = sent.header.get("alg")
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        raise Refused(refusals.ALGORITHM, f"alg {str(alg)[:20]!r}")
    kid = sent.header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise Refused(refusals.MALFORMED, "kid is not a string")
    key = await provider.signing_key(kid, key_type=ALGORITHMS[alg], alg=alg)
    if key is None:
        raise Refused(refusals.UNKNOWN_KEY, f"kid {str(kid)[:80]!r}")
    try:
        claims = jwt.decode(token, key, registry=REGISTRY).claims
    except BadSignatureError:
        raise Refused(refusals.SIGNATURE) from None
    except JoseError as error:
        raise Refused(refusals.MALFORMED, type(error).__name__) from None
    check_claims(claims, issuer=provider.issuer, audience=audience, leeway=leeway)
    return claims


def check_claims(claims: dict[str, Any], *, issuer: str, audience: str, leeway: int) -> None:
    registry = jwt.JWTClaimsRegistry(
        leeway=leeway,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": audience},
        exp={"essential": True},
        sub={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise Refused(refusals.EXPIRED) from None
    except MissingClaimError as error:
        raise Refused(refusals.MISSING_CLAIM, error.claim) from None
    except InvalidClaimError as error:
        raise Refused(CLAIM_REFUSALS.get(error.claim, refusals.MALFORMED), f"claim {error.claim}") from None
