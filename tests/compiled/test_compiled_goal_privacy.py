"""The compiled read path shows a shared goal's figures exactly as normal execution does: each
reader counts only the work they could see and the work of departments that accepted the goal,
never a small sample of work they could not see (domain.goal_figures), byte for byte, at the
call's clock. The cases are tests/graphql/test_goal_privacy.py's, read through both paths."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from db import tables as t
from schema import ids
from tests.graphql.goal_ops import create_goal, key_result
from tests.graphql.test_goal_journeys import MARCH, onboarding  # noqa: F401 - a fixture
from tests.graphql.test_goal_privacy import FIGURES, SECOND, T, accept, csat_goal, figures, part, rated
from tests.graphql.test_journey_analytics import DAY0
from tests.support.compiled import both
from tests.support.org import Org

# Both ways a goal compiles: as a node (its figures worked out in the statement), and in the list
# (its figures read first, shared with other readers: schema.goals.shared_figures).
GOAL = f"""query($id: ID!) {{ node(id: $id) {{ ... on SharedGoal {{ {FIGURES} progress status }} }}
  sharedGoals(first: 5) {{ edges {{ node {{ {FIGURES} progress status }} }} }} }}"""
VIEWERS = ("admin", "it_manager", "it_agent", "hr_agent", "fac_agent", "employee")


async def read_both(api, org: Org, viewer: str) -> dict | None:
    """The viewer's only goal, compiled, after checking normal execution answers the same bytes,
    and the list the same goal as the node."""
    async with org.engine.connect() as conn:
        (goal_id,) = (await conn.execute(select(t.shared_goals.c.id))).scalars().all()
    variables = {"id": ids.encode("SharedGoal", goal_id)}
    normal, compiled = await both(api.engine, GOAL, getattr(org, viewer), variables, at=api.clock())
    assert compiled.compiled and not normal.compiled
    assert compiled.body == normal.body, viewer
    data = json.loads(compiled.body)["data"]
    listed = [edge["node"] for edge in data["sharedGoals"]["edges"]]
    assert listed == ([data["node"]] if data["node"] is not None else []), viewer
    return data["node"]


async def every_viewer(api, org: Org) -> dict[str, dict | None]:
    return {viewer: await read_both(api, org, viewer) for viewer in VIEWERS}


async def test_the_one_second_csat_attack_reads_no_score_compiled(api, org: Org):
    # given an HR rating, and IT's manager's goal over its second, scoped to HR (not accepted)
    await rated(api, org, agent=org.hr_agent, score=2, at=T)
    await csat_goal(api, org, start=T, end=T + SECOND, scope=("hr",))
    # when each viewer reads it through both paths
    read = await every_viewer(api, org)
    # then IT counts nothing of HR's, the admin and HR read the score, requesters see no goal
    assert figures(read["it_manager"]) == figures(read["it_agent"]) == (None, 0, None, "VISIBLE_WORK")
    assert part(read["it_manager"], "HR") == (None, 0, None, "INVITED", "VISIBLE_WORK")
    assert read["it_manager"]["keyResults"][0]["progress"] == 0
    assert figures(read["admin"]) == (2.0, 1, None, "ALL_WORK")
    assert figures(read["hr_agent"]) == (2.0, 1, None, "VISIBLE_WORK")
    assert read["fac_agent"] is None and read["employee"] is None


async def test_one_accepted_rating_is_withheld_compiled(api, org: Org):
    # given the same goal, HR having accepted it
    await rated(api, org, agent=org.hr_agent, score=2, at=T)
    goal = await csat_goal(api, org, start=T, end=T + SECOND, scope=("hr",))
    await accept(api, org.hr_manager, org, goal, "hr")
    # then IT counts HR's rating, but one rating is no figure to share, nor any progress
    read = await every_viewer(api, org)
    assert figures(read["it_manager"]) == (None, None, "SMALL_SAMPLE", "ALL_WORK")
    assert part(read["it_manager"], "HR") == (None, None, "SMALL_SAMPLE", "ACCEPTED", "ALL_WORK")
    assert read["it_manager"]["keyResults"][0]["progress"] == 0
    assert figures(read["hr_agent"]) == (2.0, 1, None, "ALL_WORK")


async def test_a_total_that_would_give_a_part_away_is_withheld_compiled(api, org: Org):
    # given five IT ratings and one HR rating, HR having accepted the goal
    for i in range(5):
        await rated(api, org, agent=org.it_agent, score=4, at=T + i * timedelta(hours=1), service="laptops")
    await rated(api, org, agent=org.hr_agent, score=1, at=T + timedelta(hours=6))
    goal = await csat_goal(api, org, start=T, end=T + timedelta(days=1))
    await accept(api, org.hr_manager, org, goal, "hr")
    # then IT's part shows, HR's is withheld, and so is the total
    read = await every_viewer(api, org)
    assert part(read["it_manager"], "IT") == (4.0, 5, None, "ACCEPTED", "ALL_WORK")
    assert part(read["it_manager"], "HR")[:3] == (None, None, "SMALL_SAMPLE")
    assert figures(read["it_manager"]) == (None, None, "COMPLEMENT", "ALL_WORK")
    # while the admin reads every figure, and the progress their total makes
    assert figures(read["admin"]) == (21 / 6, 6, None, "ALL_WORK")
    assert read["admin"]["keyResults"][0]["progress"] == 21 / 6 / 4


async def test_five_ratings_shown_once_the_period_is_over_compiled(api, org: Org):
    # given five HR ratings in a goal HR accepted, read after its period
    for i in range(5):
        await rated(api, org, agent=org.hr_agent, score=4, at=T + i * timedelta(hours=1))
    goal = await csat_goal(api, org, start=T, end=T + timedelta(days=1))
    await accept(api, org.hr_manager, org, goal, "hr")
    api.at(T + timedelta(days=2))
    # then IT reads HR's figures, and the goal is judged at the call's clock: over, target met
    read = await every_viewer(api, org)
    assert part(read["it_agent"], "HR") == (4.0, 5, None, "ACCEPTED", "ALL_WORK")
    assert (read["it_agent"]["progress"], read["it_agent"]["status"]) == (1.0, "ACHIEVED")
    # and in the middle of the period the same figures are on track
    api.at(T + timedelta(hours=12))
    assert (await read_both(api, org, "it_agent"))["status"] == "ON_TRACK"


async def test_journey_figures_compiled(api, org: Org, onboarding):  # noqa: F811 - the fixture
    # given the five onboarding runs (three completed: one on time), and a goal over them HR accepted
    kr = key_result("JOURNEY_ON_TIME_RATE", 0.9, scope={"journeyMapId": onboarding})
    goal = await create_goal(api, org, title="New hires productive on day 1", key_results=[kr], **MARCH)
    await accept(api, org.hr_manager, org, goal, "hr")
    api.at(DAY0 + timedelta(days=5))
    # then every viewer reads the same figures through both paths: a run once in the total, once
    # per department it involved
    read = await every_viewer(api, org)
    (on_time,) = read["it_agent"]["keyResults"]
    assert (on_time["current"], on_time["sampleSize"], on_time["coverage"]) == (
        pytest.approx(1 / 3),
        3,
        "VISIBLE_WORK",
    )
    parts = {c["department"]["name"]: (c["current"], c["sampleSize"]) for c in on_time["byDepartment"]}
    assert parts == {
        "Facilities": (pytest.approx(2 / 3), 3),
        "HR": (pytest.approx(2 / 3), 3),
        "IT": (pytest.approx(2 / 3), 3),
    }
    assert read["it_agent"]["status"] == "OFF_TRACK"
