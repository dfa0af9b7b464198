"""Running a command: without a lock when its handler declares a read plan (domain.read_plans),
with the locking unit of work otherwise, and as the fallback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from db.optimistic.uow import Contended, NotPlanned, OpeningUnitOfWork, OptimisticUnitOfWork
from db.uow import CommitListener, SqlUnitOfWork
from domain.people import Person
from domain.read_plans import OpeningReads, Planned

# Tries before taking the lock: a guard fails only when another write to the same request landed
# between this command's read and its write (a few ms), so a second try almost always lands.
ATTEMPTS = 3

R = TypeVar("R")
Handler = Callable[..., Awaitable[R]]
OptimisticFactory = Callable[..., OptimisticUnitOfWork]
# Each says what it wrote (`written`), so a payload need not read it back.
AnyUnitOfWork = SqlUnitOfWork | OptimisticUnitOfWork | OpeningUnitOfWork


async def run(
    handler: Handler[R],
    cmd: object,
    *,
    engine: AsyncEngine,
    actor: Person,
    now: datetime,
    on_commit: CommitListener | None = None,
    optimistic: OptimisticFactory = OptimisticUnitOfWork,
    **extra: Any,
) -> tuple[R, AnyUnitOfWork]:
    """The handler's result, and the unit of work that committed it."""
    plan = handler.plan(cmd, actor) if isinstance(handler, Planned) else None
    for _attempt in range(ATTEMPTS if plan is not None else 0):
        uow: AnyUnitOfWork
        if isinstance(plan, OpeningReads):
            uow = OpeningUnitOfWork(engine, plan, on_commit=on_commit)
        else:
            uow = optimistic(engine, plan, on_commit=on_commit)
        try:
            return await handler(cmd, uow=uow, actor=actor, now=now, **extra), uow
        except Contended:
            continue
        except NotPlanned:
            break
    uow = SqlUnitOfWork(engine, on_commit=on_commit)
    return await handler(cmd, uow=uow, actor=actor, now=now, **extra), uow
