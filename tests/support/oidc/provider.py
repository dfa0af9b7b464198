"""A real OpenID provider for the tests, built on authlib's authorization server (Flask), served on
loopback from a thread: discovery, the authorization-code flow with PKCE (S256 required), a login
form, userinfo, and either JWT access tokens (RFC 9068) signed with a key set that can rotate, or
opaque access tokens with token introspection (RFC 7662).

The test controls it as an operator would: accounts, key rotation, its JWKS endpoint going down."""

from __future__ import annotations

import os
import secrets
import threading
import time
from typing import Any

import flask
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from joserfc.jwk import Key

from tests.support.oidc.keys import SigningKeys
from tests.support.oidc.models import Account, Client, Code, IssuedToken
from tests.support.oidc.served import ServedInThread

os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http is fine on loopback

LOGIN_FORM = """<!doctype html><title>Sign in</title>
<form method="post"><input name="username" placeholder="username"><button>Sign in</button></form>"""


class OpenIdProvider:
    """`opaque`: access tokens are random strings only the provider can read (introspection)."""

    def __init__(
        self, *, audience: str, opaque: bool = False, algs: tuple[str, ...] = ("RS256",), token_seconds: int = 3600
    ):
        self.audience = audience
        self.opaque = opaque
        self.keys = SigningKeys(algs)
        self.token_seconds = token_seconds
        self.accounts: dict[str, Account] = {}
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, IssuedToken] = {}
        self.jwks_down = False
        self.jwks_requests = 0
        self.introspections = 0
        self._lock = threading.Lock()
        self.served = ServedInThread(self._app())
        self.issuer = self.served.url

    def __enter__(self) -> OpenIdProvider:
        self.served.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.served.stop()

    def add_account(self, sub: str, **claims: Any) -> Account:
        self.accounts[sub] = Account(sub, claims)
        return self.accounts[sub]

    def add_client(self, client_id: str, *, redirect_uris: tuple[str, ...] = (), secret: str | None = None) -> None:
        self.clients[client_id] = Client(client_id, redirect_uris, secret)

    def sign(self, *, key: Key | None = None, **claims: Any) -> str:
        """A JWT access token with these claims over sound defaults, signed as the provider signs
        (and good at its userinfo endpoint, as the tokens it issues are)."""
        now = int(time.time())
        defaults = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": "someone",
            "client_id": "portal",
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_hex(8),
        }
        claims = {**defaults, **claims}
        token = self.keys.sign(claims, key=key)
        with self._lock:
            self.tokens[token] = IssuedToken(token, "portal", "openid", str(claims["sub"]), now, 300)
        return token

    def _app(self) -> flask.Flask:
        app = flask.Flask(f"provider-{id(self)}")
        server = AuthorizationServer(app, query_client=self.clients.get, save_token=self._save_token)
        grant = type("ProviderCodeGrant", (_AuthorizationCode,), {"provider": self})
        server.register_grant(grant, [CodeChallenge(required=True)])
        server.register_token_generator("default", self._token_generator())
        if self.opaque:
            server.register_endpoint(_Introspection(self))
        _routes(app, server, self)
        return app

    def _token_generator(self) -> BearerTokenGenerator:
        if self.opaque:
            return BearerTokenGenerator(
                lambda *args, **kwargs: secrets.token_urlsafe(32),
                expires_generator=lambda client, grant_type: self.token_seconds,
            )
        return _JwtTokens(self)

    def _save_token(self, token: dict[str, Any], request: Any) -> None:
        with self._lock:
            self.tokens[token["access_token"]] = IssuedToken(
                token["access_token"],
                request.client.client_id,
                token.get("scope", ""),
                request.user.sub,
                time.time(),
                token["expires_in"],
            )


