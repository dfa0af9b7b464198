"""Key result figures are computed once for every reader who counts the same work, while the
database holds the same data and the clock stays within one window (schema.goals.shared_figures): a
write shows in the very next read, time moves them on, and each audience has its own."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from schema.goals.shared_figures import FIGURES_WINDOW
from tests.graphql.goal_ops import count_figure_computations, create_goal, key_result
from tests.graphql.request_ops import raise_request
from tests.support.compiled import answer
from tests.support.org import Org
from tests.support.statements import count_statements

GOAL_FIELDS = """id title progress status
  keyResults { metric current sampleSize status byDepartment { department { name } current } }"""
BOARD = f"{{ sharedGoals(first: 10) {{ edges {{ node {{ {GOAL_FIELDS} }} }} }} }}"
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on SharedGoal {{ {GOAL_FIELDS} }} }} }}"
# 16 December 2026, midnight: the start of a window of the clock.
READ_AT = datetime(2026, 12, 16, tzinfo=UTC)
FIGURES = "with kr as materialized"


def backlog(data: dict) -> float:
    (goal,) = data["sharedGoals"]["edges"]
    (figure,) = goal["node"]["keyResults"]
    return figure["current"]


async def board(api, viewer) -> tuple[dict, int]:
    """The board as `viewer` reads it, and how many times its figures were computed for it."""
    with count_statements(api.engine) as log:
        data = await api.ok(BOARD, viewer)
    return data, sum(FIGURES in s for s in log.statements)


async def a_backlog_goal(api, org: Org) -> None:
    api.at(datetime(2026, 12, 1, tzinfo=UTC))
    await raise_request(api, org, org.employee)
    await create_goal(api, org, key_results=[key_result("OPEN_BACKLOG", 5)])
    api.at(READ_AT)


async def test_readers_share_figures_until_a_write_commits(api, org: Org):
    # given a goal, read once
    await a_backlog_goal(api, org)
    first, computed = await board(api, org.it_agent)
    assert (backlog(first), computed) == (1.0, 1)
    # when read again, by the same agent and by another of their department, with nothing written
    again, computed_again = await board(api, org.it_agent)
    colleague, computed_for_colleague = await board(api, org.it_manager)
    # then the figures are the first read's, not computed again
    assert again == first and colleague["sharedGoals"] == first["sharedGoals"]
    assert computed_again == computed_for_colleague == 0
    # when a request is raised, then the next read computes again and counts it
    await raise_request(api, org, org.employee, title="Another")
    after_write, computed_after_write = await board(api, org.it_agent)
    assert (backlog(after_write), computed_after_write) == (2.0, 1)


async def test_figures_are_computed_again_once_the_clock_leaves_the_window(api, org: Org):
    # given a goal, read at the start of a window of the clock
    await a_backlog_goal(api, org)
    await board(api, org.it_agent)
    # when read later within the window, then past it
    api.at(READ_AT + timedelta(seconds=FIGURES_WINDOW - 1))
    _, within = await board(api, org.it_agent)
    api.at(READ_AT + timedelta(seconds=FIGURES_WINDOW))
    _, past = await board(api, org.it_agent)
    # then only the read past it computes
    assert (within, past) == (0, 1)


async def test_each_audience_counts_its_own_work(api, org: Org):
    # given a goal, read by an admin (who counts all work)
    await a_backlog_goal(api, org)
    _, for_admin = await board(api, org.admin)
    # when read by HR and IT staff, who count their own department's work and what is shared
    _, for_hr = await board(api, org.hr_agent)
    _, for_it = await board(api, org.it_agent)
    _, for_hr_again = await board(api, org.hr_manager)
    # then each audience computed its own figures once
    assert (for_admin, for_hr, for_it, for_hr_again) == (1, 1, 1, 0)


async def test_readers_at_once_wait_for_one_computation(api, org: Org):
    # given a goal nobody has read yet
    await a_backlog_goal(api, org)
    # when five readers of one department read it at once
    with count_statements(api.engine) as log:
        boards = await asyncio.gather(*(api.ok(BOARD, org.it_agent) for _ in range(5)))
    # then its figures were computed once, for all of them
    assert sum(FIGURES in s for s in log.statements) == 1
    assert all(b == boards[0] for b in boards) and backlog(boards[0]) == 1.0


async def test_the_compiled_list_reads_the_shared_figures_and_a_node_works_its_own_out(api, org: Org, monkeypatch):
    # given a goal whose one open request is counted, read through the compiled list
    await a_backlog_goal(api, org)
    computed = count_figure_computations(monkeypatch)
    listed = await answer(api.engine, BOARD, org.it_agent, compiled=True, clock=api.clock)
    assert listed.compiled and backlog(json.loads(listed.body)["data"]) == 1.0 and computed == [1]
    # when the request is closed by a write that appends no event (as a bulk load would)
    async with org.engine.begin() as conn:
        await conn.execute(text("update requests set status = 'CLOSED'"))
    # then the list shows the shared figure until the clock leaves its window, computing nothing
    again = await answer(api.engine, BOARD, org.it_agent, compiled=True, clock=api.clock)
    assert backlog(json.loads(again.body)["data"]) == 1.0 and computed == [1]
    # while the goal read as a node works its figures out in its statement: the request is gone
    (goal,) = json.loads(listed.body)["data"]["sharedGoals"]["edges"]
    node = await answer(api.engine, NODE, org.it_agent, {"id": goal["node"]["id"]}, compiled=True, clock=api.clock)
    assert node.compiled and json.loads(node.body)["data"]["node"]["keyResults"][0]["current"] == 0.0
    api.at(READ_AT + timedelta(seconds=FIGURES_WINDOW))
    later = await answer(api.engine, BOARD, org.it_agent, compiled=True, clock=api.clock)
    assert backlog(json.loads(later.body)["data"]) == 0.0 and computed == [1, 1]
