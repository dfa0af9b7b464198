"""`goalProgress` through the real schema and event broker: pushed when work in its scope commits."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from db.broker import EventBroker
from schema.context import Context
from schema.live.hub import EventHub
from tests.graphql.goal_ops import GOAL_UPDATE, count_figure_computations, create_goal, key_result
from tests.graphql.request_ops import act, comment, move, ok, raise_request
from tests.support.api import SCHEMA
from tests.support.org import Org

PROGRESS = """subscription($goalId: ID!) { goalProgress(goalId: $goalId) {
  title status keyResults { current sampleSize byDepartment { department { name } sampleSize } } } }"""


@pytest.fixture
async def broker(db):
    broker = EventBroker(db)
    await broker.start(listen=False)
    yield broker
    await broker.stop()


class Subscription:
    """A running subscription whose pushes pile up in a queue while the test acts."""

    def __init__(self, stream: Any):
        self.received: asyncio.Queue = asyncio.Queue()
        self.task = asyncio.create_task(self._pump(stream))

    async def _pump(self, stream: Any) -> None:
        async for result in stream:
            await self.received.put(result)

    async def take(self, timeout: float = 10) -> Any:
        return await asyncio.wait_for(self.received.get(), timeout)

    async def nothing_more(self, wait: float = 0.7) -> bool:
        await asyncio.sleep(wait)
        return self.received.empty()

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


@contextlib.asynccontextmanager
async def subscribed(api, broker: EventBroker, viewer, goal_id: str, *, hub: EventHub | None = None):
    # Everything done before subscribing is handed out first, so it cannot count as a change.
    announced(api, broker)
    await broker.caught_up()
    context = Context(engine=api.engine, viewer=viewer, broker=broker, hub=hub)
    stream = await SCHEMA.subscribe(PROGRESS, variable_values={"goalId": goal_id}, context_value=context)
    subscription = Subscription(stream)
    try:
        yield subscription
    finally:
        await subscription.stop()


def announced(api, broker: EventBroker) -> None:
    """What the app's unit of work does after each commit: tell the broker."""
    broker.announce(max(api.commits))


def resolved(result) -> tuple[float, int]:
    assert result.errors is None, result.errors
    (key_result_now,) = result.data["goalProgress"]["keyResults"]
    return key_result_now["current"], key_result_now["sampleSize"]


async def _laptop_goal(api, org: Org) -> dict:
    now = datetime.now(UTC)
    return await create_goal(
        api,
        org,
        departments=("it",),
        periodStart=(now - timedelta(days=1)).isoformat(),
        periodEnd=(now + timedelta(days=30)).isoformat(),
        key_results=[key_result("REQUESTS_RESOLVED", 5, scope={"serviceIds": [org.gid("Service", "laptops")]})],
    )


async def test_a_resolution_in_scope_moves_the_goal_and_is_pushed(api, org: Org, broker):
    # given a request IT is working on, and a goal counting IT's laptop resolutions
    request = await move(api, org.it_agent, await raise_request(api, org, org.employee), "IN_PROGRESS")
    goal = await _laptop_goal(api, org)
    async with subscribed(api, broker, org.it_manager, goal["id"]) as live:
        assert resolved(await live.take()) == (0, 0)
        # when IT resolves it
        await move(api, org.it_agent, request, "RESOLVED")
        announced(api, broker)
        # then the goal is pushed, moved
        assert resolved(await live.take()) == (1, 1)


async def test_work_outside_the_scope_pushes_nothing(api, org: Org, broker):
    # given
    goal = await _laptop_goal(api, org)
    laptop = await raise_request(api, org, org.employee)
    async with subscribed(api, broker, org.it_manager, goal["id"]) as live:
        await live.take()
        # when HR works a payroll request, and someone comments on a laptop request
        payroll = await raise_request(api, org, org.employee, service="payroll")
        await move(api, org.hr_agent, payroll, "IN_PROGRESS", "RESOLVED")
        await comment(api, org.employee, laptop, "Any news?")
        announced(api, broker)
        await broker.caught_up()
        # then
        assert await live.nothing_more()


async def test_a_change_to_the_goal_itself_is_pushed(api, org: Org, broker):
    # given
    goal = await _laptop_goal(api, org)
    async with subscribed(api, broker, org.it_manager, goal["id"]) as live:
        await live.take()
        # when
        ok(
            await act(api, org.it_manager, GOAL_UPDATE, id=goal["id"], expectedVersion=1, title="Laptops fixed"),
            "sharedGoal",
        )
        announced(api, broker)
        # then
        assert (await live.take()).data["goalProgress"]["title"] == "Laptops fixed"


