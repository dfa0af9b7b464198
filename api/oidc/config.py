"""The OpenID Connect settings (api.settings), read and checked once at start-up."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlparse

from api.settings import Settings
from domain.identities import RoleMapping, RoleMappingError


class OidcSettingsError(ValueError):
    """Settings that cannot work together: Tandem refuses to start with them."""


@dataclass(frozen=True)
class OidcConfig:
    issuers: tuple[str, ...]
    audience: str
    opaque_issuers: tuple[str, ...] = ()
    client_credentials: tuple[str, str] | None = None
    provision: bool = True
    roles_claim: str = "groups"
    roles: RoleMapping | None = None
    leeway: int = 30
    jwks_cooldown: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcConfig | None:
        """None when no issuer is configured: only development tokens sign people in."""
        issuers = _listed(settings.tandem_oidc_issuer)
        if not issuers:
            return None
        for issuer in issuers:
            if urlparse(issuer).scheme not in ("https", "http") or not urlparse(issuer).netloc:
                raise OidcSettingsError(f"TANDEM_OIDC_ISSUER: {issuer!r} is not an http(s) URL")
        if not settings.tandem_oidc_audience.strip():
            raise OidcSettingsError(
                "TANDEM_OIDC_AUDIENCE must be set with TANDEM_OIDC_ISSUER: the audience access tokens name for Tandem"
            )
        opaque = _listed(settings.tandem_oidc_opaque_issuers)
        if set(opaque) - set(issuers):
            raise OidcSettingsError("TANDEM_OIDC_OPAQUE_ISSUERS must name issuers of TANDEM_OIDC_ISSUER")
        client = (settings.tandem_oidc_client_id, settings.tandem_oidc_client_secret)
        return cls(
            issuers=issuers,
            audience=settings.tandem_oidc_audience.strip(),
            opaque_issuers=opaque,
            client_credentials=client if all(client) else None,
            provision=settings.tandem_oidc_provision,
            roles_claim=settings.tandem_oidc_roles_claim,
            roles=_roles(settings.tandem_oidc_roles),
            leeway=settings.tandem_oidc_leeway,
            jwks_cooldown=settings.tandem_oidc_jwks_cooldown,
        )


def _listed(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item.strip() for item in value.split(",") if item.strip()))


def _roles(value: str) -> RoleMapping | None:
    if not value.strip():
        return None
    try:
        mapping = json.loads(value)
        if not isinstance(mapping, dict):
            raise RoleMappingError("it must be a JSON object of group: role")
        return RoleMapping.parse(mapping)
    except ValueError as error:  # JSONDecodeError and RoleMappingError are ValueErrors
        raise OidcSettingsError(f"TANDEM_OIDC_ROLES: {error}") from None
