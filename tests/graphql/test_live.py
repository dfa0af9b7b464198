"""Subscriptions in-process: replay and live with no gap, shared rendering, visibility, wallboards."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from db import tables as t
from db.broker import EventBroker
from db.read.events import read_after, visible_events
from domain.access import can_see_event
from schema.events.types import event_cursor
from schema.live.audience import audience_for
from schema.live.hub import EventHub, audience_of
from tests.graphql.live_support import CountingRender, Inbox, LiveApi, join
from tests.graphql.request_ops import COMMENT_ADD, HAND_OFF, WATCH, act, gid, ok, raise_request
from tests.support.org import Org
from tests.support.statements import count_statements

EVENTS = "subscription($after: String, $requestId: ID) { events(after: $after, requestId: $requestId) { cursor type } }"
FEED = "subscription { events { cursor type summary request { number } } }"
ACTOR_FEED = "subscription { events { cursor type request { number title } actor { name } } }"


@pytest.fixture
async def live(db, org):
    broker = EventBroker(db)
    await broker.start(listen=False)  # commits here announce themselves; NOTIFY is tested elsewhere
    yield LiveApi(db, broker, EventHub(broker))
    await broker.stop()


async def comment(live: LiveApi, viewer, request: dict, body: str, *, internal: bool = False) -> None:
    ok(await act(live, viewer, COMMENT_ADD, requestId=request["id"], body=body, internal=internal), "comment")


async def seqs_of(live: LiveApi, request: dict) -> list[int]:
    from schema import ids

    request_id = ids.parse(request["id"])[1]
    async with live.engine.connect() as conn:
        rows = await conn.execute(
            select(t.events.c.seq).where(t.events.c.request_id == request_id).order_by(t.events.c.seq)
        )
        return [r.seq for r in rows]


async def test_replay_then_live_has_no_gap_and_no_duplicate_while_writes_continue(live: LiveApi, org: Org):
    # given a request with a long history (more than one replay page)
    request = await raise_request(live, org, org.employee, title="Busy")
    for n in range(110):
        await comment(live, org.employee, request, f"old {n}")
    first_seq = (await seqs_of(live, request))[0]
    # when an agent subscribes after the first event while comments keep committing
    writer = asyncio.create_task(_comment_many(live, org, request, 30))
    subscription = await live.subscribe(EVENTS, org.it_agent, after=event_cursor(first_seq), requestId=request["id"])
    await writer
    expected = [s for s in await seqs_of(live, request) if s > first_seq]
    received = [r.data["events"]["cursor"] for r in await subscription.take(len(expected), timeout=30)]
    # then it received every later event exactly once, in order
    assert received == [event_cursor(s) for s in expected]
    await comment(live, org.employee, request, "live one")
    (last,) = await subscription.take(1)
    assert last.data["events"]["cursor"] == event_cursor((await seqs_of(live, request))[-1])
    assert await subscription.nothing_more()
    await subscription.stop()


async def _comment_many(live: LiveApi, org: Org, request: dict, count: int) -> None:
    for n in range(count):
        await comment(live, org.employee, request, f"new {n}")
        await asyncio.sleep(0)


async def test_members_with_the_same_visibility_share_one_rendering(live: LiveApi, org: Org):
    # given two IT agents, an IT manager, an admin and the requester on the same feed
    render = CountingRender(live.engine, FEED)
    joined = {
        name: await join(live.hub, getattr(org, name), render, query=FEED)
        for name in ("it_agent", "it_agent2", "it_manager", "admin", "employee")
    }
    # when the requester raises a request and comments on it
    request = await raise_request(live, org, org.employee, title="Shared")
    await comment(live, org.employee, request, "hello")
    await live.broker.caught_up()
    # then each event was rendered once per audience (IT agents, IT managers, admins, the requester)
    inboxes = {name: inbox.payloads for name, (_member, inbox) in joined.items()}
    events = len(inboxes["employee"])
    assert events >= 2
    assert render.calls == 4 * events
    assert inboxes["it_agent"] == inboxes["it_agent2"]
    assert len(live.hub.groups) == 4


async def _statements_for_one_comment(live: LiveApi, org: Org, viewers: list[str]) -> int:
    render = CountingRender(live.engine, ACTOR_FEED)
    joined = [await join(live.hub, getattr(org, name), render, query=ACTOR_FEED) for name in viewers]
    request = await raise_request(live, org, org.employee, title="Counted")
    await live.broker.caught_up()
    with count_statements(live.engine) as log:
        await comment(live, org.employee, request, "hello")
        await live.broker.caught_up()
    for member, inbox in joined:
        assert inbox.payloads[-1]["data"]["events"]["actor"] == {"name": org.employee.name}
        assert inbox.payloads[-1]["data"]["events"]["request"]["title"] == "Counted"
        live.hub.leave(member)
    return log.count


async def test_groups_share_one_read_of_each_events_request_and_actor(live: LiveApi, org: Org):
    # given the same feed watched by one audience, and then by four (IT agents, IT managers,
    # admins, the requester)
    one = await _statements_for_one_comment(live, org, ["it_agent"])
    four = await _statements_for_one_comment(live, org, ["it_agent", "it_manager", "admin", "employee"])
    # then a comment costs the same statements either way: renders do not read per group
    assert four == one


async def test_members_whose_event_could_not_be_rendered_are_told_and_others_are_served(live: LiveApi, org: Org):
    # given an IT agent whose group's rendering breaks, and an admin on a working feed
    async def broken(row, viewer, subjects=None):
        raise RuntimeError("rendering failed")

    missed: list[str] = []
    broken_inbox = Inbox()
    broken_inbox.missed = lambda: missed.append("it_agent")
    audience = audience_for(org.it_agent, frozenset({"events"}))
    await live.hub.join(
        key="broken",
        audience=audience,
        render=broken,
        viewer=org.it_agent,
        sink=broken_inbox,
        request_id=None,
        department_id=None,
        after=None,
    )
    _member, admin_inbox = await join(live.hub, org.admin, CountingRender(live.engine, FEED), query=FEED)
    # when a request is raised
    await raise_request(live, org, org.employee, title="Broken render")
    await live.broker.caught_up()
    # then the agent is told it missed an event (its connection then closes and resumes), and
    # the admin got it
    assert broken_inbox.payloads == [] and missed and set(missed) == {"it_agent"}
    assert [p["data"]["events"]["type"] for p in admin_inbox.payloads] == ["RequestCreated"] * len(missed)


async def test_a_shared_group_member_gets_what_only_they_may_see(live: LiveApi, org: Org):
    # given an HR agent on a shared feed (rendered as "any HR agent") who raises an IT request
    render = CountingRender(live.engine, FEED)
    _member, hr_inbox = await join(live.hub, org.hr_agent, render, query=FEED)
    _member, manager_inbox = await join(live.hub, org.hr_manager, render, query=FEED)
    request = await raise_request(live, org, org.hr_agent, title="My own laptop")
    await live.broker.caught_up()
    # then it reaches that agent personally, and not HR's manager, who has no part in it
    assert [p["data"]["events"]["request"]["number"] for p in hr_inbox.payloads] == [request["number"]]
    assert manager_inbox.payloads == []


async def test_a_requester_never_receives_internal_notes_or_other_peoples_requests(live: LiveApi, org: Org):
    render = CountingRender(live.engine, FEED)
    _m, employee_inbox = await join(live.hub, org.employee, render, query=FEED)
    _m, agent_inbox = await join(live.hub, org.it_agent, render, query=FEED)
    mine = await raise_request(live, org, org.employee, title="Mine")
    await raise_request(live, org, org.other, title="Someone else's")
    await comment(live, org.it_agent, mine, "check warranty", internal=True)
    await comment(live, org.it_agent, mine, "on it")
    await live.broker.caught_up()
    assert [p["data"]["events"]["summary"] for p in employee_inbox.payloads] == [
        p["data"]["events"]["summary"]
        for p in agent_inbox.payloads
        if p["data"]["events"]["request"]["number"] == mine["number"]
        and p["data"]["events"]["summary"] != "Commented: check warranty"
    ]
    assert "Commented: check warranty" in [p["data"]["events"]["summary"] for p in agent_inbox.payloads]
    assert len(employee_inbox.payloads) == 2


async def test_live_visibility_is_the_sql_visibility_for_every_viewer(live: LiveApi, org: Org):
    # given requests that moved between departments, with tasks, watchers and internal notes
    first = await raise_request(live, org, org.employee, laptop=True, title="New starter kit")
    second = await raise_request(live, org, org.other, title="Broken screen")
    await comment(live, org.it_agent, first, "internal", internal=True)
    await comment(live, org.it_agent, second, "public")
    watched = ok(await act(live, org.it_agent, WATCH, id=second["id"], personId=gid("Person", org.it_agent2.id)))
    handed = await act(
        live,
        org.it_agent,
        HAND_OFF,
        id=second["id"],
        toDepartmentId=gid("Department", org.departments["hr"]),
        reason="Payroll laptop",
        expectedVersion=watched["version"],
    )
    assert handed["userErrors"] == []
    await comment(live, org.hr_agent, second, "hr note", internal=True)
    async with live.engine.connect() as conn:
        rows = await read_after(conn, 0, limit=10_000)
        for viewer in org.people.values():
            by_sql = {r.seq for r in await conn.execute(visible_events(viewer))}
            in_python = {r.seq for r in rows if can_see_event(viewer, audience_of(r))}
            # then both paths agree, viewer by viewer
            assert in_python == by_sql, viewer.email
    assert len(rows) > 10


STATS = "subscription($id: ID!) { departmentStats(departmentId: $id) { open byStatus { status count } resolvedToday } }"


async def test_department_stats_are_pushed_when_the_queue_changes_and_only_then(live: LiveApi, org: Org):
    it = gid("Department", org.departments["it"])
    subscription = await live.subscribe(STATS, org.it_agent, id=it)
    (initial,) = await subscription.take(1)
    assert initial.data["departmentStats"]["open"] == 0
    # when a request is raised in IT's queue
    request = await raise_request(live, org, org.employee, title="Wallboard")
    (pushed,) = await subscription.take(1)
    assert pushed.data["departmentStats"]["open"] == 1
    assert pushed.data["departmentStats"]["byStatus"] == [{"status": "NEW", "count": 1}]
    # then a comment, which changes no number, pushes nothing
    await comment(live, org.employee, request, "any news?")
    assert await subscription.nothing_more()
    await subscription.stop()


async def test_a_burst_of_changes_is_coalesced_and_the_last_one_is_not_lost(live: LiveApi, org: Org):
    it = gid("Department", org.departments["it"])
    subscription = await live.subscribe(STATS, org.it_agent, id=it)
    await subscription.take(1)
    # when eight requests land at once
    await asyncio.gather(*(raise_request(live, org, org.employee, title=f"Burst {n}") for n in range(8)))
    await asyncio.sleep(0.6)
    pushes = []
    while not subscription.received.empty():
        pushes.append((await subscription.take(1))[0].data["departmentStats"]["open"])
    # then fewer pushes than changes arrived, the last showing all eight
    assert 1 <= len(pushes) < 8
    assert pushes[-1] == 8
    await subscription.stop()


async def test_department_stats_for_an_unknown_department_is_not_found(live: LiveApi, org: Org):
    subscription = await live.subscribe(STATS, org.it_agent, id=gid("Department", 99999))
    (result,) = await subscription.take(1)
    assert [e.extensions["code"] for e in result.errors] == ["NOT_FOUND"]
    await subscription.stop()


async def test_subscriptions_need_a_viewer(live: LiveApi, org: Org):
    subscription = await live.subscribe(FEED, None)
    (result,) = await subscription.take(1)
    assert [e.extensions["code"] for e in result.errors] == ["UNAUTHENTICATED"]
    await subscription.stop()


async def _stats_statements(live: LiveApi, org: Org, viewers: list[str], *, open_after: int) -> int:
    it = gid("Department", org.departments["it"])
    subscriptions = [await live.subscribe(STATS, getattr(org, name), id=it) for name in viewers]
    for subscription in subscriptions:
        await subscription.take(1)
    with count_statements(live.engine) as log:
        await raise_request(live, org, org.employee, title="Counted")
        for subscription in subscriptions:
            (pushed,) = await subscription.take(1)
            assert pushed.data["departmentStats"]["open"] == open_after
    for subscription in subscriptions:
        await subscription.stop()
    return log.count


async def test_wallboards_that_see_alike_share_one_read_per_change(live: LiveApi, org: Org):
    # given IT's wallboard open for one IT agent, and then for two agents, a manager and an admin
    one = await _stats_statements(live, org, ["it_agent"], open_after=1)
    four = await _stats_statements(live, org, ["it_agent", "it_agent2", "it_manager", "admin"], open_after=2)
    # then a change costs the same statements: the department's staff and admins see the same numbers
    assert four == one


async def test_a_shared_wallboard_read_never_shows_an_outsider_more(live: LiveApi, org: Org):
    # given IT's wallboard open for an IT agent and for an HR agent, who sees none of IT's requests
    it = gid("Department", org.departments["it"])
    insider = await live.subscribe(STATS, org.it_agent, id=it)
    outsider = await live.subscribe(STATS, org.hr_agent, id=it)
    await insider.take(1)
    (initial,) = await outsider.take(1)
    # when a request lands in IT's queue
    await raise_request(live, org, org.employee, title="Not HR's")
    (pushed,) = await insider.take(1)
    # then the insider's numbers move and the outsider's do not (no push, still nothing)
    assert pushed.data["departmentStats"]["open"] == 1
    assert initial.data["departmentStats"]["open"] == 0 and await outsider.nothing_more()
    await insider.stop()
    await outsider.stop()
