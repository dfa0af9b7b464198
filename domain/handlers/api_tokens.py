"""API tokens: people make their own, admins make service accounts' and revoke any."""

from __future__ import annotations

from datetime import datetime

from domain import api_tokens, commands
from domain.api_tokens import Scope
from domain.errors import NotFound
from domain.people import Person
from domain.ports import UnitOfWork


async def create_token(
    cmd: commands.CreateApiToken,
    *,
    uow: UnitOfWork,
    actor: Person,
    now: datetime,
    actor_scopes: frozenset[Scope] | None,
) -> tuple[int, str]:
    """(the token's id, its secret): the secret is never stored, so this is the only time it exists."""
    async with uow:
        owner = actor if cmd.person_id in (None, actor.id) else await uow.people.get(cmd.person_id)
        if owner is None:
            raise NotFound("No person has this ID.", field=("personId",))
        token, secret = api_tokens.issue(
            actor,
            owner,
            id=await uow.api_tokens.next_id(),
            name=cmd.name,
            scopes=cmd.scopes,
            expires_at=cmd.expires_at,
            now=now,
            actor_scopes=actor_scopes,
        )
        await uow.api_tokens.add(token)
        uow.record(token.events)
        await uow.commit()
    return token.id, secret


async def revoke_token(cmd: commands.RevokeApiToken, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    async with uow:
        token = await uow.api_tokens.get_for_update(cmd.token_id)
        owner = await uow.people.get(token.person_id) if token is not None else None
        if token is None or owner is None:
            raise NotFound("No API token has this ID.", field=("id",))
        token.revoke(actor, owner, now=now)
        if token.events:
            await uow.api_tokens.save(token)
            uow.record(token.events)
            await uow.commit()
    return token.id