class _AuthorizationCode(grants.AuthorizationCodeGrant):
    """authlib makes one per request from the class: a subclass per provider names the provider."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["none", "client_secret_basic"]
    provider: OpenIdProvider

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        self.provider.codes[code] = Code(
            code,
            request.client.client_id,
            request.payload.redirect_uri,
            request.scope,
            request.user.sub,
            data.get("code_challenge"),
            data.get("code_challenge_method"),
        )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        found = self.provider.codes.get(code)
        return found if found is not None and found.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        self.provider.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: Code) -> Account | None:
        return self.provider.accounts.get(authorization_code.sub)


class _JwtTokens(JWTBearerTokenGenerator):
    """RFC 9068 access tokens with the account's claims, signed by the provider's current key.
    authlib's own encoding signs only with joserfc's "recommended" algorithms (not PS256, EdDSA):
    the claims are authlib's, the signature the key set's."""

    def __init__(self, provider: OpenIdProvider):
        super().__init__(
            issuer=None,  # known once served: read from the provider
            expires_generator=lambda client, grant_type: provider.token_seconds,
        )
        self.provider = provider

    def access_token_generator(self, client: Any, grant_type: str, user: Account, scope: str) -> str:
        now = int(time.time())
        return self.provider.keys.sign(
            {
                "iss": self.provider.issuer,
                "exp": now + self._get_expires_in(client, grant_type),
                "client_id": client.get_client_id(),
                "iat": now,
                "jti": self.get_jti(client, grant_type, user, scope),
                "scope": scope,
                "sub": user.sub,
                "aud": self.provider.audience,
                **user.claims,
            }
        )


class _Introspection(IntrospectionEndpoint):
    def __init__(self, provider: OpenIdProvider):
        super().__init__()
        self.provider = provider

    def query_token(self, token_string: str, token_type_hint: str | None) -> IssuedToken | None:
        self.provider.introspections += 1
        return self.provider.tokens.get(token_string)

    def check_permission(self, token: IssuedToken, client: Client, request: Any) -> bool:
        return client.secret is not None  # resource servers, not portals

    def introspect_token(self, token: IssuedToken) -> dict[str, Any]:
        return {
            "active": True,
            "sub": token.sub,
            "client_id": token.client_id,
            "scope": token.scope,
            "iss": self.provider.issuer,
            "aud": self.provider.audience,
            "iat": int(token.issued_at),
            "exp": int(token.issued_at + token.expires_in),
            "token_type": "Bearer",
        }


def _routes(app: flask.Flask, server: AuthorizationServer, provider: OpenIdProvider) -> None:
    @app.get("/.well-known/openid-configuration")
    def discovery() -> Any:
        document = {
            "issuer": provider.issuer,
            "authorization_endpoint": f"{provider.issuer}/authorize",
            "token_endpoint": f"{provider.issuer}/token",
            "userinfo_endpoint": f"{provider.issuer}/userinfo",
            "jwks_uri": f"{provider.issuer}/jwks",
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
        }
        if provider.opaque:
            document["introspection_endpoint"] = f"{provider.issuer}/introspect"
        return flask.jsonify(document)

    @app.get("/jwks")
    def jwks() -> Any:
        provider.jwks_requests += 1
        if provider.jwks_down:
            return flask.Response("down for maintenance", status=503)
        return flask.jsonify(provider.keys.jwks())

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize() -> Any:
        if flask.request.method == "GET":
            server.get_consent_grant(end_user=None)  # refuses a request without PKCE, as the portal would see
            return LOGIN_FORM
        account = provider.accounts.get(flask.request.form.get("username", ""))
        grant = server.get_consent_grant(end_user=account)
        return server.create_authorization_response(grant=grant, grant_user=account)

    @app.post("/token")
    def token() -> Any:
        return server.create_token_response()

    @app.post("/introspect")
    def introspect() -> Any:
        return server.create_endpoint_response("introspection")

    @app.get("/userinfo")
    def userinfo() -> Any:
        scheme, _, value = flask.request.headers.get("Authorization", "").partition(" ")
        issued = provider.tokens.get(value) if scheme.lower() == "bearer" else None
        if issued is None or issued.is_expired():
            return flask.jsonify({"error": "invalid_token"}), 401
        return flask.jsonify({**provider.accounts[issued.sub].claims, "sub": issued.sub})
