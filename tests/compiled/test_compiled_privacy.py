"""The compiled read path keeps the requester privacy rules, answering byte for byte as normal
execution: other people's emails and roles null for requesters, agent-only values only for the
departments working on the request."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from db.uow import SqlUnitOfWork
from domain import commands
from domain.handlers import requests as handle
from domain.people import Role
from domain.workflow import Priority, RequestStatus
from tests.graphql.privacy_ops import EVERYTHING, SECRET_TAG, repair
from tests.support.compiled import both
from tests.support.org import Org

# (viewer, sees other people's contact details, sees the agent-only values)
VIEWERS = [
    ("employee", False, False),
    ("other", False, False),
    ("hr_agent", True, False),
    ("fac_agent", True, True),
    ("it_agent", True, True),
    ("admin", True, True),
]


@pytest.mark.parametrize(("viewer", "sees_people", "sees_values"), VIEWERS)
async def test_the_compiled_answer_hides_what_normal_execution_hides(api, org: Org, viewer, sees_people, sees_values):
    # given the repaired request (agent-only values, an assignee, watchers, an agent's comment)
    repaired = await repair(api, org)
    # when the viewer reads it by ID and in the list, through both paths
    normal, compiled = await both(api.engine, EVERYTHING, getattr(org, viewer), {"id": repaired.request_id})
    # then the compiled path answered, with the same bytes
    assert compiled.compiled and not normal.compiled
    assert compiled.body == normal.body
    # and it shows what the viewer may see, and nothing more
    text = compiled.body
    assert (org.it_agent.email in text) is sees_people
    assert ('"role":"AGENT"' in text) is sees_people
    assert (SECRET_TAG in text) is sees_values
    data = json.loads(text)["data"]
    if viewer == "employee":
        assert data["node"]["requester"]["email"] == org.employee.email  # their own, always
        assert [e["node"]["requester"]["role"] for e in data["requests"]["edges"]] == ["REQUESTER"]


WALLBOARD = """query($id: ID!) {
  viewer { name kind active }
  departments(first: 10) { totalCount edges { node { name
    members { name email role }
    queue(first: 50) { totalCount edges { node { title requester { name email } } } }
    stats { open byStatus { status count } byPriority { priority count } slaBreached oldestOpenMinutes resolvedToday }
  } } }
  node(id: $id) { ... on Department { name stats { open } } } }"""
# (viewer, IT's requests they may see, of them open, of them resolved today): their own, or every
# one IT owns or works on
COUNTS = [
    ("employee", 2, 2, 0),
    ("other", 3, 2, 1),
    ("hr_agent", 0, 0, 0),
    ("fac_agent", 1, 1, 0),
    ("it_agent", 5, 4, 1),
    ("admin", 5, 4, 1),
]
RAISED = datetime(2026, 1, 5, 9, tzinfo=UTC)


@pytest.mark.parametrize(("viewer", "seen", "still_open", "resolved"), COUNTS)
async def test_queues_and_figures_count_only_what_the_viewer_may_see(api, org: Org, viewer, seen, still_open, resolved):
    # given two IT requests by employee (one urgent, one with a Facilities task) and three by
    # other (one resolved ten minutes later), all raised at one moment; and a clock 90 minutes and
    # a half after it, the same day
    await org.raise_request(org.employee, title="Mine", now=RAISED)
    await org.raise_request(
        org.employee,
        request_type="new_laptop",
        title="Mine too",
        priority=Priority.URGENT,
        fields={"model": "13-inch"},
        now=RAISED,
    )
    theirs = [await org.raise_request(org.other, title=f"Theirs {n}", now=RAISED) for n in range(3)]
    await handle.transition_request(
        commands.TransitionRequest(request_id=theirs[0], to=RequestStatus.RESOLVED, expected_version=1),
        uow=SqlUnitOfWork(org.engine),
        actor=org.it_agent,
        now=RAISED + timedelta(minutes=10),
    )
    at = RAISED + timedelta(minutes=90, seconds=30)
    # when the viewer reads every department's queue, members and wallboard, through both paths
    who = getattr(org, viewer)
    normal, compiled = await both(api.engine, WALLBOARD, who, {"id": org.gid("Department", "it")}, at=at)
    # then the compiled path answered, with the same bytes
    assert compiled.compiled and not normal.compiled
    assert compiled.body == normal.body
    # and IT's queue and figures count only the requests the viewer may see, no more
    data = json.loads(compiled.body)["data"]
    it = next(e["node"] for e in data["departments"]["edges"] if e["node"]["name"] == "IT")
    stats = it["stats"]
    assert it["queue"]["totalCount"] == len(it["queue"]["edges"]) == seen
    assert (stats["open"], stats["resolvedToday"], data["node"]["stats"]["open"]) == (
        still_open,
        resolved,
        still_open,
    )
    assert sum(c["count"] for c in stats["byStatus"]) == sum(c["count"] for c in stats["byPriority"]) == still_open
    assert stats["slaBreached"] <= still_open
    # (minutes from the clock the call was given, on both paths)
    assert stats["oldestOpenMinutes"] == (90 if still_open else None)
    if who.role is Role.REQUESTER:
        # a requester's figures are over their own requests; others' contact details stay hidden
        assert {e["node"]["requester"]["name"] for e in it["queue"]["edges"]} == {who.name}
        assert {m["email"] for m in it["members"]} == {None}
        assert '"role":"AGENT"' not in compiled.body
