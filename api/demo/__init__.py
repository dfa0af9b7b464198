"""The demo organisation behind `tandem seed --demo` and `tandem serve --demo`.

Everything is made through the real domain handlers with historic timestamps, so SLA
clocks, versions and the event log are what live use would have produced. A fixed
random seed makes the demo the same on every machine (times are relative to `now`).
"""

from __future__ import annotations

import logging
import random
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from api.demo.catalog import build_catalog
from api.demo.goals import build_goals
from api.demo.journeys import build_maps, plan_runs
from api.demo.organisation import build_directory
from api.demo.playback import Playback
from api.demo.progress import DemoProgress
from api.demo.schedule import HISTORY, plan_requests
from db import tables as t
from db.engine import async_url

log = logging.getLogger("tandem.demo")

SEED = 1042
# Two processes started with --demo at once must not both seed: they take turns on this lock.
SEED_LOCK = 7_246_001
SETUP_BEFORE_HISTORY = timedelta(days=15)


async def seed_demo_if_empty(url: str, *, now: datetime | None = None) -> bool:
    """Create the demo organisation unless the database already has people; True if created."""
    # A short-lived engine whose connections cannot go stale: no pre-ping round trip for
    # each of the few thousand units of work the seed runs.
    # Commits need not wait for the disk: the seed is thousands of small transactions, and a crash
    # halfway leaves a partial demo whether or not the last few were flushed.
    engine = create_async_engine(
        async_url(url), pool_size=2, connect_args={"server_settings": {"synchronous_commit": "off"}}
    )
    try:
        async with engine.connect() as lock:
            await lock.execute(text("select pg_advisory_lock(:key)"), {"key": SEED_LOCK})
            try:
                if await _has_people(lock):
                    return False
                await seed_demo(engine, now=now or datetime.now(UTC))
                return True
            finally:
                await lock.execute(text("select pg_advisory_unlock(:key)"), {"key": SEED_LOCK})
    finally:
        await engine.dispose()


async def _has_people(conn: AsyncConnection) -> bool:
    count = (await conn.execute(select(func.count()).select_from(t.people))).scalar_one()
    await conn.rollback()  # do not hold a snapshot open while the seed writes
    return count > 0


async def seed_demo(engine: AsyncEngine, *, now: datetime) -> None:
    started = time.perf_counter()
    progress = DemoProgress()
    progress.setting_up()
    setup = now - HISTORY - SETUP_BEFORE_HISTORY
    directory = await build_directory(engine, at=setup)
    offerings = await build_catalog(engine, directory, at=setup + timedelta(days=1))
    maps = await build_maps(engine, directory, offerings, at=setup + timedelta(days=2))
    stories = plan_requests(directory, offerings, rng=random.Random(SEED), now=now)
    runs = plan_runs(directory, offerings, maps, rng=random.Random(SEED + 1), now=now)
    progress.playing(requests=len(stories), runs=len(runs))
    steps = await Playback(engine).play(stories + runs, on_step=progress.played)
    progress.goals()
    goals = await build_goals(engine, directory, offerings, now=now)
    log.info(
        "demo organisation created (100%)",
        extra={
            "people": len(directory.people),
            "request_types": len(offerings),
            "requests": len(stories),
            "journey_runs": len(runs),
            "steps": steps,
            "goals": len(goals),
            "seconds": round(time.perf_counter() - started, 1),
        },
    )
