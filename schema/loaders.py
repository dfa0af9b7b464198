"""Per-request dataloaders, one per relation, created on first use.

Each batch runs one set-based statement on its own pooled connection, so the number of
statements for a query depends on its depth, not on how many rows it returns.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import datetime, timezone
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from strawberry.dataloader import DataLoader

from db.read import catalog, events, goal_values, goals, organisation, requests, stats
from db.read.pages import Page
from domain.people import Person
from schema.journeys.loaders import JourneyLoaders

K = TypeVar("K", bound=Hashable)


class Loaders:
    def __init__(self, engine: AsyncEngine, viewer: Person, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        self.engine = engine
        self.viewer = viewer
        v = viewer
        # Organisation
        self.department = self._by_id(organisation.departments_by_ids)
        self.person = self._by_id(organisation.people_by_ids)
        self.members = self._grouped(organisation.members_by_department)
        # Catalog
        self.service = self._by_id(lambda c, ids: catalog.services_by_ids(c, v, ids))
        self.request_service = self._by_id(catalog.services_by_ids_unfiltered)
        self.collaborator_ids = self._grouped(catalog.collaborator_ids_by_service)
        self.request_types_of_service = self._grouped(catalog.request_types_by_service)
        self.request_type = self._by_id(catalog.request_types_by_ids)
        self.visible_request_type = self._by_id(lambda c, ids: catalog.visible_request_types_by_ids(c, v, ids))
        self.service_page = self._paged(lambda c, ids, first, after: catalog.service_pages_by_department(
            c, v, ids, first=first, after=after))
        self.service_count = self._grouped(lambda c, ids: catalog.service_counts_by_department(c, v, ids))
        # Requests
        self.request = self._by_id(lambda c, ids: requests.requests_by_ids(c, v, ids))
        self.tasks_of_request = self._grouped(requests.tasks_by_request)
        self.task = self._by_id(lambda c, ids: requests.tasks_by_ids(c, v, ids))
        self.watcher_ids = self._grouped(requests.watcher_ids_by_request)
        self.comment = self._by_id(lambda c, ids: requests.comments_by_ids(c, v, ids))
        self.comment_page = self._paged(lambda c, ids, first, after, last, before: requests.comment_pages(
            c, v, ids, first=first, after=after, last=last, before=before))
        self.comment_count = self._grouped(lambda c, ids: requests.comment_counts(c, v, ids))
        self.queue_page = self._paged(lambda c, ids, first, after, criteria, field, descending: requests.queue_pages(
            c, v, criteria, ids, order=requests.request_order(field, descending), first=first, after=after))
        self.queue_count = self._paged(lambda c, ids, criteria: requests.queue_counts(c, v, criteria, ids))
        # Events
        self.event = self._by_id(lambda c, ids: events.events_by_seqs(c, v, ids))
        self.activity_page = self._paged(lambda c, ids, first, after, last, before: events.activity_pages(
            c, v, ids, first=first, after=after, last=last, before=before))
        self.activity_count = self._grouped(lambda c, ids: events.activity_counts(c, v, ids))
        # Journeys
        self.journeys = JourneyLoaders(self)
        # Wallboards
        self.department_stats = self._grouped(lambda c, ids: stats.stats_by_department(
            c, v, ids, day_start=_start_of_today()))
        # Shared goals; key result values are computed at the request's clock.
        self.goal = self._by_id(lambda c, ids: goals.goals_by_ids(c, v, ids))
        self.goal_department_ids = self._grouped(goals.department_ids_by_goal)
        self.key_results_of_goal = self._grouped(goals.key_results_by_goal)
        self.key_result_value = self._by_id(lambda c, keys: goal_values.key_result_values(c, keys, now=clock()))

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
                found = await self._run(lambda conn: fetch(conn, parents, *window))
                pages.update({(p, *window): found[p] for p in parents})
            return [pages[k] for k in keys]
        return DataLoader(load_fn=load)


def _start_of_today() -> datetime:
    now = datetime.now(timezone.utc)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)
