"""The compiled read path keeps the requester privacy rules, answering byte for byte as normal
execution: other people's emails and roles null for requesters, agent-only values only for the
departments working on the request; journey runs only for their sponsors and the departments
taking part, and their analytics without a figure that singles runs out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from db.uow import SqlUnitOfWork
from domain import commands
from domain.handlers import requests as handle
from domain.people import Role
from domain.workflow import Priority, RequestStatus
from tests.compiled.seed import AGENT_ONLY, seed, seed_journeys
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


# --- journeys: runs have their own visibility, and analytics withhold what singles runs out ----

RUN_FIELDS = """id subject status sponsor { name } currentStage { name } onTrack requests { number }
  stages { stage { name targetMinutes } enteredAt minutes onTime requests { number } }"""
ANALYTICS = """runsStarted runsCompleted runsCancelled runsActive countsWithheld medianMinutes p90Minutes
  onTimeRate timesWithheld bottleneck { name }
  stages { stage { name } runsEntered runsCompleted countsWithheld medianMinutes p90Minutes onTimeRate
           timesWithheld bottleneck }
  handOffs { fromStage { name } toStage { name } fromDepartment { name } toDepartment { name } runs
             medianMinutes p90Minutes withheld }"""
JOURNEYS = f"""query {{ requests(first: 50) {{ edges {{ node {{ number journeyRun {{ {RUN_FIELDS}
  map {{ name version active previousVersion {{ version }} nextVersion {{ version }}
        runs(first: 10) {{ totalCount edges {{ node {{ subject sponsor {{ name }} }} }} }}
        analytics {{ {ANALYTICS} }} }} }} }} }} }} }}"""
# Within the cost budget: the maps' forms apart.
FORMS = """query { requests(first: 25) { edges { node { journeyRun { map {
  stages { touchpoints { fields { key value } requestType { name } } } } } } } } }"""
WELCOME = """query { journeyMaps(filter: {search: "Welcome"}) { edges { node { name active
  stages { touchpoints { name requestType { name } } } } } } }"""
# A map's runs as its connection reads them (a page of rows), every field of a run beneath.
MAP_RUNS = f"""query {{ journeyMaps(first: 10) {{ edges {{ node {{ name
  runs(first: 10) {{ pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {RUN_FIELDS}
    startedBy {{ name }} map {{ name }} }} }} }} }} }} }} }}"""
SEVEN = ["admin", "it_agent", "it_manager", "hr_agent", "fac_agent", "employee", "other"]


def _runs_and_maps(data: dict) -> tuple[dict[str, dict], dict[tuple[str, int], dict]]:
    runs = [e["node"]["journeyRun"] for e in data["requests"]["edges"] if e["node"]["journeyRun"]]
    return {r["subject"]: r for r in runs}, {(r["map"]["name"], r["map"]["version"]): r["map"] for r in runs}


@pytest.mark.parametrize("viewer", SEVEN)
async def test_journey_runs_and_analytics_compile_as_normal_execution_shows_them(api, org: Org, viewer):
    # given journeys whose runs are sponsored by requesters and HR's agent (tests.compiled.seed)
    await seed_journeys(org, await seed(org, 3))
    person = getattr(org, viewer)

    # when the viewer reads their requests' runs, maps, analytics and forms through both paths
    normal, compiled = await both(api.engine, JOURNEYS, person)
    normal_forms, compiled_forms = await both(api.engine, FORMS, person)
    normal_welcome, compiled_welcome = await both(api.engine, WELCOME, person)
    normal_map_runs, compiled_map_runs = await both(api.engine, MAP_RUNS, person)

    # then the compiled path answered, with the same bytes
    assert compiled.compiled and not normal.compiled
    assert compiled.body == normal.body
    assert compiled_forms.compiled and compiled_forms.body == normal_forms.body
    assert compiled_welcome.compiled and compiled_welcome.body == normal_welcome.body
    assert compiled_map_runs.compiled and compiled_map_runs.body == normal_map_runs.body
    # and a map only for those taking part, managers and sponsors; its form on a retired service
    # only for that service's department (HR) and admins
    welcome = [e["node"] for e in json.loads(compiled_welcome.body)["data"]["journeyMaps"]["edges"]]
    forms = [tp["requestType"] for m in welcome for stage in m["stages"] for tp in stage["touchpoints"]]
    pack = {"name": "Welcome pack"}
    assert forms == {"admin": [None, pack], "hr_agent": [None, pack], "it_manager": [None, None]}.get(viewer, [])
    runs, maps = _runs_and_maps(json.loads(compiled.body)["data"])
    assert runs, "every viewer sees some run through their requests"
    onboarding = maps.get(("Onboarding", 1))
    if person.role is Role.REQUESTER:
        # and a requester sees only the runs they sponsor, even of a request they watch
        assert {r["sponsor"]["name"] for r in runs.values()} == {person.name}
        assert AGENT_ONLY not in compiled_forms.body
        sponsored = {"employee": 5, "other": 2}[viewer]
        assert onboarding["runs"]["totalCount"] == sponsored
        # and the figures over runs they do not see: counts withheld (one run was cancelled),
        # times over six completed runs shown, the hand-off group of one run withheld
        analytics = onboarding["analytics"]
        assert (analytics["runsStarted"], analytics["countsWithheld"]) == (None, "SMALL_SAMPLE")
        assert analytics["medianMinutes"] is not None and analytics["timesWithheld"] is None
        assert {s["countsWithheld"] for s in analytics["stages"]} == {"COMPLEMENT"}
        assert sorted((h["runs"] or 0, h["withheld"]) for h in analytics["handOffs"]) == [
            (0, "SMALL_SAMPLE"),
            (5, None),
        ]
    if viewer in ("admin", "hr_agent", "it_agent", "it_manager", "fac_agent"):
        # and those taking part (and admins) read every figure, the small ones too
        analytics = onboarding["analytics"]
        counts = [analytics[k] for k in ("runsStarted", "runsCompleted", "runsCancelled", "runsActive")]
        assert (counts, analytics["countsWithheld"]) == ([8, 6, 1, 1], None)
        assert sorted(h["runs"] for h in analytics["handOffs"]) == [1, 5]
        assert onboarding["nextVersion"] == {"version": 2}
    if viewer == "hr_agent":
        # and HR's agent, who sponsors an office move HR takes no part in, reads its figures withheld
        move = maps[("Office move", 1)]["analytics"]
        assert (move["runsStarted"], move["countsWithheld"]) == (None, "SMALL_SAMPLE")
        assert set(runs) >= {"Starter 0 ✓", 'Team "North"'}
    if viewer == "it_agent":
        # and IT, taking part in the office move, sees its form's agent-only value
        assert AGENT_ONLY in compiled_forms.body
        assert maps[("Office move", 1)]["analytics"]["runsStarted"] == 2
