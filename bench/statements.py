"""What one operation costs the database: SQL statements, pool checkouts and round trips.

Each scenario's operation runs through the real app in this process (the same code the
server runs, auth included), against the benchmark database, behind a round-trip counting
proxy. Reads run again with a small page: their statement count must not change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import event

from api.app import create_app
from api.settings import Settings
from bench.in_process import asgi_sender
from bench.load import Operate
from bench.scenarios import Scenario
from bench.wire import RoundTripCounter
from tests.support.statements import count_all_statements

IN_PROCESS_SLOT = -1  # the transition scenario's own request for this count, apart from the workers'
SMALL_PAGE = 5


@dataclass(frozen=True)
class Cost:
    statements: int  # SQL the app executes (SQLAlchemy's cursor executions and on the driver directly)
    checkouts: int  # connections taken from the pool
    round_trips: int  # everything on the wire: statements, BEGIN/COMMIT/ROLLBACK, pre-pings
    statements_small_page: int | None = None  # the same read with SMALL_PAGE rows


async def count_costs(url: str, *, secret: str, scenarios: Sequence[Scenario]) -> dict[str, Cost]:
    proxy = RoundTripCounter(url)
    proxied_url = await proxy.start()
    app = create_app(Settings(database_url=proxied_url, tandem_secret=secret, tandem_log_level="WARNING"))
    engine = app.state.engine
    checkouts = [0]

    def on_checkout(*_: object) -> None:
        checkouts[0] += 1

    event.listen(engine.sync_engine.pool, "checkout", on_checkout)
    send = asgi_sender(app)

    async def measure(operate: Operate) -> Cost:
        # The first run opens connections and fills prepared-statement caches, as a warm server has.
        await operate(send, IN_PROCESS_SLOT)
        checkouts[0], proxy.round_trips = 0, 0
        async with count_all_statements(engine) as log:
            await operate(send, IN_PROCESS_SLOT)
        return Cost(statements=log.count, checkouts=checkouts[0], round_trips=proxy.round_trips)

    costs = {}
    try:
        for scenario in scenarios:
            if scenario.prepare is not None:
                await scenario.prepare(send, [IN_PROCESS_SLOT])
            cost = await measure(scenario.operate)
            if scenario.at_page_size is not None:
                small = await measure(scenario.at_page_size(SMALL_PAGE))
                cost = replace(cost, statements_small_page=small.statements)
            costs[scenario.name] = cost
    finally:
        await engine.dispose()
        await proxy.stop()
    return costs
