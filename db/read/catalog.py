"""The service catalog as a viewer sees it (retired services only for their owners)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.read import pages
from db.read.visibility import service_visible
from domain.people import Person

S = t.services
SERVICE_ORDER = pages.Order(key=S.c.name, tiebreak=S.c.id)


@dataclass(frozen=True)
class ServiceCriteria:
    owner_department_id: int | None = None
    active: bool | None = None
    search: str | None = None


def visible_services(viewer: Person, criteria: ServiceCriteria | None = None) -> Select[Any]:
    c = criteria or ServiceCriteria()
    query = select(S).where(service_visible(viewer))
    if c.owner_department_id is not None:
        query = query.where(S.c.owner_department_id == c.owner_department_id)
    if c.active is not None:
        query = query.where(S.c.active.is_(c.active))
    if c.search:
        pattern = "%" + c.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(S.c.name.ilike(pattern), S.c.description.ilike(pattern)))
    return query


async def services_page(
    conn: AsyncConnection, viewer: Person, criteria: ServiceCriteria, *, first: int | None, after: str | None
) -> pages.Page:
    return await pages.fetch_page(
        conn, visible_services(viewer, criteria), order=SERVICE_ORDER, first=first, after=after
    )


async def services_count(conn: AsyncConnection, viewer: Person, criteria: ServiceCriteria) -> int:
    return await pages.count(conn, visible_services(viewer, criteria))


async def service_pages_by_department(
    conn: AsyncConnection, viewer: Person, department_ids: Sequence[int], *, first: int | None, after: str | None
) -> dict[int, pages.Page]:
    return await pages.fetch_pages_by_parent(
        conn,
        visible_services(viewer),
        parent=S.c.owner_department_id,
        parent_ids=department_ids,
        order=SERVICE_ORDER,
        first=first,
        after=after,
    )


async def service_counts_by_department(
    conn: AsyncConnection, viewer: Person, department_ids: Sequence[int]
) -> dict[int, int]:
    return await pages.count_by_parent(
        conn, visible_services(viewer), parent=S.c.owner_department_id, parent_ids=department_ids
    )


async def services_by_ids(conn: AsyncConnection, viewer: Person, ids: Sequence[int]) -> dict[int, Any]:
    rows = await conn.execute(visible_services(viewer).where(S.c.id.in_(list(ids))))
    return {r.id: r for r in rows}


async def services_by_ids_unfiltered(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, Any]:
    """For a request's own service: whoever sees the request sees what it was raised on."""
    rows = await conn.execute(select(S).where(S.c.id.in_(list(ids))))
    return {r.id: r for r in rows}


async def collaborator_ids_by_service(conn: AsyncConnection, service_ids: Sequence[int]) -> dict[int, list[int]]:
    sc = t.service_collaborators
    rows = await conn.execute(
        select(sc).where(sc.c.service_id.in_(list(service_ids))).order_by(sc.c.service_id, sc.c.department_id)
    )
    grouped: dict[int, list[int]] = {i: [] for i in service_ids}
    for row in rows:
        grouped[row.service_id].append(row.department_id)
    return grouped


async def request_types_by_service(conn: AsyncConnection, service_ids: Sequence[int]) -> dict[int, list[Any]]:
    rt = t.request_types
    rows = await conn.execute(
        select(rt).where(rt.c.service_id.in_(list(service_ids))).order_by(rt.c.service_id, rt.c.name, rt.c.id)
    )
    grouped: dict[int, list[Any]] = {i: [] for i in service_ids}
    for row in rows:
        grouped[row.service_id].append(row)
    return grouped


async def request_types_by_ids(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, Any]:
    """For a request's own type: whoever sees the request sees its form."""
    rows = await conn.execute(select(t.request_types).where(t.request_types.c.id.in_(list(ids))))
    return {r.id: r for r in rows}


async def visible_request_types_by_ids(conn: AsyncConnection, viewer: Person, ids: Sequence[int]) -> dict[int, Any]:
    """For lookups by ID: a retired service's forms are hidden like the service."""
    rt = t.request_types
    rows = await conn.execute(
        select(rt).join(S, S.c.id == rt.c.service_id).where(rt.c.id.in_(list(ids)), service_visible(viewer))
    )
    return {r.id: r for r in rows}
