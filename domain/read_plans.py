"""Read plans: what a command reads before it acts, declared beside its handler.

A handler with a read plan may run without a lock: the optimistic unit of work (db.optimistic)
reads exactly what the plan names, up front and in one statement, and answers the handler's
repository calls from it; a call the plan does not cover sends the command to the locking unit
of work. A handler without a plan always takes the lock.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from domain.people import Person

C = TypeVar("C")


@dataclass(frozen=True)
class RequestReads:
    """One request whole (its row, tasks and watchers), and what the command adds to it."""

    request_id: int
    person_id: int  # the actor: whose idempotency key
    operation: str | None = None  # with `key`: the idempotency key whose first result is looked up
    key: str | None = None
    comment_ids: int = 0  # ids reserved for the comments the command adds


@dataclass(frozen=True)
class OpeningReads:
    """Raising a request: its service, request type and requester, and the key's first result."""

    service_id: int
    request_type_id: int | None
    requester_id: int | None  # None: the actor raises it for themselves (already read)
    person_id: int
    operation: str
    key: str | None


ReadPlan = RequestReads | OpeningReads


class Planned(Generic[C]):
    """A command handler with its read plan; called exactly as the handler is."""

    def __init__(self, handle: Callable[..., Awaitable[Any]], plan: Callable[[C, Person], ReadPlan]):
        self.handle, self.plan = handle, plan
        functools.update_wrapper(self, handle)

    def __call__(self, cmd: C, **deps: Any) -> Awaitable[Any]:
        return self.handle(cmd, **deps)


def reads(plan: Callable[[C, Person], ReadPlan]) -> Callable[[Callable[..., Awaitable[Any]]], Planned[C]]:
    """Declares what the decorated handler reads, given its command and its actor."""

    def planned(handle: Callable[..., Awaitable[Any]]) -> Planned[C]:
        return Planned(handle, plan)

    return planned
