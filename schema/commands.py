"""Running a domain command from a mutation: rules say no as `userErrors`, never as crashes."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from db import tables as t
from db.optimistic import runner
from db.uow import NOTHING_KEPT, Written
from domain.errors import DomainError
from schema import ids, tracing
from schema.context import Info
from schema.errors import UserError

R = TypeVar("R")
Handler = Callable[..., Awaitable[Any]]  # a domain handler: (cmd, *, uow, actor, now, …)


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """A command's run: the handler's result (None when a rule said no), what the unit of work
    wrote (db.uow.Written: the payload answers from it, or reads back), and the userErrors."""

    result: R | None
    written: Written
    user_errors: list[UserError]


async def run_command(
    info: Info, handler: Callable[..., Awaitable[R]], make_command: Callable[[], object], **extra: Any
) -> Outcome[R]:
    """Run `handler(make_command(), uow=…, actor=…, now=…, **extra)` for the viewer; without a lock
    when the handler declares a read plan (db.optimistic.runner). A `DomainError` is a userError.

    `make_command` decodes the input's IDs, so a malformed one is a userError too.
    """
    context = info.context
    actor = context.require_viewer()
    try:
        command = make_command()
    except DomainError as error:
        return Outcome(None, NOTHING_KEPT, [UserError.from_domain(error)])
    with tracing.span(f"command {type(command).__name__}", {"graphql.field.name": info.field_name}) as span:
        try:
            result, uow = await runner.run(
                handler,
                command,
                engine=context.engine,
                actor=actor,
                now=context.now(),
                on_commit=context.on_commit,
                **extra,
            )
        except DomainError as error:
            tracing.annotate(span, "tandem.command.refused", error.code)
            return Outcome(None, NOTHING_KEPT, [UserError.from_domain(error)])
    return Outcome(result, uow.written, [])


async def reload(loader: Any, key: int | None) -> Any | None:
    """Read back what a mutation wrote, past anything cached earlier in this request."""
    if key is None:
        return None
    with contextlib.suppress(KeyError):  # strawberry's clear() raises for keys never loaded
        loader.clear(key)
    return await loader.load(key)


def person_refs(info: Info) -> Callable[[list[str]], Awaitable[set[str]]]:
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
