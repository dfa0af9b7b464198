"""Reading journey maps and runs through the viewer's visibility."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, any_, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.read import pages
from db.read.journey_visibility import map_visible, run_visible
from domain.people import Person

M, ST, TP, R = t.journey_maps, t.journey_stages, t.journey_touchpoints, t.journey_runs
RS, RR = t.journey_run_stages, t.journey_run_requests
MAP_ORDER = pages.Order(key=M.c.name, tiebreak=M.c.id)
RUN_ORDER = pages.Order(key=R.c.started_at, tiebreak=R.c.id, descending=True)  # the newest first


def _like(search: str) -> str:
    return "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class MapCriteria:
    active: bool | None = None
    department_id: int | None = None
    search: str | None = None


def visible_maps(viewer: Person, criteria: MapCriteria | None = None) -> Select[Any]:
    c = criteria or MapCriteria()
    query = select(M).where(map_visible(viewer))
    if c.active is not None:
        query = query.where(M.c.retired_at.is_(None) if c.active else M.c.retired_at.is_not(None))
    if c.department_id is not None:
        query = query.where(literal(c.department_id) == any_(M.c.department_ids))
    if c.search:
        query = query.where(or_(M.c.name.ilike(_like(c.search)), M.c.description.ilike(_like(c.search))))
    return query


async def maps_page(
    conn: AsyncConnection, viewer: Person, criteria: MapCriteria, *, first: int | None, after: str | None
) -> pages.Page:
    return await pages.fetch_page(conn, visible_maps(viewer, criteria), order=MAP_ORDER, first=first, after=after)


async def maps_count(conn: AsyncConnection, viewer: Person, criteria: MapCriteria) -> int:
    return await pages.count(conn, visible_maps(viewer, criteria))


async def maps_by_ids(conn: AsyncConnection, viewer: Person, ids: Sequence[int]) -> dict[int, Any]:
    return {r.id: r for r in await conn.execute(visible_maps(viewer).where(M.c.id.in_(list(ids))))}


async def maps_by_ids_unfiltered(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, Any]:
    """A run's own map: whoever sees the run sees what it follows."""
    return {r.id: r for r in await conn.execute(select(M).where(M.c.id.in_(list(ids))))}


async def next_version_by_map(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, Any]:
    rows = await conn.execute(select(M).where(M.c.replaces_id.in_(list(ids))))
    found: dict[int, Any] = {i: None for i in ids}
    found.update({r.replaces_id: r for r in rows})
    return found


async def stages_by_map(conn: AsyncConnection, map_ids: Sequence[int]) -> dict[int, list[Any]]:
    rows = await conn.execute(select(ST).where(ST.c.map_id.in_(list(map_ids))).order_by(ST.c.map_id, ST.c.position))
    grouped: dict[int, list[Any]] = {i: [] for i in map_ids}
    for row in rows:
        grouped[row.map_id].append(row)
    return grouped


async def stages_by_ids(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, Any]:
    return {r.id: r for r in await conn.execute(select(ST).where(ST.c.id.in_(list(ids))))}


async def touchpoints_by_stage(conn: AsyncConnection, stage_ids: Sequence[int]) -> dict[int, list[Any]]:
    rows = await conn.execute(
        select(TP).where(TP.c.stage_id.in_(list(stage_ids))).order_by(TP.c.stage_id, TP.c.position)
    )
    grouped: dict[int, list[Any]] = {i: [] for i in stage_ids}
    for row in rows:
        grouped[row.stage_id].append(row)
    return grouped


@dataclass(frozen=True)
class RunCriteria:
    map_id: int | None = None
    every_version: bool = False  # with map_id: runs of every version of that map
    statuses: tuple[str, ...] = ()
    sponsor_id: int | None = None
    department_id: int | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None


def visible_runs(viewer: Person, criteria: RunCriteria | None = None) -> Select[Any]:
    c = criteria or RunCriteria()
    query = select(R).where(run_visible(viewer))
    if c.map_id is not None and not c.every_version:
        query = query.where(R.c.map_id == c.map_id)
    if c.statuses:
        query = query.where(R.c.status.in_(c.statuses))
    if c.sponsor_id is not None:
        query = query.where(R.c.sponsor_id == c.sponsor_id)
    if c.started_after is not None:
        query = query.where(R.c.started_at >= c.started_after)
    if c.started_before is not None:
        query = query.where(R.c.started_at < c.started_before)
    if (c.map_id is not None and c.every_version) or c.department_id is not None:
        of_map = select(M.c.id)
        if c.map_id is not None and c.every_version:
            named = M.alias("named_map")  # an alias, or it would correlate with the map being filtered
            lineage = select(named.c.lineage_id).where(named.c.id == c.map_id).scalar_subquery()
            of_map = of_map.where(M.c.lineage_id == lineage)
        if c.department_id is not None:
            of_map = of_map.where(literal(c.department_id) == any_(M.c.department_ids))
        query = query.where(R.c.map_id.in_(of_map))
    return query


async def runs_page(
    conn: AsyncConnection, viewer: Person, criteria: RunCriteria, *, first: int | None, after: str | None
) -> pages.Page:
    return await pages.fetch_page(conn, visible_runs(viewer, criteria), order=RUN_ORDER, first=first, after=after)


async def runs_count(conn: AsyncConnection, viewer: Person, criteria: RunCriteria) -> int:
    return await pages.count(conn, visible_runs(viewer, criteria))


async def run_pages_by_map(
    conn: AsyncConnection, viewer: Person, map_ids: Sequence[int], *, first: int | None, after: str | None
) -> dict[int, pages.Page]:
    return await pages.fetch_pages_by_parent(
        conn, visible_runs(viewer), parent=R.c.map_id, parent_ids=map_ids, order=RUN_ORDER, first=first, after=after
    )


async def run_counts_by_map(conn: AsyncConnection, viewer: Person, map_ids: Sequence[int]) -> dict[int, int]:
    return await pages.count_by_parent(conn, visible_runs(viewer), parent=R.c.map_id, parent_ids=map_ids)


async def runs_by_ids(conn: AsyncConnection, viewer: Person, ids: Sequence[int]) -> dict[int, Any]:
    return {r.id: r for r in await conn.execute(visible_runs(viewer).where(R.c.id.in_(list(ids))))}


async def run_stages_by_run(conn: AsyncConnection, run_ids: Sequence[int]) -> dict[int, list[Any]]:
    rows = await conn.execute(select(RS).where(RS.c.run_id.in_(list(run_ids))).order_by(RS.c.run_id, RS.c.position))
    grouped: dict[int, list[Any]] = {i: [] for i in run_ids}
    for row in rows:
        grouped[row.run_id].append(row)
    return grouped


async def run_requests_by_run(conn: AsyncConnection, run_ids: Sequence[int]) -> dict[int, list[Any]]:
    """The run's requests by stage, then touchpoint: (request_id, position, touchpoint_id) rows."""
    rows = await conn.execute(
        select(RR.c.run_id, RR.c.request_id, RR.c.position, RR.c.touchpoint_id)
        .join(TP, TP.c.id == RR.c.touchpoint_id)
        .where(RR.c.run_id.in_(list(run_ids)))
        .order_by(RR.c.run_id, RR.c.position, TP.c.position, RR.c.request_id)
    )
    grouped: dict[int, list[Any]] = {i: [] for i in run_ids}
    for row in rows:
        grouped[row.run_id].append(row)
    return grouped
