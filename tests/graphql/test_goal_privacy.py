"""A shared goal's figures show each reader only what they may count (domain.goal_figures): work
they could see anyway, and the work of departments that accepted the goal, never a small
sample of work they could not see. Every path that delivers a goal shows the same."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from db.broker import EventBroker
from db.uow import SqlUnitOfWork
from domain import commands
from domain.handlers import catalog
from schema.context import Context
from schema.live.hub import EventHub
from tests.graphql.goal_ops import ERRORS, GOAL_UPDATE, create_goal, key_result
from tests.graphql.request_ops import HAND_OFF, RATE, act, fetch, move, ok, raise_request
from tests.support.api import SCHEMA
from tests.support.org import Org

T = datetime(2026, 12, 10, 9, tzinfo=UTC)
SECOND = timedelta(seconds=1)
FIGURES = """id version participation { department { name } status decidedBy { email } }
  keyResults { current sampleSize withheld coverage progress
    byDepartment { department { name } current sampleSize withheld participation coverage } }"""
CREATE = f"""mutation($input: SharedGoalCreateInput!) {{ sharedGoalCreate(input: $input) {{
  sharedGoal {{ {FIGURES} }} {ERRORS} }} }}"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on SharedGoal {{ {FIGURES} }} }} }}"
LIST = f"{{ sharedGoals(first: 10) {{ edges {{ node {{ {FIGURES} }} }} }} }}"
PROGRESS = f"subscription($goalId: ID!) {{ goalProgress(goalId: $goalId) {{ {FIGURES} }} }}"
ACCEPT = f"""mutation($input: SharedGoalParticipationAcceptInput!) {{ sharedGoalParticipationAccept(input: $input) {{
  sharedGoal {{ {FIGURES} }} {ERRORS} }} }}"""
DECLINE = f"""mutation($input: SharedGoalParticipationDeclineInput!) {{ sharedGoalParticipationDecline(input: $input) {{
  sharedGoal {{ {FIGURES} }} {ERRORS} }} }}"""
SERVICE_CREATE = """mutation($input: ServiceCreateInput!) { serviceCreate(input: $input) {
  service { id } userErrors { field code message } } }"""


@pytest.fixture
async def broker(db):
    broker = EventBroker(db)
    await broker.start(listen=False)
    yield broker
    await broker.stop()


async def rated(api, org: Org, *, agent, score: int, at: datetime, service: str = "payroll") -> dict:
    """A request raised and resolved half an hour before `at`, rated `score` at `at`."""
    api.at(at - timedelta(minutes=30))
    request = await move(
        api, agent, await raise_request(api, org, org.employee, service=service), "IN_PROGRESS", "RESOLVED"
    )
    api.at(at)
    ok(await act(api, org.employee, RATE, id=request["id"], score=score))
    return request


async def csat_goal(
    api, org: Org, *, start: datetime, end: datetime, departments=("it", "hr"), scope: tuple[str, ...] = ()
) -> dict:
    """IT's manager's goal with `departments`, one CSAT key result (scoped to `scope`'s departments)."""
    api.at(end + timedelta(hours=1))
    kr = key_result("CSAT_AVERAGE", 4, scope={"departmentIds": [org.gid("Department", d) for d in scope]})
    return await create_goal(
        api, org, departments=departments, periodStart=start.isoformat(), periodEnd=end.isoformat(), key_results=[kr]
    )


def figures(goal: dict) -> tuple:
    """(current, sampleSize, withheld, coverage) of the only key result."""
    (kr,) = goal["keyResults"]
    return kr["current"], kr["sampleSize"], kr["withheld"], kr["coverage"]


def part(goal: dict, department: str) -> tuple:
    """(current, sampleSize, withheld, participation, coverage) of one department's part."""
    (kr,) = goal["keyResults"]
    (found,) = [c for c in kr["byDepartment"] if c["department"]["name"] == department]
    return found["current"], found["sampleSize"], found["withheld"], found["participation"], found["coverage"]


async def read(api, viewer, goal_id: str) -> dict:
    return (await api.ok(NODE, viewer, id=goal_id))["node"]


async def accept(api, viewer, org: Org, goal: dict, department: str) -> dict:
    return ok(
        await act(
            api,
            viewer,
            ACCEPT,
            goalId=goal["id"],
            departmentId=org.gid("Department", department),
            expectedVersion=goal["version"],
        ),
        "sharedGoal",
    )


