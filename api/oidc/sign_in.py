"""Who an OpenID Connect access token signs in: the token checked (locally for a JWT, with the
provider for an opaque one), then the person its (issuer, subject) is linked to, linked or
provisioned at the first sign-in. HTTP calls and websockets' `connection_init` both ask here,
through api.auth.viewer_from_header."""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from api.oidc import jwt_access, opaque, refusals
from api.oidc.cache import Checked, CheckedTokens
from api.oidc.claims import sign_in_from
from api.oidc.config import OidcConfig
from api.oidc.fetch import ProviderClient, ProviderUnreachable
from api.oidc.provider import Provider
from api.oidc.refusals import Refused
from db import identities
from db.engine import reader
from db.read.identities import linked_person
from domain.errors import DomainError
from domain.identities import SignIn

log = logging.getLogger("tandem.oidc")
BEARER_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]{1,4096}=*")  # RFC 6750's b64token, bounded


class OidcSignIn:
    def __init__(
        self,
        config: OidcConfig,
        *,
        engine: AsyncEngine,
        client: ProviderClient | None = None,
        tokens: CheckedTokens | None = None,
    ):
        self.config = config
        self.engine = engine  # links and provisions people
        self.reader = reader(engine)
        self.client = client or ProviderClient()
        self.providers = {
            issuer: Provider(issuer, client=self.client, cooldown=config.jwks_cooldown) for issuer in config.issuers
        }
        self.tokens = tokens or CheckedTokens()

    def recognises(self, token: str) -> bool:
        """Whether the token is for OpenID Connect to check: a JWT that names an issuer (development
        tokens name none), or an opaque token when some issuer's opaque tokens are accepted."""
        if self.tokens.answer(token) is not None:
            return True
        sent = jwt_access.as_sent(token)
        if sent is not None:
            return sent.issuer is not None
        return bool(self.config.opaque_issuers)

    async def person_id(self, token: str) -> int:
        """The signed-in person's id; Refused (an AuthError) when the token is not accepted."""
        return (await self.tokens.checked(token, self._check)).person_id

    def seconds_left(self, token: str) -> float | None:
        """How long a token accepted just now has left; None when its provider did not say."""
        answer = self.tokens.answer(token)
        if isinstance(answer, Checked) and answer.expires_at is not None:
            return answer.expires_at - time.time()
        return None

    async def _check(self, token: str) -> Checked:
        try:
            issuer, claims = await self._verified_claims(token)
            person_id = await self._person(token, issuer, claims)
        except Refused as refusal:
            log.info("token refused", extra={"reason": refusal.reason, "detail": refusal.detail})
            raise
        except ProviderUnreachable as error:
            log.warning("token not checked: provider unreachable", extra={"detail": str(error)[:300]})
            raise Refused(refusals.UNREACHABLE) from None
        exp = claims.get("exp")
        return Checked(person_id, float(exp) if isinstance(exp, (int, float)) else None)

    async def _verified_claims(self, token: str) -> tuple[str, dict[str, Any]]:
        sent = jwt_access.as_sent(token)
        if sent is not None:
            provider = self.providers.get(sent.issuer) if isinstance(sent.issuer, str) else None
            if provider is None:
                raise Refused(refusals.ISSUER, f"iss {str(sent.issuer)[:200]!r}")
            claims = await jwt_access.verify(
                token, sent, provider, audience=self.config.audience, leeway=self.config.leeway
            )
            return provider.issuer, claims
        return await self._opaque_claims(token)

    async def _opaque_claims(self, token: str) -> tuple[str, dict[str, Any]]:
        """Asked of each issuer whose opaque tokens are accepted, in the configured order."""
        if not BEARER_TOKEN.fullmatch(token):
            raise Refused(refusals.MALFORMED, "not an RFC 6750 bearer token")  # never sent on to a provider
        refusal: Refused = Refused(refusals.MALFORMED, "not a JWT, and no issuer takes opaque tokens")
        for issuer in self.config.opaque_issuers:
            try:
                return issuer, await opaque.check(
                    token,
                    self.providers[issuer],
                    audience=self.config.audience,
                    credentials=self.config.client_credentials,
                    leeway=self.config.leeway,
                )
            except Refused as refused:
                refusal = refused
        raise refusal

    async def _person(self, token: str, issuer: str, claims: dict[str, Any]) -> int:
        sign_in = sign_in_from(claims, issuer=issuer, roles_claim=self.config.roles_claim)
        linked = await linked_person(self.reader, issuer=issuer, subject=sign_in.subject)
        if linked is None:
            if sign_in.email is None:
                sign_in = await self._with_profile(token, sign_in, claims)
            await self._link(sign_in)
            linked = await linked_person(self.reader, issuer=issuer, subject=sign_in.subject)
        if not linked.may_sign_in:  # refused before the role mapping writes anything
            raise Refused(refusals.MAY_NOT_SIGN_IN)
        rule = self.config.roles.assign(sign_in.groups) if self.config.roles is not None else None
        if rule is not None and (linked.role, linked.department_slug) != (rule.role, rule.department_slug):
            await identities.apply_role(self.engine, linked.person_id, rule, now=datetime.now(UTC))
        return linked.person_id

    async def _with_profile(self, token: str, sign_in: SignIn, claims: dict[str, Any]) -> SignIn:
        """RFC 9068 tokens need not carry the email: the provider's userinfo may have it."""
        try:
            profile = await opaque.userinfo(token, self.providers[sign_in.issuer])
        except Refused:  # the token does not open userinfo: no email, then
            return sign_in
        if profile.get("sub") != sign_in.subject:
            return sign_in
        return sign_in_from({**profile, **claims}, issuer=sign_in.issuer, roles_claim=self.config.roles_claim)

    async def _link(self, sign_in: SignIn) -> None:
        if sign_in.email is None:
            raise Refused(refusals.NO_EMAIL)
        if not sign_in.email_verified:
            raise Refused(refusals.UNVERIFIED_EMAIL)
        rule = self.config.roles.assign(sign_in.groups) if self.config.roles is not None else None
        try:
            await identities.link(
                self.engine, sign_in, provision=self.config.provision, rule=rule, now=datetime.now(UTC)
            )
        except identities.NoPerson:
            raise Refused(refusals.NO_PERSON) from None
        except identities.MayNotSignIn:
            raise Refused(refusals.MAY_NOT_SIGN_IN) from None
        except DomainError as error:
            raise Refused(refusals.NO_EMAIL, str(error)) from None

    async def aclose(self) -> None:
        await self.client.aclose()
