"""One configured issuer: its discovery document and its signing keys, fetched and cached.

Keys rotate without a restart: a token signed with a key not yet seen makes the key set be
fetched again, at most once per cooldown whatever the tokens say (made-up `kid`s must not turn
into a flood of requests to the provider), and a key set older than KEYS_MAX_AGE is refreshed
in the background (a key the provider withdrew stops counting). A provider that cannot be
reached keeps its cached keys working; a key Tandem never saw then fails closed.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import Key, KeySet

from api.oidc.fetch import ProviderClient, ProviderUnreachable

log = logging.getLogger("tandem.oidc")

METADATA_SECONDS = 3600.0
KEYS_MAX_AGE = 600.0


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


class Provider:
    def __init__(
        self, issuer: str, *, client: ProviderClient, cooldown: float, clock: Callable[[], float] = time.monotonic
    ):
        self.issuer = issuer
        self.client = client
        self.cooldown = cooldown
        self.clock = clock
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = self._metadata_tried = -math.inf
        self._keys: KeySet | None = None
        self._keys_at = self._keys_tried = -math.inf
        self._metadata_lock = asyncio.Lock()
        self._keys_lock = asyncio.Lock()
        self._refreshing: asyncio.Task | None = None

    async def metadata(self) -> dict[str, Any]:
        """The discovery document; a stale one while the provider cannot be reached."""
        if self._metadata is not None and self.clock() - self._metadata_at < METADATA_SECONDS:
            return self._metadata
        async with self._metadata_lock:
            if self._metadata is None or self.clock() - self._metadata_at >= METADATA_SECONDS:
                await self._fetch_metadata()
        if self._metadata is None:
            raise ProviderUnreachable(f"no discovery document for {self.issuer}")
        return self._metadata

    async def _fetch_metadata(self) -> None:
        if self.clock() - self._metadata_tried < self.cooldown:
            return
        self._metadata_tried = self.clock()
        try:
            document = await self.client.get_json_object(discovery_url(self.issuer))
        except ProviderUnreachable as error:
            log.warning(
                "could not fetch the provider's discovery document", extra={"issuer": self.issuer, "error": str(error)}
            )
            return
        if document.get("issuer") != self.issuer:
            # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer it was asked for.
            log.warning(
                "the discovery document names another issuer",
                extra={"issuer": self.issuer, "named": str(document.get("issuer"))[:200]},
            )
            return
        self._metadata, self._metadata_at = document, self.clock()

    async def signing_key(self, kid: str | None, *, key_type: str, alg: str) -> Key | None:
        """The published key that signs `alg` tokens with this `kid` (None: the only such key)."""
        key = self._find(kid, key_type=key_type, alg=alg)
        if key is not None:
            if self.clock() - self._keys_at >= KEYS_MAX_AGE:
                self._refresh_in_background()
            return key
        await self.refresh_keys()
        return self._find(kid, key_type=key_type, alg=alg)

    def _find(self, kid: str | None, *, key_type: str, alg: str) -> Key | None:
        if self._keys is None:
            return None
        fitting = [
            key
            for key in self._keys
            if key.key_type == key_type
            and key.get("use") in (None, "sig")
            and key.get("alg") in (None, alg)
            and (kid is None or key.kid == kid)
        ]
        # Without a `kid`, only an unambiguous key will do.
        return fitting[0] if len(fitting) == 1 else None

    async def refresh_keys(self) -> None:
        """Fetch the key set again, unless a fetch was tried within the cooldown; on failure the
        cached keys stay."""
        async with self._keys_lock:
            if self.clock() - self._keys_tried < self.cooldown:
                return
            self._keys_tried = self.clock()
            try:
                keys = await self._fetch_keys()
            except (ProviderUnreachable, JoseError, ValueError, KeyError, TypeError) as error:
                log.warning(
                    "could not fetch the provider's keys",
                    extra={"issuer": self.issuer, "error": f"{type(error).__name__}: {error}"[:300]},
                )
                return
            self._keys, self._keys_at = keys, self.clock()

    async def _fetch_keys(self) -> KeySet:
        jwks_uri = (await self.metadata()).get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise ProviderUnreachable("the discovery document has no jwks_uri")
        return KeySet.import_key_set(await self.client.get_json_object(jwks_uri))

    def _refresh_in_background(self) -> None:
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.ensure_future(self.refresh_keys())