async def first_push(api, broker, viewer, goal_id: str, *, hub: EventHub | None = None) -> dict:
    broker.announce(max(api.commits))
    await broker.caught_up()
    context = Context(engine=api.engine, viewer=viewer, broker=broker, hub=hub, clock=api.clock)
    stream = await SCHEMA.subscribe(PROGRESS, variable_values={"goalId": goal_id}, context_value=context)
    try:
        result = await anext(stream)
    finally:
        await stream.aclose()
    assert result.errors is None, result.errors
    return result.data["goalProgress"]


async def test_the_one_second_csat_attack_reads_no_score_on_any_path(api, org: Org, broker):
    # given an HR request, which IT may not see, rated 2 at T
    await rated(api, org, agent=org.hr_agent, score=2, at=T)
    # when IT's manager sets a goal with HR, a CSAT key result scoped to HR, over the second of that rating
    api.at(T + timedelta(hours=1))
    payload = await act(
        api,
        org.it_manager,
        CREATE,
        title="Peek",
        departmentIds=[org.gid("Department", "it"), org.gid("Department", "hr")],
        periodStart=T.isoformat(),
        periodEnd=(T + SECOND).isoformat(),
        keyResults=[key_result("CSAT_AVERAGE", 4, scope={"departmentIds": [org.gid("Department", "hr")]})],
    )
    created = ok(payload, "sharedGoal")
    # then HR has not accepted, and no path shows IT's manager the score: they count only what IT may see
    nothing = (None, 0, None, "VISIBLE_WORK")
    listed = (await api.ok(LIST, org.it_manager))["sharedGoals"]["edges"][0]["node"]
    pushed = await first_push(api, broker, org.it_manager, created["id"])
    for goal in (created, await read(api, org.it_manager, created["id"]), listed, pushed):
        assert figures(goal) == nothing
        assert part(goal, "HR") == (None, 0, None, "INVITED", "VISIBLE_WORK")
        assert goal["keyResults"][0]["progress"] == 0
    # while an admin, who may see the request anyway, reads it exactly
    assert figures(await read(api, org.admin, created["id"])) == (2.0, 1, None, "ALL_WORK")


async def test_once_hr_accepts_one_rating_is_still_withheld(api, org: Org):
    # given the same goal, and HR's manager accepting it
    await rated(api, org, agent=org.hr_agent, score=2, at=T)
    goal = await csat_goal(api, org, start=T, end=T + SECOND, scope=("hr",))
    accepted = await accept(api, org.hr_manager, org, goal, "hr")
    assert part(accepted, "HR")[3:] == ("ACCEPTED", "ALL_WORK")
    # then IT's manager counts HR's rating, but one rating is no figure to share
    read_back = await read(api, org.it_manager, goal["id"])
    assert figures(read_back) == (None, None, "SMALL_SAMPLE", "ALL_WORK")
    assert part(read_back, "HR") == (None, None, "SMALL_SAMPLE", "ACCEPTED", "ALL_WORK")
    assert read_back["keyResults"][0]["progress"] == 0


async def test_an_accepting_departments_figures_show_from_five_samples(api, org: Org):
    # given four HR ratings on 10 December, and a goal over that day with HR
    for i, score in enumerate((5, 4, 4, 3)):
        await rated(api, org, agent=org.hr_agent, score=score, at=T + i * timedelta(hours=1))
    goal = await csat_goal(api, org, start=T, end=T + timedelta(days=1))
    # then until HR accepts, IT's manager counts none of them
    assert part(await read(api, org.it_manager, goal["id"]), "HR") == (None, 0, None, "INVITED", "VISIBLE_WORK")
    # when HR accepts: four are too few
    await accept(api, org.hr_manager, org, goal, "hr")
    assert part(await read(api, org.it_manager, goal["id"]), "HR") == (
        None,
        None,
        "SMALL_SAMPLE",
        "ACCEPTED",
        "ALL_WORK",
    )
    # and with a fifth they show, to IT's manager and agents alike
    await rated(api, org, agent=org.hr_agent, score=5, at=T + timedelta(hours=5))
    api.at(T + timedelta(days=2))
    for viewer in (org.it_manager, org.it_agent):
        shown = await read(api, viewer, goal["id"])
        assert part(shown, "HR") == (pytest.approx(4.2), 5, None, "ACCEPTED", "ALL_WORK")
        assert figures(shown) == (pytest.approx(4.2), 5, None, "ALL_WORK")  # IT accepted by creating it


