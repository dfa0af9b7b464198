"""Running a domain command from a mutation: rules say no as `userErrors`, never as crashes."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from db import tables as t
from db.optimistic import runner as optimistic
from domain.errors import DomainError
from schema import ids
from schema.errors import UserError

Action = Callable[..., Awaitable[int]]


async def execute(info: strawberry.Info, action: Action) -> tuple[int | None, list[UserError]]:
    """Run `action(**deps)`; deps are what every handler takes (uow, actor, now).

    IDs in the input are decoded inside `action`, so a malformed one is a userError too.
    """
    context = info.context
    actor = context.require_viewer()
    try:
        result = await action(uow=context.unit_of_work(), actor=actor, now=context.now())
    except DomainError as error:
        return None, [UserError.from_domain(error)]
    return result, []


async def run_command(
    info: strawberry.Info, handler: Action, make_command: Callable[[], Any], **extra: Any
) -> tuple[int | None, Any, list[UserError]]:
    """Run a request command, optimistically when it can be (db.optimistic): its result, the unit
    of work that committed it (None when a rule said no), and the userErrors.

    `make_command` decodes the input's IDs, so a malformed one is a userError too.
    """
    context = info.context
    actor = context.require_viewer()
    try:
        result, uow = await optimistic.run(
            handler,
            make_command(),
            engine=context.engine,
            actor=actor,
            now=context.now(),
            on_commit=context.on_commit,
            **extra,
        )
    except DomainError as error:
        return None, None, [UserError.from_domain(error)]
    return result, uow, []


async def reload(loader: Any, key: int | None) -> Any | None:
    """Read back what a mutation wrote, past anything cached earlier in this request."""
    if key is None:
        return None
    with contextlib.suppress(KeyError):  # strawberry's clear() raises for keys never loaded
        loader.clear(key)
    return await loader.load(key)


def person_refs(info: strawberry.Info) -> Callable[[list[str]], Awaitable[set[str]]]:
    return person_refs_in(info.context.reader)


def person_refs_in(engine: AsyncEngine) -> Callable[[list[str]], Awaitable[set[str]]]:
    """PERSON field values are Person IDs; answer which of them name real people."""

    async def known(values: list[str]) -> set[str]:
        decoded = {v: parsed[1] for v in values if (parsed := ids.parse(v)) and parsed[0] == "Person"}
        if not decoded:
            return set()
        async with engine.connect() as conn:
            rows = await conn.execute(select(t.people.c.id).where(t.people.c.id.in_(set(decoded.values()))))
            found = {r.id for r in rows}
        return {v for v, pid in decoded.items() if pid in found}

    return known
