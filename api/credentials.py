"""Who a bearer token signs in, whatever kind it is: an API token (`tdm_…`), an OpenID Connect
access token, or a development token from `tandem token`. HTTP calls and websockets'
`connection_init` both ask here, so every path refuses the same tokens with the same words."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from api.api_tokens import ApiTokens, Credential
from api.auth import RecentPeople, bearer_token, viewer_from_header
from api.oidc.sign_in import OidcSignIn
from db.engine import reader
from domain.api_tokens import looks_like_api_token


class Credentials:
    def __init__(self, engine: AsyncEngine, *, secret: str, oidc: OidcSignIn | None = None):
        self.reader = reader(engine)
        self.secret = secret
        self.oidc = oidc
        self.api_tokens = ApiTokens(self.reader)
        self.recent_people = RecentPeople()

    async def credential(self, header: str | None, *, recent: bool = True) -> Credential | None:
        """None when no token was sent; AuthError when one was sent and signs no one in.
        `recent`: a person read within the last second will do (HTTP); a websocket wants its own
        Person object, which api.ws_watch keeps up to date."""
        token = bearer_token(header)
        if token is None:
            return None
        if looks_like_api_token(token):
            return await self.api_tokens.credential(token)
        person = await viewer_from_header(
            header,
            engine=self.reader,
            secret=self.secret,
            recent=self.recent_people if recent else None,
            oidc=self.oidc,
        )
        return Credential(person)

    def forget(self) -> None:
        """A person or token changed in this process: its next call reads them afresh."""
        self.recent_people.forget()
        self.api_tokens.forget()
