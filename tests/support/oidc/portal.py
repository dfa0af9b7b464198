"""A browser portal (or a mobile app) signing a person in, as it would: discovery, the
authorization request with PKCE (S256), the provider's login form posted back, the code read from
the redirect, and the code exchanged at the token endpoint for an access token."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import httpx

REDIRECT_URI = "http://127.0.0.1:9/signed-in"  # never visited: the code is read from the redirect


@dataclass
class Portal:
    client_id: str = "portal"
    redirect_uri: str = REDIRECT_URI
    client_secret: str | None = None  # a public client by default: PKCE instead of a secret
    scope: str = "openid email profile"

    def access_token(self, issuer: str, **login: str) -> str:
        """Sign in with `login` (the form's fields) and return the access token."""
        with httpx.Client(timeout=15) as browser:
            metadata = browser.get(f"{issuer}/.well-known/openid-configuration").json()
            verifier = secrets.token_urlsafe(48)
            state = secrets.token_urlsafe(12)
            form = browser.get(
                metadata["authorization_endpoint"],
                params={
                    "response_type": "code",
                    "client_id": self.client_id,
                    "redirect_uri": self.redirect_uri,
                    "scope": self.scope,
                    "state": state,
                    "code_challenge": s256(verifier),
                    "code_challenge_method": "S256",
                },
            )
            assert form.status_code == 200 and '<form method="post"' in form.text, form.text[:500]
            redirect = browser.post(form.url, data=login)  # the form has no action: back to its own URL
            assert redirect.status_code in (302, 303), redirect.text[:500]
            answer = parse_qs(urlparse(redirect.headers["location"]).query)
            assert answer.get("state") == [state], answer
            exchanged = browser.post(
                metadata["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": answer["code"][0],
                    "redirect_uri": self.redirect_uri,
                    "client_id": self.client_id,
                    "code_verifier": verifier,
                },
                auth=(self.client_id, self.client_secret) if self.client_secret else None,
            )
            assert exchanged.status_code == 200, exchanged.text[:500]
            return exchanged.json()["access_token"]


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
