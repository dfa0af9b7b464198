"""Shared goals and their key results, one dataloader per relation (schema.dataloader)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from db.read import goal_values, goals
from db.read.goal_values import Audience, KeyResultValue
from domain.goals import Metric
from schema.dataloader import ById, Grouped, Row
from schema.live.shared_reads import SharedReads

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


# Figures cost up to a few hundred milliseconds of SQL on a large organisation (0.3 s for a
# board's seven key results over 100,000 requests), and every screen showing a goals board, and
# every subscriber to a goal, asks for the same ones again and again. Readers who count the same
# work (an audience) share one computation while no command has committed (the event log's head,
# db.read.goal_values.data_version), within FIGURES_WINDOW seconds of the call's clock: time alone
# moves figures too (a deadline passes, the window grows), and so does a write that appends no
# event (a bulk load). A command's effect shows in the next read.
FIGURES_WINDOW = 5.0
SHARED_FIGURES = SharedReads(capacity=1024)


class KeyResultValueByKey(Grouped[KeyResultKey, KeyResultValue]):
    """Figures at the call's clock, as the viewer's audience may read them (a key result with no
    samples has empty figures), shared between readers as said above."""

    async def load_batch(self, keys: list[KeyResultKey]) -> list[KeyResultValue]:
        now, audience = self.clock(), Audience.of(self.viewer)
        async with self.engine.connect() as conn:
            data = await goal_values.data_version(conn)
        where = self.engine.url.render_as_string(hide_password=True)
        values = await SHARED_FIGURES.read(
            (where, audience, tuple(keys)), (data, int(now.timestamp() // FIGURES_WINDOW)), lambda: self._read(keys)
        )
        return [values[k] for k in keys]

    async def _read(self, keys: Sequence[KeyResultKey]) -> Mapping[KeyResultKey, KeyResultValue]:
        async with self.engine.connect() as conn:
            return await self.fetch(conn, keys)

    async def fetch(self, conn: AsyncConnection, keys: Sequence[KeyResultKey]) -> Mapping[KeyResultKey, KeyResultValue]:
        return await goal_values.key_result_values(conn, keys, now=self.clock(), audience=Audience.of(self.viewer))