async def test_a_burst_of_resolutions_is_coalesced_and_the_last_one_is_not_lost(api, org: Org, broker):
    # given five requests in progress
    requests = [
        await move(api, org.it_agent, await raise_request(api, org, org.employee, title=f"Laptop {i}"), "IN_PROGRESS")
        for i in range(5)
    ]
    goal = await _laptop_goal(api, org)
    async with subscribed(api, broker, org.it_manager, goal["id"]) as live:
        await live.take()
        # when all five are resolved at once
        await asyncio.gather(*(move(api, org.it_agent, r, "RESOLVED") for r in requests))
        announced(api, broker)
        # then pushes keep coming until the last state, fewer than one per change
        pushes = [resolved(await live.take())]
        while pushes[-1] != (5, 5):
            pushes.append(resolved(await live.take()))
        assert len(pushes) < 5


async def test_a_goal_the_viewer_may_not_see_is_not_found(api, org: Org, broker):
    # given
    goal = await _laptop_goal(api, org)
    context = Context(engine=api.engine, viewer=org.hr_agent, broker=broker)
    # when
    stream = await SCHEMA.subscribe(PROGRESS, variable_values={"goalId": goal["id"]}, context_value=context)
    results = [r async for r in stream]
    # then
    assert [e.extensions["code"] for e in results[0].errors] == ["NOT_FOUND"]


async def test_a_journey_run_completing_is_pushed_to_a_journey_goal(api, org: Org, broker):
    from tests.graphql.journey_ops import MAP_CREATE, onboarding_input
    from tests.graphql.test_journey_analytics import DAY0, play
    from tests.support.journeys import add_journey_catalog

    # given an onboarding map and a goal on its on-time rate in March 2026
    await add_journey_catalog(org)
    api.at(DAY0 - timedelta(days=1))
    journey = ok(await act(api, org.admin, MAP_CREATE, **onboarding_input(org)), "journeyMap")["id"]
    goal = await create_goal(
        api,
        org,
        periodStart="2026-03-01T00:00:00Z",
        periodEnd="2026-04-01T00:00:00Z",
        key_results=[key_result("JOURNEY_ON_TIME_RATE", 0.9, scope={"journeyMapId": journey})],
    )
    async with subscribed(api, broker, org.hr_manager, goal["id"]) as live:
        assert resolved(await live.take()) == (None, 0)
        # when a run goes through every stage on time
        await play(api, org, journey, 0, contract=(10, 30), laptop=(40, 100), workplace=(35, 130))
        announced(api, broker)
        # then the completion is pushed
        pushes = [resolved(await live.take())]
        while pushes[-1] != (1.0, 1):
            pushes.append(resolved(await live.take()))


async def test_time_alone_moves_a_goal_and_the_next_tick_pushes_it(api, org: Org, broker, monkeypatch):
    from schema.goals import subscriptions

    monkeypatch.setattr(subscriptions, "TICK_SECONDS", 0.1)
    # given a goal of 10 resolutions over ten days, read on a clock the test moves, before it starts
    start = datetime(2026, 12, 1, tzinfo=UTC)
    clock = [start - timedelta(hours=1)]
    goal = await create_goal(
        api,
        org,
        periodStart=start.isoformat(),
        periodEnd=(start + timedelta(days=10)).isoformat(),
        key_results=[key_result("REQUESTS_RESOLVED", 10)],
    )
    announced(api, broker)
    await broker.caught_up()
    context = Context(engine=api.engine, viewer=org.it_manager, broker=broker, clock=lambda: clock[0])
    query = "subscription($goalId: ID!) { goalProgress(goalId: $goalId) { status } }"
    live = Subscription(await SCHEMA.subscribe(query, variable_values={"goalId": goal["id"]}, context_value=context))
    try:
        assert (await live.take()).data["goalProgress"]["status"] == "ON_TRACK"
        # ticks that find nothing changed push nothing
        assert await live.nothing_more(wait=0.5)
        # when half the period passes with nothing resolved
        clock[0] = start + timedelta(days=5)
        # then the next tick pushes it, off track
        assert (await live.take()).data["goalProgress"]["status"] == "OFF_TRACK"
    finally:
        await live.stop()


async def test_subscribers_of_one_goal_share_the_computation_of_its_values(api, org: Org, broker, monkeypatch):
    # given a goal watched by IT's manager and two agents, on a server whose subscriptions share reads
    request = await move(api, org.it_agent, await raise_request(api, org, org.employee), "IN_PROGRESS")
    goal = await _laptop_goal(api, org)
    computed = count_figure_computations(monkeypatch)
    hub = EventHub(broker)
    async with contextlib.AsyncExitStack() as stack:
        lives = [
            await stack.enter_async_context(subscribed(api, broker, viewer, goal["id"], hub=hub))
            for viewer in (org.it_manager, org.it_agent, org.it_agent2)
        ]
        for live in lives:
            assert resolved(await live.take()) == (0, 0)
        computed.clear()
        # when IT resolves the request
        await move(api, org.it_agent, request, "RESOLVED")
        announced(api, broker)
        # then all three are pushed the new value, computed once
        for live in lives:
            assert resolved(await live.take()) == (1, 1)
        assert computed == [1]