async def test_a_department_reads_its_own_small_figures(api, org: Org):
    # given one IT rating and a goal of IT's alone
    await rated(api, org, agent=org.it_agent, score=3, at=T, service="laptops")
    goal = await csat_goal(api, org, start=T, end=T + SECOND, departments=("it",))
    # then IT reads it: it could see that request anyway
    assert figures(await read(api, org.it_agent, goal["id"])) == (3.0, 1, None, "ALL_WORK")


async def test_a_total_is_withheld_when_it_would_give_a_withheld_part_away(api, org: Org):
    # given five IT ratings (IT sees them) and one HR rating, HR having accepted the goal
    for i in range(5):
        await rated(api, org, agent=org.it_agent, score=4, at=T + i * timedelta(hours=1), service="laptops")
    await rated(api, org, agent=org.hr_agent, score=1, at=T + timedelta(hours=6))
    goal = await csat_goal(api, org, start=T, end=T + timedelta(days=1))
    await accept(api, org.hr_manager, org, goal, "hr")
    # then IT's part shows, HR's is withheld, and so is the total: (6 x total - 5 x IT) would be HR's rating
    shown = await read(api, org.it_manager, goal["id"])
    assert part(shown, "IT") == (4.0, 5, None, "ACCEPTED", "ALL_WORK")
    assert part(shown, "HR")[:3] == (None, None, "SMALL_SAMPLE")
    assert figures(shown) == (None, None, "COMPLEMENT", "ALL_WORK")
    # while an admin reads every figure
    assert figures(await read(api, org.admin, goal["id"])) == (pytest.approx(21 / 6), 6, None, "ALL_WORK")


async def test_withheld_parts_holding_five_samples_together_leave_the_total_shown(api, org: Org):
    # given a Facilities service, two HR ratings and three Facilities ones, both departments accepting
    org.services["desks"] = await catalog.create_service(
        commands.CreateService(name="Desks", owner_department_id=org.departments["facilities"]),
        uow=SqlUnitOfWork(org.engine),
        actor=org.admin,
        now=T - timedelta(days=1),
    )
    for i, score in enumerate((5, 3)):
        await rated(api, org, agent=org.hr_agent, score=score, at=T + i * timedelta(hours=1))
    for i in range(3):
        await rated(api, org, agent=org.fac_agent, score=4, at=T + (3 + i) * timedelta(hours=1), service="desks")
    goal = await csat_goal(api, org, start=T, end=T + timedelta(days=1), departments=("it", "hr", "facilities"))
    await accept(api, org.hr_manager, org, goal, "hr")
    goal = await accept(api, org.admin, org, goal, "facilities")  # Facilities has no manager: an admin speaks
    # then IT's manager sees neither part, but their five together: no one rating can be told apart
    shown = await read(api, org.it_manager, goal["id"])
    assert part(shown, "HR")[:3] == part(shown, "Facilities")[:3] == (None, None, "SMALL_SAMPLE")
    assert figures(shown) == (pytest.approx(4.0), 5, None, "ALL_WORK")


async def test_a_request_handed_away_counts_as_its_new_owners_work(api, org: Org):
    # given a laptop request IT handed to HR, which HR resolved and the employee rated
    api.at(T - timedelta(hours=2))
    request = await raise_request(api, org, org.employee)
    handed = await act(
        api,
        org.it_agent,
        HAND_OFF,
        id=request["id"],
        toDepartmentId=org.gid("Department", "hr"),
        reason="Payroll question really",
        expectedVersion=request["version"],
    )
    assert handed["userErrors"] == []
    request = await move(api, org.hr_agent, await fetch(api, org.hr_agent, request["id"]), "RESOLVED")
    api.at(T)
    ok(await act(api, org.employee, RATE, id=request["id"], score=1))
    # then IT, which no longer sees it, does not count HR's rating of it
    goal = await csat_goal(api, org, start=T, end=T + SECOND)
    assert figures(await read(api, org.it_manager, goal["id"])) == (None, 0, None, "VISIBLE_WORK")


