"""Who may see journey maps and runs, as SQL predicates: mirrors domain.journey_access."""

from __future__ import annotations

from sqlalchemy import ColumnElement, FromClause, any_, exists, false, literal, or_, select, true

from db import tables as t
from domain.people import Person, Role


def takes_part(viewer: Person, maps: FromClause) -> ColumnElement[bool]:
    """domain.journey_access.takes_part: the viewer works in a department owning a touchpoint."""
    if not viewer.is_staff:
        return false()
    return literal(viewer.department_id) == any_(maps.c.department_ids)


def map_visible(viewer: Person, maps: FromClause = t.journey_maps) -> ColumnElement[bool]:
    if viewer.is_admin or viewer.role is Role.MANAGER:
        return true()
    runs = t.journey_runs.alias("sponsored_run")
    sponsors = exists(select(1).select_from(runs).where(runs.c.map_id == maps.c.id, runs.c.sponsor_id == viewer.id))
    return or_(takes_part(viewer, maps), sponsors)


def run_visible(viewer: Person, runs: FromClause = t.journey_runs) -> ColumnElement[bool]:
    if viewer.is_admin:
        return true()
    if not viewer.is_staff:
        return runs.c.sponsor_id == viewer.id
    maps = t.journey_maps.alias("run_map")
    working = exists(select(1).select_from(maps).where(maps.c.id == runs.c.map_id, takes_part(viewer, maps)))
    return or_(runs.c.sponsor_id == viewer.id, working)
