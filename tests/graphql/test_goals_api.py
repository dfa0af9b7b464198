"""Shared goals through GraphQL: who creates, edits and reads them; lists, filters and node lookups."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from db import tables as t
from tests.graphql.goal_ops import GOAL_UPDATE, create_goal, fetch_goal, goal_titles, key_result
from tests.graphql.request_ops import act, gid, ok
from tests.support.org import Org
from tests.support.statements import count_statements


async def test_a_manager_creates_a_goal_for_their_department_together_with_others(api, org: Org):
    # given
    scope = {"serviceIds": [org.gid("Service", "laptops")], "departmentIds": [org.gid("Department", "it")]}
    # when
    goal = await create_goal(
        api,
        org,
        title="New hires productive on day 1",
        description="  Shared  ",
        key_results=[
            key_result("SLA_COMPLIANCE_RATE", 0.9, title="Laptops in time", scope=scope),
            key_result("OPEN_BACKLOG", 5),
        ],
    )
    # then
    assert goal["title"] == "New hires productive on day 1"
    assert goal["description"] == "Shared"
    assert goal["version"] == 1
    assert [d["name"] for d in goal["departments"]] == ["Facilities", "HR", "IT"]
    sla, backlog = goal["keyResults"]
    assert (sla["metric"], sla["direction"], sla["target"]) == ("SLA_COMPLIANCE_RATE", "AT_LEAST", 0.9)
    assert sla["scope"] == {
        "services": [{"name": "Laptops"}],
        "requestTypes": [],
        "departments": [{"name": "IT"}],
        "journeyMap": None,
    }
    assert (backlog["metric"], backlog["direction"]) == ("OPEN_BACKLOG", "AT_MOST")
    assert [c["department"]["name"] for c in sla["byDepartment"]] == ["IT"]
    assert [c["department"]["name"] for c in backlog["byDepartment"]] == ["Facilities", "HR", "IT"]


async def test_creating_a_goal_records_an_event_for_its_departments(api, org: Org):
    # when
    goal = await create_goal(api, org, departments=("it", "hr"))
    # then
    async with api.engine.connect() as conn:
        event = (await conn.execute(select(t.events).where(t.events.c.type == "SharedGoalCreated"))).one()
    assert event.department_ids == sorted([org.departments["it"], org.departments["hr"]])
    assert event.actor_id == org.it_manager.id
    assert goal["id"]


async def test_goal_events_are_on_the_participating_departments_timeline(api, org: Org):
    # given
    goal = await create_goal(api, org, departments=("it", "hr"))
    ok(await act(api, org.hr_manager, GOAL_UPDATE, id=goal["id"], expectedVersion=1, title="Faster"), "sharedGoal")
    async with api.engine.connect() as conn:
        seqs = [
            r.seq
            for r in await conn.execute(
                select(t.events.c.seq).where(t.events.c.type.like("SharedGoal%")).order_by(t.events.c.seq)
            )
        ]
    event_ids = [gid("Event", seq) for seq in seqs]
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Event { type summary actor { email } } } }"
    # when
    seen_by_hr = (await api.ok(query, org.hr_agent, ids=event_ids))["nodes"]
    seen_by_facilities = (await api.ok(query, org.fac_agent, ids=event_ids))["nodes"]
    # then
    assert seen_by_hr == [
        {
            "type": "SharedGoalCreated",
            "summary": "Set shared goal Resolve within a working day",
            "actor": {"email": "it.manager@example.com"},
        },
        {
            "type": "SharedGoalUpdated",
            "summary": "Changed shared goal Faster: title",
            "actor": {"email": "hr.manager@example.com"},
        },
    ]
    assert seen_by_facilities == [None, None]


async def test_everyone_in_a_participating_department_reads_the_goal_and_nobody_else(api, org: Org):
    # given
    goal = await create_goal(api, org, departments=("it", "hr"))
    # then
    for reader in (org.it_agent, org.it_manager, org.hr_agent, org.hr_manager, org.admin):
        assert (await fetch_goal(api, reader, goal["id"]))["id"] == goal["id"], reader.email
        assert await goal_titles(api, reader) == ["Resolve within a working day"], reader.email
    for outsider in (org.fac_agent, org.employee):
        assert await fetch_goal(api, outsider, goal["id"]) is None, outsider.email
        assert await goal_titles(api, outsider) == [], outsider.email


async def test_any_participating_manager_edits_the_goal(api, org: Org):
    # given: IT's manager set it up with HR
    goal = await create_goal(
        api,
        org,
        departments=("it", "hr"),
        key_results=[key_result("P90_RESOLUTION_HOURS", 8), key_result("OPEN_BACKLOG", 5)],
    )
    p90, backlog = goal["keyResults"]
    # when: HR's manager tightens the target, drops the backlog and adds CSAT
    updated = ok(
        await act(
            api,
            org.hr_manager,
            GOAL_UPDATE,
            id=goal["id"],
            expectedVersion=1,
            title="Resolve within half a day",
            keyResults=[
                key_result("P90_RESOLUTION_HOURS", 4, id=p90["id"], title="P90"),
                key_result("CSAT_AVERAGE", 4.2),
            ],
        ),
        "sharedGoal",
    )
    # then
    assert updated["title"] == "Resolve within half a day"
    assert updated["version"] == 2
    kept, added = updated["keyResults"]
    assert (kept["id"], kept["title"], kept["target"]) == (p90["id"], "P90", 4.0)
    assert added["metric"] == "CSAT_AVERAGE" and added["id"] not in (p90["id"], backlog["id"])


async def test_an_update_that_changes_nothing_keeps_the_version(api, org: Org):
    # given
    goal = await create_goal(api, org)
    # when
    updated = ok(
        await act(api, org.it_manager, GOAL_UPDATE, id=goal["id"], expectedVersion=1, title=goal["title"]), "sharedGoal"
    )
    # then
    assert updated["version"] == 1


async def test_goals_filter_by_department_period_and_title(api, org: Org):
    # given
    await create_goal(api, org, title="IT and HR in December", departments=("it", "hr"))
    await create_goal(
        api,
        org,
        title="IT alone in January",
        departments=("it",),
        periodStart="2027-01-01T00:00:00Z",
        periodEnd="2027-02-01T00:00:00Z",
    )
    # then: latest periods first
    assert await goal_titles(api, org.admin) == ["IT alone in January", "IT and HR in December"]
    assert await goal_titles(api, org.admin, filter={"departmentId": org.gid("Department", "hr")}) == [
        "IT and HR in December"
    ]
    assert await goal_titles(api, org.admin, filter={"activeAt": "2027-01-15T00:00:00Z"}) == ["IT alone in January"]
    assert await goal_titles(api, org.admin, filter={"search": "alone"}) == ["IT alone in January"]
    assert await goal_titles(api, org.admin, filter={"departmentId": "bogus"}) == []


async def test_goals_page_with_cursors(api, org: Org):
    # given
    for month in (1, 2, 3):
        start = datetime(2027, month, 1, tzinfo=UTC)
        await create_goal(
            api, org, title=f"Month {month}", periodStart=start.isoformat(), periodEnd=start.replace(day=28).isoformat()
        )
    # when
    first = (
        await api.ok(
            """{ sharedGoals(first: 2) { totalCount pageInfo { hasNextPage endCursor }
                            edges { node { title } } } }""",
            org.admin,
        )
    )["sharedGoals"]
    rest = (
        await api.ok(
            """query($after: String) { sharedGoals(first: 2, after: $after) {
                            pageInfo { hasNextPage } edges { node { title } } } }""",
            org.admin,
            after=first["pageInfo"]["endCursor"],
        )
    )["sharedGoals"]
    # then
    assert first["totalCount"] == 3
    assert [e["node"]["title"] for e in first["edges"]] == ["Month 3", "Month 2"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["title"] for e in rest["edges"]] == ["Month 1"]
    assert rest["pageInfo"]["hasNextPage"] is False


WALLBOARD = """{ sharedGoals(first: 20) { totalCount edges { node {
  title progress status departments { name }
  keyResults { title current sampleSize progress status
    scope { services { name } requestTypes { name } departments { name } }
    byDepartment { department { name } current sampleSize } } } } } }"""


async def test_a_wallboard_of_goals_costs_the_same_statements_for_one_goal_or_many(api, org: Org):
    # given
    laptops = {"serviceIds": [org.gid("Service", "laptops")], "requestTypeIds": [org.gid("RequestType", "new_laptop")]}
    key_results = [
        key_result("SLA_COMPLIANCE_RATE", 0.9, scope=laptops),
        key_result("OPEN_BACKLOG", 3),
        key_result("P90_RESOLUTION_HOURS", 8),
    ]
    await create_goal(api, org, key_results=key_results)
    with count_statements(api.engine) as one:
        await api.ok(WALLBOARD, org.admin)
    for i in range(5):
        await create_goal(api, org, title=f"Goal {i}", key_results=key_results)
    # when
    with count_statements(api.engine) as six:
        data = await api.ok(WALLBOARD, org.admin)
    # then
    assert data["sharedGoals"]["totalCount"] == 6
    assert six.count == one.count


async def test_a_period_end_without_an_offset_is_taken_as_utc(api, org: Org):
    # when
    goal = await create_goal(api, org, periodStart="2026-12-01T00:00:00+02:00", periodEnd="2026-12-31T00:00:00")
    # then
    assert (goal["periodStart"], goal["periodEnd"]) == ("2026-11-30T22:00:00+00:00", "2026-12-31T00:00:00+00:00")


async def test_two_managers_updating_at_once_from_the_same_version_one_wins(api, org: Org):
    # given
    goal = await create_goal(api, org, departments=("it", "hr"))
    # when
    payloads = await asyncio.gather(
        *(
            act(api, manager, GOAL_UPDATE, id=goal["id"], expectedVersion=1, title=f"Set by {manager.name}")
            for manager in (org.it_manager, org.hr_manager)
        )
    )
    # then
    assert sorted(tuple(e["code"] for e in p["userErrors"]) for p in payloads) == [(), ("STALE_VERSION",)]
    (winner,) = [p["sharedGoal"] for p in payloads if not p["userErrors"]]
    assert winner["version"] == 2
