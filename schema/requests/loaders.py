"""Requests, their tasks, watchers and comments, and department queues: one dataloader per
relation (schema.dataloader)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from db.read import requests
from db.read.pages import Page
from db.read.requests import RequestCriteria
from schema.dataloader import ById, Grouped, Paged, Row

# (request, first, after, last, before)
CommentWindow = tuple[int, int | None, str | None, int | None, str | None]
# (department, first, after, criteria, order field, descending)
QueueWindow = tuple[int, int | None, str | None, RequestCriteria, str, bool]
# (department, criteria)
QueueCountKey = tuple[int, RequestCriteria]


class RequestById(ById[int, Row]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await requests.requests_by_ids(conn, self.viewer, keys)


class TasksByRequest(Grouped[int, list[Row]]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, list[Row]]:
        return await requests.tasks_by_request(conn, keys)


class TaskById(ById[int, Row]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await requests.tasks_by_ids(conn, self.viewer, keys)


class WatcherIdsByRequest(Grouped[int, list[int]]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, list[int]]:
        return await requests.watcher_ids_by_request(conn, keys)


class CommentById(ById[int, Row]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await requests.comments_by_ids(conn, self.viewer, keys)


class CommentPage(Paged[CommentWindow, Page]):
    async def fetch(self, conn: AsyncConnection, parents: list[Any], window: tuple[Any, ...]) -> Mapping[Any, Page]:
        first, after, last, before = window
        return await requests.comment_pages(
            conn, self.viewer, parents, first=first, after=after, last=last, before=before
        )


class CommentCount(Grouped[int, int]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, int]:
        return await requests.comment_counts(conn, self.viewer, keys)


class QueuePage(Paged[QueueWindow, Page]):
    """Departments listed together, asking for the same page of the same filter, share a statement."""

    async def fetch(self, conn: AsyncConnection, parents: list[Any], window: tuple[Any, ...]) -> Mapping[Any, Page]:
        first, after, criteria, field, descending = window
        order = requests.request_order(field, descending)
        return await requests.queue_pages(conn, self.viewer, criteria, parents, order=order, first=first, after=after)


class QueueCount(Paged[QueueCountKey, int]):
    async def fetch(self, conn: AsyncConnection, parents: list[Any], window: tuple[Any, ...]) -> Mapping[Any, int]:
        (criteria,) = window
        return await requests.queue_counts(conn, self.viewer, criteria, parents)
