"""Making and revoking API tokens. The secret is in apiTokenCreate's answer, and nowhere else ever."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from domain import commands
from domain.api_tokens import Scope
from domain.handlers import api_tokens as handle
from schema.commands import reload, run_command
from schema.context import Info
from schema.enums import ApiTokenScope
from schema.errors import UserError
from schema.ids import decode, decode_optional
from schema.permissions import root_mutation
from schema.tokens.types import ApiTokenNode


def _utc(moment: datetime | None) -> datetime | None:
    """A moment without an offset is taken as UTC, as PostgreSQL stores it."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


@strawberry.input
class ApiTokenCreateInput:
    name: str
    scopes: list[ApiTokenScope]
    person_id: strawberry.ID | None = strawberry.field(
        default=None, description="A service account (admins); absent: a personal access token of your own."
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="At most 366 days ahead; absent: in 90 days."
    )


@strawberry.input
class ApiTokenRevokeInput:
    id: strawberry.ID


@strawberry.type
class ApiTokenCreatePayload:
    api_token: ApiTokenNode | None
    secret: str | None = strawberry.field(
        description="The token itself: shown this once, never again. Send it as `Authorization: Bearer <secret>`."
    )
    user_errors: list[UserError]


@strawberry.type
class ApiTokenPayload:
    api_token: ApiTokenNode | None
    user_errors: list[UserError]


@strawberry.type
class ApiTokenMutations:
    @root_mutation(
        administration=True,
        description="A personal access token (yours) or a service account's token (admins), limited to its scopes.",
    )
    async def api_token_create(self, info: Info, input: ApiTokenCreateInput) -> ApiTokenCreatePayload:
        done = await run_command(
            info,
            handle.create_token,
            lambda: commands.CreateApiToken(
                name=input.name,
                scopes=frozenset(Scope(s.value) for s in input.scopes),
                person_id=decode_optional(input.person_id, "Person", field="personId"),
                expires_at=_utc(input.expires_at),
            ),
            actor_scopes=info.context.scopes,
        )
        token_id, secret = done.result or (None, None)
        row = await reload(info.context.loaders.api_token, token_id)
        return ApiTokenCreatePayload(api_token=ApiTokenNode.maybe(row), secret=secret, user_errors=done.user_errors)

    @root_mutation(
        administration=True,
        description="Revoke a token (its owner, or an admin): it stops working "
        "at once, and websockets signed in with it close.",
    )
    async def api_token_revoke(self, info: Info, input: ApiTokenRevokeInput) -> ApiTokenPayload:
        done = await run_command(
            info,
            handle.revoke_token,
            lambda: commands.RevokeApiToken(token_id=decode(input.id, "ApiToken", field="id")),
        )
        if not done.user_errors and info.context.on_identity_change is not None:
            info.context.on_identity_change()
        row = await reload(info.context.loaders.api_token, done.result)
        return ApiTokenPayload(api_token=ApiTokenNode.maybe(row), user_errors=done.user_errors)
