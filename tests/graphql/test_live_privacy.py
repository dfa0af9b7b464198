"""The events feed keeps the requester privacy rules: a requester's feed carries other people's names
only, no agent-only value, and no event about agent-only values; both the subscription as strawberry
runs it and the hub's shared rendering (what the websocket endpoint sends)."""

from __future__ import annotations

import json

import pytest

from db.broker import EventBroker
from schema.live.hub import EventHub
from tests.graphql.live_support import CountingRender, LiveApi, join
from tests.graphql.privacy_ops import PERSON, SECRET_TAG, person, repair
from tests.support.org import Org

FEED = f"""subscription {{ events {{ type summary actor {{ {PERSON} }}
  request {{ assignee {{ {PERSON} }} watchers {{ {PERSON} }} fields {{ key value }} }} }} }}"""
# What the requester's feed gets of the repair (privacy_ops.repair): not the agent-only edit.
REQUESTER_SEES = ["RequestCreated", "RequestAssigned", "WatcherAdded", "WatcherAdded", "CommentAdded"]


@pytest.fixture
async def live(db, org):
    broker = EventBroker(db)
    await broker.start(listen=False)
    yield LiveApi(db, broker, EventHub(broker))
    await broker.stop()


def _events(payloads: list[dict]) -> list[dict]:
    return [p["data"]["events"] for p in payloads]


def _assert_private(org: Org, events: list[dict]) -> None:
    """Names of others only; no agent-only value anywhere."""
    text = json.dumps(events)
    assert SECRET_TAG not in text and '"triage"' not in text and '"asset_tag"' not in text
    for other in ("it_agent", "other", "hr_agent"):
        assert getattr(org, other).email not in text
    assignments = [e for e in events if e["type"] == "RequestAssigned"]
    assert assignments and assignments[0]["actor"] == person(org, "it_agent", seen=False)


async def test_a_requesters_subscription_hides_contact_details_and_agent_only_values(live: LiveApi, org: Org):
    # given the requester and an IT agent on the events feed
    employee = await live.subscribe(FEED, org.employee)
    agent = await live.subscribe(FEED, org.it_agent)
    # when the repair is raised and worked on (agent-only values filled in, assigned, watched, commented)
    await repair(live, org)
    # then the requester got every public event, with names only and without the agent-only values
    received = [r.data["events"] for r in await employee.take(len(REQUESTER_SEES))]
    assert [e["type"] for e in received] == REQUESTER_SEES
    _assert_private(org, received)
    assert received[0]["actor"] == person(org, "employee", seen=True)
    assert await employee.nothing_more()
    # and the agent got the agent-only edit, values and all
    seen = [r.data["events"] for r in await agent.take(1 + len(REQUESTER_SEES) + 1)]  # + RequestTypeCreated
    edit = next(e for e in seen if e["summary"] == "Changed fields")
    assert {"key": "asset_tag", "value": SECRET_TAG} in edit["request"]["fields"]
    assert edit["actor"] == person(org, "it_agent", seen=True)
    await employee.stop()
    await agent.stop()


async def test_the_hubs_shared_rendering_hides_them_too(live: LiveApi, org: Org):
    # given the requester, an HR agent (who will only watch) and an IT agent on the hub, as the
    # websocket endpoint joins them (staff share a rendering per department; the requester alone)
    render = CountingRender(live.engine, FEED)
    _m, employee = await join(live.hub, org.employee, render, query=FEED)
    _m, hr_agent = await join(live.hub, org.hr_agent, render, query=FEED)
    _m, it_agent = await join(live.hub, org.it_agent, render, query=FEED)
    # when the repair is raised and worked on
    await repair(live, org)
    await live.broker.caught_up()
    # then the requester's payloads show names only and no agent-only value
    assert [e["type"] for e in _events(employee.payloads)] == REQUESTER_SEES
    _assert_private(org, _events(employee.payloads))
    # and the HR agent, watching from a department with no part in it, sees people in full but no
    # agent-only value (they do not work on it)
    watched = _events(hr_agent.payloads)
    assert [e["type"] for e in watched] == ["WatcherAdded", "CommentAdded"]
    assert SECRET_TAG not in json.dumps(watched)
    assert watched[-1]["actor"] == person(org, "it_agent", seen=True)
    # while IT's shared rendering carries the values
    assert SECRET_TAG in json.dumps(_events(it_agent.payloads))
