"""The demo organisation: built through the real handlers, only into an empty database,
the same every time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from api.demo import seed_demo_if_empty
from domain.workflow import RequestStatus
from schema import ids
from tests.support.database import snapshot, truncate_all

NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
async def seeded(engine, database_url):
    """Seeding takes seconds, so the module seeds once and its tests only read."""
    await truncate_all(engine)
    return await seed_demo_if_empty(database_url, now=NOW)


async def rows(engine, sql: str) -> list:
    async with engine.connect() as conn:
        return list(await conn.execute(text(sql)))


async def scalar(engine, sql: str):
    (row,) = await rows(engine, sql)
    return row[0]


async def test_seeding_an_empty_database_creates_the_accounts_people_sign_in_with(seeded, engine):
    # given an empty database / when seeded
    assert seeded is True
    # then the documented accounts exist with their roles and departments
    people = {
        r.email: (r.role, r.slug)
        for r in await rows(
            engine,
            """
        select p.email, p.role, d.slug from people p left join departments d on d.id = p.department_id""",
        )
    }
    assert {
        email: people[email]
        for email in (
            "admin@example.com",
            "employee@example.com",
            "it.agent@example.com",
            "it.manager@example.com",
            "facilities.agent@example.com",
            "hr.agent@example.com",
            "finance.agent@example.com",
            "facilities.manager@example.com",
            "hr.manager@example.com",
            "finance.manager@example.com",
        )
    } == {
        "admin@example.com": ("ADMIN", None),
        "employee@example.com": ("REQUESTER", None),
        "it.agent@example.com": ("AGENT", "it"),
        "it.manager@example.com": ("MANAGER", "it"),
        "facilities.agent@example.com": ("AGENT", "facilities"),
        "hr.agent@example.com": ("AGENT", "hr"),
        "finance.agent@example.com": ("AGENT", "finance"),
        "facilities.manager@example.com": ("MANAGER", "facilities"),
        "hr.manager@example.com": ("MANAGER", "hr"),
        "finance.manager@example.com": ("MANAGER", "finance"),
    }
    assert 35 <= len(people) <= 45
    assert {r.slug for r in await rows(engine, "select slug from departments")} == {"it", "facilities", "hr", "finance"}


async def test_the_catalog_has_every_field_kind_slas_and_work_fanned_out_to_other_departments(seeded, engine):
    services = await rows(
        engine,
        """
        select s.owner_department_id, count(c.department_id) as collaborators
        from services s left join service_collaborators c on c.service_id = s.id group by s.id""",
    )
    assert len(services) >= 12
    assert len({s.owner_department_id for s in services}) == 4
    assert any(s.collaborators for s in services)
    types = await rows(
        engine,
        """
        select rt.fields, rt.response_minutes, rt.task_templates, s.owner_department_id
        from request_types rt join services s on s.id = rt.service_id""",
    )
    fields = [f for t in types for f in t.fields]
    assert {f["kind"] for f in fields} == {"TEXT", "NUMBER", "DATE", "CHOICE", "PERSON"}
    assert all(f["options"] for f in fields if f["kind"] == "CHOICE")
    assert {f["required"] for f in fields} == {True, False}
    assert all(t.response_minutes for t in types)
    fanned_out = [t for t in types if any(tt["department_id"] != t.owner_department_id for tt in t.task_templates)]
    assert any(len({tt["department_id"] for tt in t.task_templates}) >= 3 for t in fanned_out)


async def test_requests_cover_every_status_over_the_past_two_months(seeded, engine):
    statuses = {
        r.status: r.n
        for r in await rows(
            engine, "select status, count(*) as n from requests where journey_run_id is null group by 1"
        )
    }
    assert set(statuses) == {s.value for s in RequestStatus}
    assert 250 <= sum(statuses.values()) <= 350  # and journeys open their own (below)
    oldest, newest, last_event = (
        await rows(
            engine,
            """
        select min(created_at), max(created_at), (select max(occurred_at) from events) from requests""",
        )
    )[0]
    assert NOW - timedelta(days=65) <= oldest <= NOW - timedelta(days=50)
    assert newest <= last_event <= NOW
    # request numbers follow the order requests were raised in
    assert (
        await scalar(
            engine,
            """
        select count(*) from (select created_at < lag(created_at) over (order by number) as earlier
                              from requests) x where earlier""",
        )
        == 0
    )


async def test_the_history_is_collaborative(seeded, engine):
    assert await scalar(engine, "select count(*) from handoffs where from_department_id <> to_department_id") > 5
    comments = {r.internal: r.n for r in await rows(engine, "select internal, count(*) as n from comments group by 1")}
    assert comments[True] > 20 and comments[False] > 100
    # tasks done by departments other than the request's owner, in several departments
    other_departments = await rows(
        engine,
        """
        select distinct t.department_id from tasks t join requests r on r.id = t.request_id
        where t.status = 'DONE' and t.department_id <> r.owner_department_id""",
    )
    assert len(other_departments) >= 3
    assert await scalar(engine, "select count(*) from watchers") > 10
    assert await scalar(engine, "select count(distinct assignee_id) from requests") >= 8
    rated = {r.status for r in await rows(engine, "select status from requests where satisfaction_score is not null")}
    assert rated and rated <= {"RESOLVED", "CLOSED"}


async def test_the_event_log_tells_the_same_story_in_time_order(seeded, engine):
    types = {r.type for r in await rows(engine, "select distinct type from events")}
    assert {
        "RequestCreated",
        "RequestTransitioned",
        "RequestAssigned",
        "RequestHandedOff",
        "CommentAdded",
        "TaskCompleted",
        "TaskAdded",
        "WatcherAdded",
        "RequestRated",
        "RequestUpdated",
    } <= types
    assert (
        await scalar(
            engine,
            """
        select count(*) from requests r where not exists (
            select 1 from events e where e.request_id = r.id and e.type = 'RequestCreated')""",
        )
        == 0
    )
    assert (
        await scalar(
            engine,
            """
        select count(*) from (select occurred_at < lag(occurred_at) over (order by seq) as earlier
                              from events) x where earlier""",
        )
        == 0
    )
    # the SLA clock is paused exactly while a request waits on its requester
    assert (
        await scalar(
            engine,
            """
        select count(*) from requests
        where (sla_paused_at is not null) <> (status = 'WAITING_ON_REQUESTER')""",
        )
        == 0
    )


async def test_person_fields_name_real_people(seeded, engine):
    values = await rows(
        engine,
        """
        select r.fields ->> (f ->> 'key') as value
        from requests r join request_types rt on rt.id = r.request_type_id,
             jsonb_array_elements(rt.fields) f
        where f ->> 'kind' = 'PERSON' and r.fields ? (f ->> 'key')""",
    )
    people = {r.id for r in await rows(engine, "select id from people")}
    assert values
    assert all(ids.parse(v.value)[0] == "Person" and ids.parse(v.value)[1] in people for v in values)


async def test_seeding_again_returns_false_and_changes_nothing(seeded, engine, database_url):
    # given a seeded database
    before = await snapshot(engine)
    # when seeded again
    created = await seed_demo_if_empty(database_url, now=NOW + timedelta(days=1))
    # then nothing was written
    assert created is False
    assert await snapshot(engine) == before


async def test_the_demo_is_the_same_every_time(seeded, engine, database_url):
    # given the demo seeded at a moment
    first = await snapshot(engine)
    # when seeded afresh at the same moment
    await truncate_all(engine)
    assert await seed_demo_if_empty(database_url, now=NOW) is True
    # then every row is the same
    assert await snapshot(engine) == first


async def test_the_demo_has_shared_goals_measured_from_its_history(seeded, engine):
    from db.mapping import person_from_row
    from tests.support.api import Api

    (manager,) = await rows(engine, "select * from people where email = 'it.manager@example.com'")
    api = Api(engine)
    api.at(NOW)
    data = await api.ok(
        """{ sharedGoals(first: 10) { edges { node { title status departments { slug }
        keyResults { metric target current sampleSize status
          byDepartment { department { slug } sampleSize } } } } } }""",
        person_from_row(manager),
    )
    goals = {e["node"]["title"]: e["node"] for e in data["sharedGoals"]["edges"]}
    assert set(goals) == {"New hires productive on day 1", "Resolve within a working day"}
    assert {d["slug"] for d in goals["New hires productive on day 1"]["departments"]} == {"it", "hr", "facilities"}
    working_day = goals["Resolve within a working day"]
    assert [k["metric"] for k in working_day["keyResults"]] == [
        "P90_RESOLUTION_HOURS",
        "SLA_COMPLIANCE_RATE",
        "OPEN_BACKLOG",
        "CSAT_AVERAGE",
    ]
    for key_result in working_day["keyResults"]:
        assert key_result["sampleSize"] > 0, key_result
        assert key_result["sampleSize"] == sum(c["sampleSize"] for c in key_result["byDepartment"]), key_result


async def test_the_demo_has_an_onboarding_and_an_office_move_journey_with_months_of_runs(seeded, engine):
    maps = {r.name: r.id for r in await rows(engine, "select name, id from journey_maps where retired_at is null")}
    assert set(maps) == {"Employee onboarding", "Office move"}
    runs = {
        (r.map_id, r.status): r.n
        for r in await rows(
            engine,
            """
        select map_id, status, count(*) as n from journey_runs group by 1, 2""",
        )
    }
    assert 180 <= sum(runs.values()) <= 220
    for map_id in maps.values():
        assert runs[(map_id, "COMPLETED")] > 40 and runs.get((map_id, "ACTIVE"), 0) > 0
    assert sum(n for (_, status), n in runs.items() if status == "CANCELLED") > 0
    # every request a run opened is linked to it and raised for its sponsor
    assert (
        await scalar(
            engine,
            """
        select count(*) from journey_run_requests l join requests q on q.id = l.request_id
        join journey_runs r on r.id = l.run_id
        where q.journey_run_id <> r.id or q.requester_id <> r.sponsor_id""",
        )
        == 0
    )
    assert await scalar(engine, "select count(*) from requests where journey_run_id is not null") > 600
    # a completed run left every stage; an active one is in exactly one open stage
    assert (
        await scalar(
            engine,
            """
        select count(*) from journey_runs r where r.status = 'ACTIVE' and (
            select count(*) from journey_run_stages s where s.run_id = r.id and s.left_at is null) <> 1""",
        )
        == 0
    )


async def test_the_demo_journeys_measure_something_real(seeded, engine):
    from db.read.journey_analytics import analytics_by_map

    (onboarding,) = await rows(engine, "select id from journey_maps where name = 'Employee onboarding'")
    async with engine.connect() as conn:
        figures = (await analytics_by_map(conn, [onboarding.id]))[onboarding.id]
    assert 0 < figures.on_time_rate < 1
    medians = {position: stage.median_minutes for position, stage in figures.stages.items()}
    assert max(medians, key=lambda p: medians[p]) == 1  # IT's laptops: Equipment & access is the bottleneck
    assert {(h.from_position, h.to_position) for h in figures.hand_offs} == {(0, 1), (1, 2)}
