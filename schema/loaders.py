"""Per-request dataloaders, one per relation, created on first use.

Each batch runs one set-based statement on its own pooled connection, so the number of
statements for a query depends on its depth, not on how many rows it returns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from strawberry.dataloader import DataLoader

from db.read import api_tokens, catalog, events, goal_values, goals, organisation, requests, stats
from db.read.pages import Page
from domain.people import Person
from schema.journeys.loaders import JourneyLoaders

K = TypeVar("K", bound=Hashable)


class Loaders:
    def __init__(
        self, engine: AsyncEngine, viewer: Person, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ):
        self.engine = engine
        self.viewer = viewer
        self.clock = clock

    def __getattr__(self, name: str) -> Any:
        """Called only for a loader not made yet: make it, and keep it for the rest of the call."""
        make = _MAKE.get(name)
        if make is None:
            raise AttributeError(name)
        loader = make(self, self.viewer)
        setattr(self, name, loader)
        return loader

    async def _run(self, query: Callable[[AsyncConnection], Awaitable[Any]]) -> Any:
        async with self.engine.connect() as conn:
            return await query(conn)

    def _by_id(self, fetch: Callable[[AsyncConnection, Sequence[K]], Awaitable[dict[K, Any]]]) -> DataLoader:
        """Rows by key; a key the viewer may not see loads as None."""

        async def load(keys: list[K]) -> list[Any]:
            found = await self._run(lambda conn: fetch(conn, keys))
            return [found.get(k) for k in keys]

        return DataLoader(load_fn=load)

    def _grouped(self, fetch: Callable[[AsyncConnection, Sequence[K]], Awaitable[dict[K, Any]]]) -> DataLoader:
        """A value per parent key (a list of children, a count, …)."""

        async def load(keys: list[K]) -> list[Any]:
            found = await self._run(lambda conn: fetch(conn, keys))
            return [found[k] for k in keys]

        return DataLoader(load_fn=load)

    def _paged(self, fetch: Callable[..., Awaitable[dict[Any, Page]]]) -> DataLoader:
        """Keys are (parent, *window), e.g. (request, first, after): parents asking for the
        same window share one statement."""

        async def load(keys: list[tuple[Any, ...]]) -> list[Page]:
            by_window: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
            for parent, *window in keys:
                by_window[tuple(window)].append(parent)
            pages: dict[tuple[Any, ...], Page] = {}
            for window, parents in by_window.items():
                found = await self._run(lambda conn, parents=parents, window=window: fetch(conn, parents, *window))
                pages.update({(p, *window): found[p] for p in parents})
            return [pages[k] for k in keys]

        return DataLoader(load_fn=load)


def _start_of_today() -> datetime:
    now = datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


# What each loader is, built on first use: a call needs a few of them, and making all of them
# (three dozen DataLoaders) cost more than a small mutation's own work.
_MAKE: dict[str, Callable[[Loaders, Person], DataLoader | JourneyLoaders]] = {
    # Organisation
    "department": lambda ld, v: ld._by_id(organisation.departments_by_ids),
    "person": lambda ld, v: ld._by_id(organisation.people_by_ids),
    "members": lambda ld, v: ld._grouped(organisation.members_by_department),
    "api_token": lambda ld, v: ld._by_id(lambda c, ids: api_tokens.tokens_by_ids(c, v, ids)),
    # Catalog
    "service": lambda ld, v: ld._by_id(lambda c, ids: catalog.services_by_ids(c, v, ids)),
    "request_service": lambda ld, v: ld._by_id(catalog.services_by_ids_unfiltered),
    "collaborator_ids": lambda ld, v: ld._grouped(catalog.collaborator_ids_by_service),
    "request_types_of_service": lambda ld, v: ld._grouped(catalog.request_types_by_service),
    "request_type": lambda ld, v: ld._by_id(catalog.request_types_by_ids),
    "visible_request_type": lambda ld, v: ld._by_id(lambda c, ids: catalog.visible_request_types_by_ids(c, v, ids)),
    "service_page": lambda ld, v: ld._paged(
        lambda c, ids, first, after: catalog.service_pages_by_department(c, v, ids, first=first, after=after)
    ),
    "service_count": lambda ld, v: ld._grouped(lambda c, ids: catalog.service_counts_by_department(c, v, ids)),
    # Requests
    "request": lambda ld, v: ld._by_id(lambda c, ids: requests.requests_by_ids(c, v, ids)),
    "tasks_of_request": lambda ld, v: ld._grouped(requests.tasks_by_request),
    "task": lambda ld, v: ld._by_id(lambda c, ids: requests.tasks_by_ids(c, v, ids)),
    "watcher_ids": lambda ld, v: ld._grouped(requests.watcher_ids_by_request),
    "comment": lambda ld, v: ld._by_id(lambda c, ids: requests.comments_by_ids(c, v, ids)),
    "comment_page": lambda ld, v: ld._paged(
        lambda c, ids, first, after, last, before: requests.comment_pages(
            c, v, ids, first=first, after=after, last=last, before=before
        )
    ),
    "comment_count": lambda ld, v: ld._grouped(lambda c, ids: requests.comment_counts(c, v, ids)),
    "queue_page": lambda ld, v: ld._paged(
        lambda c, ids, first, after, criteria, field, descending: requests.queue_pages(
            c, v, criteria, ids, order=requests.request_order(field, descending), first=first, after=after
        )
    ),
    "queue_count": lambda ld, v: ld._paged(lambda c, ids, criteria: requests.queue_counts(c, v, criteria, ids)),
    # Events
    "event": lambda ld, v: ld._by_id(lambda c, ids: events.events_by_seqs(c, v, ids)),
    "activity_page": lambda ld, v: ld._paged(
        lambda c, ids, first, after, last, before: events.activity_pages(
            c, v, ids, first=first, after=after, last=last, before=before
        )
    ),
    "activity_count": lambda ld, v: ld._grouped(lambda c, ids: events.activity_counts(c, v, ids)),
    # Journeys
    "journeys": lambda ld, v: JourneyLoaders(ld),
    # Wallboards
    "department_stats": lambda ld, v: ld._grouped(
        lambda c, ids: stats.stats_by_department(c, v, ids, day_start=_start_of_today())
    ),
    # Shared goals; key result values are computed at the request's clock.
    "goal": lambda ld, v: ld._by_id(lambda c, ids: goals.goals_by_ids(c, v, ids)),
    "goal_departments": lambda ld, v: ld._grouped(goals.departments_by_goal),
    "key_results_of_goal": lambda ld, v: ld._grouped(goals.key_results_by_goal),
    "key_result_value": lambda ld, v: ld._by_id(
        lambda c, keys: goal_values.key_result_values(c, keys, now=ld.clock(), audience=goal_values.Audience.of(v))
    ),
}
