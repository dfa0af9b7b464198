"""Shared goals and their key results, one dataloader per relation (schema.dataloader)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from db.read import goal_values, goals
from db.read.goal_values import Audience, KeyResultValue
from domain.goals import Metric
from schema.dataloader import ById, Grouped, Row
from schema.goals import shared_figures

# (key result, its metric: what an empty value looks like)
KeyResultKey = tuple[int, Metric]


class GoalById(ById[int, Row]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await goals.goals_by_ids(conn, self.viewer, keys)


class DepartmentsByGoal(Grouped[int, list[Row]]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, list[Row]]:
        return await goals.departments_by_goal(conn, keys)


class KeyResultsByGoal(Grouped[int, list[Row]]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, list[Row]]:
        return await goals.key_results_by_goal(conn, keys)


class KeyResultValueByKey(Grouped[KeyResultKey, KeyResultValue]):
    """Figures at the call's clock, as the viewer's audience may read them (a key result with no
    samples has empty figures), shared between readers (schema.goals.shared_figures)."""

    async def load_batch(self, keys: list[KeyResultKey]) -> list[KeyResultValue]:
        rows = await shared_figures.figure_rows(
            self.engine, [k for k, _ in keys], now=self.clock(), audience=Audience.of(self.viewer)
        )
        values = goal_values.key_result_values(keys, rows)
        return [values[k] for k in keys]
