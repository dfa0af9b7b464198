"""`changes`: the loop behind every "push X when it changes" subscription.

It yields once at once (the initial value), then after committed events that concern the
subscriber, coalescing bursts to at most one push per `min_interval` seconds; the last change
of a burst is never dropped. Events arrive from the process's broker, so a change committed by
any process counts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from schema.context import Info
from schema.errors import ApiError

Concerns = Callable[[Any], bool]


class LiveUnavailable(ApiError):
    def __init__(self) -> None:
        super().__init__("Live updates are not available on this connection.", "LIVE_UNAVAILABLE")


async def changes(info: Info, *, concerns: Concerns, min_interval: float = 0.25) -> AsyncIterator[None]:
    context = info.context
    broker = context.broker
    if broker is None:
        raise LiveUnavailable()
    changed = asyncio.Event()

    async def on_events(batch: Sequence[Any]) -> None:
        if any(concerns(event) for event in batch):
            changed.set()

    unsubscribe = broker.subscribe(on_events)
    loop = asyncio.get_running_loop()
    try:
        context.refresh()
        yield
        last_push = loop.time()
        while True:
            await changed.wait()
            # Wait out the rest of the interval so a burst becomes one push; clearing only then
            # means a change that lands while we wait is part of this push, not lost.
            await asyncio.sleep(max(0.0, last_push + min_interval - loop.time()))
            changed.clear()
            context.refresh()
            yield
            last_push = loop.time()
    finally:
        unsubscribe()