async def test_changing_what_a_goal_measures_asks_the_departments_again(api, org: Org):
    # given five HR ratings and a goal HR accepted
    for i in range(5):
        await rated(api, org, agent=org.hr_agent, score=4, at=T + i * timedelta(hours=1))
    goal = await csat_goal(api, org, start=T, end=T + timedelta(days=1))
    goal = await accept(api, org.hr_manager, org, goal, "hr")
    assert part(await read(api, org.it_manager, goal["id"]), "HR")[:2] == (4.0, 5)
    # when IT's manager renames it, HR's acceptance stands
    goal = ok(
        await act(api, org.it_manager, GOAL_UPDATE, id=goal["id"], expectedVersion=goal["version"], title="Happier"),
        "sharedGoal",
    )
    assert part(await read(api, org.it_manager, goal["id"]), "HR")[:4] == (4.0, 5, None, "ACCEPTED")
    # when IT's manager narrows the period to the first two ratings, HR is asked again
    goal = ok(
        await act(
            api,
            org.it_manager,
            GOAL_UPDATE,
            id=goal["id"],
            expectedVersion=goal["version"],
            periodEnd=(T + timedelta(hours=1, seconds=1)).isoformat(),
        ),
        "sharedGoal",
    )
    after = await read(api, org.it_manager, goal["id"])
    assert part(after, "HR") == (None, 0, None, "INVITED", "VISIBLE_WORK")
    assert {p["department"]["name"]: p["status"] for p in after["participation"]} == {"HR": "INVITED", "IT": "ACCEPTED"}


async def test_a_declining_department_stops_sharing(api, org: Org):
    # given five HR ratings and a goal HR accepted
    for i in range(5):
        await rated(api, org, agent=org.hr_agent, score=4, at=T + i * timedelta(hours=1))
    goal = await accept(api, org.hr_manager, org, await csat_goal(api, org, start=T, end=T + timedelta(days=1)), "hr")
    # when HR's manager declines it after all
    declined = ok(
        await act(api, org.hr_manager, DECLINE, goalId=goal["id"], departmentId=org.gid("Department", "hr")),
        "sharedGoal",
    )
    # then IT counts none of HR's work again; HR itself still reads its own
    assert {p["department"]["name"]: (p["status"], p["decidedBy"]["email"]) for p in declined["participation"]} == {
        "HR": ("DECLINED", "hr.manager@example.com"),
        "IT": ("ACCEPTED", "it.manager@example.com"),
    }
    assert part(await read(api, org.it_manager, goal["id"]), "HR") == (None, 0, None, "DECLINED", "VISIBLE_WORK")
    assert part(await read(api, org.hr_agent, goal["id"]), "HR")[:3] == (4.0, 5, None)


async def test_subscribers_of_one_goal_in_different_departments_do_not_share_figures(api, org: Org, broker):
    # given the one-second goal on an HR rating, watched through one hub by an admin, then by IT's manager
    await rated(api, org, agent=org.hr_agent, score=2, at=T)
    goal = await csat_goal(api, org, start=T, end=T + SECOND, scope=("hr",))
    hub = EventHub(broker)
    # then each is pushed what they may count, though their reads are shared per audience
    assert figures(await first_push(api, broker, org.admin, goal["id"], hub=hub)) == (2.0, 1, None, "ALL_WORK")
    assert figures(await first_push(api, broker, org.it_manager, goal["id"], hub=hub)) == (
        None,
        0,
        None,
        "VISIBLE_WORK",
    )


async def test_an_acceptance_is_pushed_to_the_goals_subscribers(api, org: Org, broker):
    # given five HR ratings, and IT's manager watching a goal HR has not accepted
    for i in range(5):
        await rated(api, org, agent=org.hr_agent, score=4, at=T + i * timedelta(hours=1))
    goal = await csat_goal(api, org, start=T, end=T + timedelta(days=1))
    broker.announce(max(api.commits))
    await broker.caught_up()
    context = Context(engine=api.engine, viewer=org.it_manager, broker=broker, clock=api.clock)
    stream = await SCHEMA.subscribe(PROGRESS, variable_values={"goalId": goal["id"]}, context_value=context)
    try:
        assert part((await anext(stream)).data["goalProgress"], "HR")[:4] == (None, 0, None, "INVITED")
        # when HR's manager accepts
        await accept(api, org.hr_manager, org, goal, "hr")
        broker.announce(max(api.commits))
        # then HR's figures are pushed
        pushed = (await asyncio.wait_for(anext(stream), 10)).data["goalProgress"]
        assert part(pushed, "HR") == (4.0, 5, None, "ACCEPTED", "ALL_WORK")
    finally:
        await stream.aclose()
