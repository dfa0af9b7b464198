"""A verified token's claims, read as a sign-in (domain.identities.SignIn)."""

from __future__ import annotations

from typing import Any

from api.oidc import refusals
from api.oidc.refusals import Refused
from domain.identities import SignIn

MAX_SUBJECT = 255  # OpenID Connect Core 1.0, 2: `sub` is at most 255 ASCII characters


def sign_in_from(claims: dict[str, Any], *, issuer: str, roles_claim: str) -> SignIn:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT:
        raise Refused(refusals.MISSING_CLAIM, "sub")
    email = claims.get("email")
    return SignIn(
        issuer=issuer,
        subject=subject,
        email=email if isinstance(email, str) else None,
        # Some providers (Cognito) send the string "true".
        email_verified=claims.get("email_verified") in (True, "true"),
        name=_name(claims),
        groups=groups(claims, roles_claim),
    )


def groups(claims: dict[str, Any], path: str) -> tuple[str, ...]:
    """The groups at `path`: a claim name, or a dotted path into nested claims (Keycloak's
    `realm_access.roles`); a list of strings, or one string."""
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def _name(claims: dict[str, Any]) -> str | None:
    for candidate in (
        claims.get("name"),
        " ".join(part for part in (claims.get("given_name"), claims.get("family_name")) if isinstance(part, str)),
        claims.get("preferred_username"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return None
