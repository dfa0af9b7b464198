"""Per-request context: the viewer, the database, the loaders and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import strawberry
from graphql import DocumentNode, get_operation_ast
from sqlalchemy.ext.asyncio import AsyncEngine

from db.broker import EventBroker
from db.engine import reader
from db.uow import CommitListener
from domain.api_tokens import Scope
from domain.people import Person
from schema.errors import Unauthenticated
from schema.loaders import Loaders


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    engine: AsyncEngine
    viewer: Person | None
    auth_error: str | None = None
    request: Any = None
    response: Any = None
    clock: Callable[[], datetime] = utc_now
    on_commit: CommitListener | None = None
    broker: EventBroker | None = None  # the process's event broker: what subscriptions listen to
    hub: Any = None  # the process's schema.live.hub.EventHub, where `events` subscribers join
    # The HTTP view relays a compiled query's JSON text (schema.compiled); other callers get data.
    compiled_reads: bool = False
    # The process's reader, when the caller keeps one: making it costs more than a small query.
    reader_engine: AsyncEngine | None = None
    # The process's schema.limits.budgets.PersonBudgets (none: no budget per minute), and what
    # this operation was charged, once it was (so a fallback to normal execution is not charged twice).
    budgets: Any = None
    cost: Any = None
    extras: dict[str, Any] = field(default_factory=dict)
    # The viewer's API token's scopes (schema.scopes); None: signed in interactively, limited by role only.
    scopes: frozenset[Scope] | None = None
    # Told after a change to people or tokens: this process's sign-in caches forget what they read.
    on_identity_change: Callable[[], None] | None = None
    # The operation that ran, once the document is known: the access log and metrics name it so.
    operation_type: str | None = None
    operation_name: str | None = None

    @cached_property
    def reader(self) -> AsyncEngine:
        """Where every read of this request goes (see db.engine.reader)."""
        return self.reader_engine or reader(self.engine)

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.reader, self.require_viewer(), clock=self.clock)

    def refresh(self) -> None:
        """Forget cached loads: a subscription reads afresh for each push."""
        self.__dict__.pop("loaders", None)

    def require_viewer(self) -> Person:
        if self.viewer is None:
            if self.response is not None:
                self.response.status_code = 401
            raise Unauthenticated(self.auth_error or "Sign in: send 'Authorization: Bearer <token>'.")
        return self.viewer

    def now(self) -> datetime:
        return self.clock()

    def note_operation(self, document: DocumentNode | None, name: str | None) -> None:
        """The operation `name` chooses in `document` (or its only one), when there is one."""
        operation = get_operation_ast(document, name) if document is not None else None
        if operation is not None:
            self.operation_type = operation.operation.value
            self.operation_name = operation.name.value if operation.name is not None else None


# What resolvers annotate `info` with: strawberry's Info with its context typed, so that
# `info.context.loaders.x` type-checks.
Info = strawberry.Info[Context, Any]


def context_of(info: Info) -> Context:
    return info.context


def loaders_of(info: Info) -> Loaders:
    return info.context.loaders
