"""Events and a request's activity, one dataloader per relation (schema.dataloader)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from db.read import events
from db.read.pages import Page
from schema.dataloader import ById, Grouped, Paged, Row

# (request, first, after, last, before)
ActivityWindow = tuple[int, int | None, str | None, int | None, str | None]


class EventBySeq(ById[int, Row]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await events.events_by_seqs(conn, self.viewer, keys)


class ActivityPage(Paged[ActivityWindow, Page]):
    async def fetch(self, conn: AsyncConnection, parents: list[Any], window: tuple[Any, ...]) -> Mapping[Any, Page]:
        first, after, last, before = window
        return await events.activity_pages(
            conn, self.viewer, parents, first=first, after=after, last=last, before=before
        )


class ActivityCount(Grouped[int, int]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, int]:
        return await events.activity_counts(conn, self.viewer, keys)
