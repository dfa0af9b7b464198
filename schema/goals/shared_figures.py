"""Key result figures shared between readers: computed once for everyone who counts the same work.

Figures cost up to a few hundred milliseconds of SQL on a large organisation (0.3 s for a board's
seven key results over 100,000 requests), and every screen showing a goals board, and every
subscriber to a goal, asks for the same ones again and again. Readers who count the same work (an
audience: admins, or one department's staff) share one computation of the same key results while
no command has committed (the event log's head, db.read.goal_values.data_version), within
FIGURES_WINDOW seconds of the call's clock: time alone moves figures too (a deadline passes, the
window grows), and so does a write that appends no event (a bulk load). A command's effect shows
in the next read. Normal execution (schema.goals.loaders) and the compiled read path (the figures
it reads before its statement, schema.goals.queries) both read them here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from db.read import goal_values
from db.read.goal_values import Audience, FigureRow
from schema.live.shared_reads import SharedReads

FIGURES_WINDOW = 5.0
# Kept: the latest figures of 256 pages of goals or subscribers' goals (each audience's own), each of
# at most 2,000 rows (a page of 100 goals with 10 key results and 20 departments each would have
# 21,000: shared by those who wait for it, not kept). At most ~60 MB, far less in practice.
KEPT_ROWS = 2_000
SHARED_FIGURES = SharedReads(capacity=256, keep=lambda rows: len(rows) <= KEPT_ROWS)


async def figure_rows(
    engine: AsyncEngine,
    key_result_ids: Sequence[int],
    *,
    now: datetime,
    audience: Audience,
    data: tuple[Any, ...] | None = None,
) -> list[FigureRow]:
    """The figure rows of these key results for `audience`, at `now` or up to FIGURES_WINDOW
    seconds before it (whoever computed them first). `data`: the database's data version
    (db.read.goal_values.data_version), when the caller has just read it."""
    ids = tuple(sorted(set(key_result_ids)))
    if not ids:
        return []
    if data is None:
        async with engine.connect() as conn:
            data = await goal_values.data_version(conn)

    async def compute() -> list[FigureRow]:
        async with engine.connect() as conn:
            return await goal_values.figure_rows(conn, ids, now=now, audience=audience)

    where = engine.url.render_as_string(hide_password=True)
    return await SHARED_FIGURES.read((where, audience, ids), (data, int(now.timestamp() // FIGURES_WINDOW)), compute)
