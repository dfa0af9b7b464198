"""Token expiries for every websocket on one timer: each fires once, in deadline order, unless
cancelled, and ended connections do not pile up."""

from __future__ import annotations

import asyncio

from api.ws_expiry import Deadlines


async def test_deadlines_fire_in_order_and_cancelled_ones_never_fire():
    deadlines = Deadlines()
    fired: list[str] = []
    deadlines.call_later(0.03, lambda: fired.append("late"))
    deadlines.call_later(0.01, lambda: fired.append("early"))
    gone = deadlines.call_later(0.02, lambda: fired.append("cancelled"))
    deadlines.call_later(0, lambda: fired.append("now"))
    deadlines.cancel(gone)
    await asyncio.sleep(0.1)
    assert fired == ["now", "early", "late"]
    assert len(deadlines) == 0


async def test_a_failing_callback_does_not_keep_the_others_from_firing():
    deadlines = Deadlines()
    fired: list[int] = []

    def broken() -> None:
        raise RuntimeError("boom")

    deadlines.call_later(0.01, broken)
    deadlines.call_later(0.01, lambda: fired.append(1))
    await asyncio.sleep(0.05)
    assert fired == [1]


async def test_ended_connections_are_dropped_from_the_heap():
    deadlines = Deadlines()
    keys = [deadlines.call_later(3600, lambda: None) for _ in range(1000)]
    for key in keys[:990]:
        deadlines.cancel(key)
    deadlines.call_later(3600, lambda: None)  # adding compacts once most entries are stale
    assert len(deadlines) == 11
    assert len(deadlines._heap) <= 2 * 11 + 1
