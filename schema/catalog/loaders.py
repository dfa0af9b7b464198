"""Services and request types, one dataloader per relation (schema.dataloader)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from db.read import catalog
from db.read.pages import Page
from schema.dataloader import ById, Grouped, Paged, Row

# (department, first, after)
ServiceWindow = tuple[int, int | None, str | None]


class ServiceById(ById[int, Row]):
    """Services as the viewer may see them in the catalog."""

    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await catalog.services_by_ids(conn, self.viewer, keys)


class RequestServiceById(ById[int, Row]):
    """A request's service, shown to whoever may see the request (retired or not)."""

    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await catalog.services_by_ids_unfiltered(conn, keys)


class CollaboratorIdsByService(Grouped[int, list[int]]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, list[int]]:
        return await catalog.collaborator_ids_by_service(conn, keys)


class RequestTypesByService(Grouped[int, list[Row]]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, list[Row]]:
        return await catalog.request_types_by_service(conn, keys)


class RequestTypeById(ById[int, Row]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await catalog.request_types_by_ids(conn, keys)


class VisibleRequestTypeById(ById[int, Row]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await catalog.visible_request_types_by_ids(conn, self.viewer, keys)


class ServicePage(Paged[ServiceWindow, Page]):
    async def fetch(self, conn: AsyncConnection, parents: list[Any], window: tuple[Any, ...]) -> Mapping[Any, Page]:
        first, after = window
        return await catalog.service_pages_by_department(conn, self.viewer, parents, first=first, after=after)


class ServiceCount(Grouped[int, int]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, int]:
        return await catalog.service_counts_by_department(conn, self.viewer, keys)
