"""A provider's signing keys: published as a JWK set, rotated on demand, one of them signing."""

from __future__ import annotations

import threading
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, Key, KeySet, OKPKey, RSAKey

GENERATORS = {
    "RS256": lambda parameters: RSAKey.generate_key(2048, parameters, auto_kid=True),
    "PS256": lambda parameters: RSAKey.generate_key(2048, parameters, auto_kid=True),
    "ES256": lambda parameters: ECKey.generate_key("P-256", parameters, auto_kid=True),
    "EdDSA": lambda parameters: OKPKey.generate_key("Ed25519", parameters, auto_kid=True),
}


class SigningKeys:
    def __init__(self, algs: tuple[str, ...] = ("RS256",)):
        """One published key per algorithm; the first signs."""
        self._lock = threading.Lock()
        self.published: list[Key] = []
        for alg in reversed(algs):
            self.signer: Key = self.rotate(alg)

    def use(self, alg: str) -> Key:
        """Sign with the newest published key for `alg` from now on."""
        with self._lock:
            self.signer = next(key for key in reversed(self.published) if key["alg"] == alg)
        return self.signer

    def new_key(self, alg: str) -> Key:
        """A key of the provider's kind that it does not publish (yet)."""
        return GENERATORS[alg]({"alg": alg, "use": "sig"})

    def rotate(self, alg: str) -> Key:
        """Publish a new key and sign with it from now on; the old keys stay published."""
        key = self.new_key(alg)
        with self._lock:
            self.published.append(key)
            self.signer = key
        return key

    def withdraw(self, key: Key) -> None:
        with self._lock:
            self.published = [k for k in self.published if k.kid != key.kid]

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            return KeySet(list(self.published)).as_dict(private=False)

    def sign(self, claims: dict[str, Any], *, key: Key | None = None, header: dict[str, Any] | None = None) -> str:
        """A JWT access token signed with `key` (the current signer by default)."""
        key = key or self.signer
        return jwt.encode(
            {"alg": key["alg"], "typ": "at+jwt", "kid": key.kid, **(header or {})}, claims, key, algorithms=[key["alg"]]
        )
