"""Listing shared goals: only those of the viewer's department (admins: all); and the same list as
SQL for the compiled read path (`COMPILED`)."""

from __future__ import annotations

import strawberry

from db.read import goals as read
from schema import ids
from schema.compiled.connections import root_list
from schema.compiled.sql import TypeSql
from schema.context import Info
from schema.goals.inputs import SharedGoalFilter
from schema.goals.types import SharedGoalNode
from schema.permissions import root_field
from schema.relay import Connection, root_connection


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


# --- Query.sharedGoals as SQL: goals_page and goals_count, in one statement -----------------------
# Not in COMPILED yet: the statement works out a goal's figures again for `progress`, `status` and
# each key result's, so the goals wallboard ran at 2 requests/s compiled against 7 normally
# (bench/README.md). It comes back once the figures are read once per goal row. Goals still
# compile as nodes (node, nodes).

UNUSED_UNTIL_FIGURES_ARE_SHARED = (
    TypeSql(
        "Query",
        {
            "sharedGoals": root_list(
                "SharedGoal",
                table=read.G,
                order=read.GOAL_ORDER,
                rows=read.visible_goals,
                criteria=lambda arguments: criteria_from(arguments.get("filter")),
            )
        },
    ),
)
COMPILED: tuple[TypeSql, ...] = ()
