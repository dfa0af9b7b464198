"""Running a command optimistically when it can be, with the locking unit of work as the fallback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from db.optimistic.opening import OpeningPlan
from db.optimistic.snapshot import ReadPlan
from db.optimistic.uow import Contended, NotPlanned, OpeningUnitOfWork, OptimisticUnitOfWork
from db.uow import CommitListener, SqlUnitOfWork
from domain import commands
from domain.people import Person

# Tries before taking the lock: a guard fails only when another write to the same request landed
# between this command's read and its write (a few ms), so a second try almost always lands.
ATTEMPTS = 3

Handler = Callable[..., Awaitable[int]]
OptimisticFactory = Callable[..., OptimisticUnitOfWork]


def read_plan(cmd: object, actor: Person) -> ReadPlan | OpeningPlan | None:
    """What the optimistic path reads for this command; None: it always takes the lock."""
    if isinstance(cmd, commands.CreateRequest):
        requester = cmd.requester_id if cmd.requester_id not in (None, actor.id) else None
        return OpeningPlan(
            service_id=cmd.service_id,
            request_type_id=cmd.request_type_id,
            requester_id=requester,
            person_id=actor.id,
            key=cmd.idempotency_key,
        )
    if isinstance(cmd, commands.AddComment):
        return ReadPlan(
            request_id=cmd.request_id,
            person_id=actor.id,
            operation="commentAdd",
            key=cmd.idempotency_key,
            comment_ids=1,
        )
    if isinstance(cmd, commands.TransitionRequest):
        return ReadPlan(request_id=cmd.request_id, person_id=actor.id)
    return None


async def run(
    handler: Handler,
    cmd: object,
    *,
    engine: AsyncEngine,
    actor: Person,
    now: datetime,
    on_commit: CommitListener | None = None,
    optimistic: OptimisticFactory = OptimisticUnitOfWork,
    **extra: Any,
) -> tuple[int, Any]:
    """The handler's result, and the unit of work that committed it (the payload reads from it)."""
    plan = read_plan(cmd, actor)
    uow: OpeningUnitOfWork | OptimisticUnitOfWork | SqlUnitOfWork
    for _attempt in range(ATTEMPTS if plan is not None else 0):
        make: Callable[..., OpeningUnitOfWork | OptimisticUnitOfWork] = (
            OpeningUnitOfWork if isinstance(plan, OpeningPlan) else optimistic
        )
        uow = make(engine, plan, on_commit=on_commit)
        try:
            return await handler(cmd, uow=uow, actor=actor, now=now, **extra), uow
        except Contended:
            continue
        except NotPlanned:
            break
    uow = SqlUnitOfWork(engine, on_commit=on_commit)
    return await handler(cmd, uow=uow, actor=actor, now=now, **extra), uow
