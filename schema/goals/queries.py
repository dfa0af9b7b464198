"""Listing shared goals: only those of the viewer's department (admins: all); and the same list as
SQL for the compiled read path (`COMPILED`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import strawberry
from sqlalchemy import FromClause, Label, Select, literal_column, select

from db import tables as t
from db.read import goals as read
from db.read.goal_values import DATA_VERSION_COLUMNS, Audience
from schema import ids
from schema.compiled.connections import PagePrefetch, root_list
from schema.compiled.sql import Build, Run, TypeSql
from schema.context import Info
from schema.goals import shared_figures
from schema.goals.inputs import SharedGoalFilter
from schema.goals.types import SharedGoalNode
from schema.permissions import root_field
from schema.relay import Connection, root_connection

KR = t.key_results


def criteria_from(filter: SharedGoalFilter | None) -> read.GoalCriteria:
    f = filter or SharedGoalFilter()
    return read.GoalCriteria(
        department_id=ids.decode_filter(f.department_id, "Department"), active_at=f.active_at, search=f.search
    )


@strawberry.type
class GoalQueries:
    @root_field(description="Shared goals of the viewer's department (admins: all), latest periods first.")
    async def shared_goals(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: SharedGoalFilter | None = None,
    ) -> Connection[SharedGoalNode]:
        viewer, criteria = info.context.require_viewer(), criteria_from(filter)
        return await root_connection(
            info.context.reader,
            first=first,
            node=SharedGoalNode.from_row,
            fetch_page=lambda conn: read.goals_page(conn, viewer, criteria, first=first, after=after),
            fetch_count=lambda conn: read.goals_count(conn, viewer, criteria),
        )


# --- Query.sharedGoals as SQL: goals_page and goals_count, in one statement ----------------------
# The page's key results' figures are read first, from the figures shared between readers
# (schema.goals.shared_figures): worked out in the statement for each goal, they made a goals
# board slower compiled than normally executed.


def _page_key_results(page: FromClause, build: Build) -> Select[Any]:
    """The page's goals with their key results (a goal without any: once, with none), and the
    database's data version, which the shared figures are kept by."""
    version: list[Label[Any]] = [literal_column(c).label(f"data_{i}") for i, c in enumerate(DATA_VERSION_COLUMNS)]
    return select(page.c.id.label("goal_id"), KR.c.id.label("kr_id"), *version).select_from(
        page.outerjoin(KR, KR.c.goal_id == page.c.id)
    )


async def _figures_of_page(rows: Sequence[Any], run: Run, bound: dict[str, Any]) -> None:
    """`prefetched_goal_figures` for the page's goals: {goal id: its figure rows}, beside those of
    any other page of goals in the same operation."""
    if not rows:
        return
    goal_of = {r["kr_id"]: r["goal_id"] for r in rows if r["kr_id"] is not None}
    data = tuple(rows[0][f"data_{i}"] for i in range(len(DATA_VERSION_COLUMNS)))
    figures = await shared_figures.figure_rows(
        run.reader, list(goal_of), now=run.now, audience=Audience.of(run.viewer), data=data
    )
    by_goal: dict[str, list[dict[str, Any]]] = {str(r["goal_id"]): [] for r in rows}
    for figure in figures:
        by_goal[str(goal_of[figure.kr_id])].append(figure._asdict())
    earlier = json.loads(bound.get("prefetched_goal_figures") or "{}")
    bound["prefetched_goal_figures"] = json.dumps({**earlier, **by_goal})


COMPILED = (
    TypeSql(
        "Query",
        {
            "sharedGoals": root_list(
                "SharedGoal",
                table=read.G,
                order=read.GOAL_ORDER,
                rows=read.visible_goals,
                criteria=lambda arguments: criteria_from(arguments.get("filter")),
                prefetch=PagePrefetch(select=_page_key_results, values=_figures_of_page),
            )
        },
    ),
)
