"""JourneyMap.analytics against figures worked out by hand on five runs played at known times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.people import Person
from tests.graphql.journey_ops import MAP_CREATE, RUN_CANCEL, fetch_run, onboarding_input, request_titled, start
from tests.graphql.request_ops import TASK_COMPLETE, TRANSITION, act, ok
from tests.support.journeys import add_journey_catalog
from tests.support.org import Org

DAY0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ANALYTICS = """query($id: ID!) { node(id: $id) { ... on JourneyMap { analytics {
  runsStarted runsCompleted runsCancelled runsActive medianMinutes p90Minutes onTimeRate bottleneck { name }
  stages { stage { name } runsEntered runsCompleted medianMinutes p90Minutes onTimeRate bottleneck }
  handOffs { fromStage { name } toStage { name } fromDepartment { name } toDepartment { name }
             runs medianMinutes p90Minutes } } } } }"""


class Clock:
    """Minutes after a run's start, on the API's clock."""

    def __init__(self, api, start: datetime):
        self.api, self.start = api, start

    def __call__(self, minutes: int) -> None:
        self.api.at(self.start + timedelta(minutes=minutes))


class Desk:
    """Requests worked in time order across departments: each owner responds (NEW -> IN_PROGRESS)
    at one minute and resolves at another; tasks are done just before the resolution."""

    def __init__(self, api, clock: Clock):
        self.api, self.clock, self.steps = api, clock, []

    def work(
        self, agent: Person, request: dict, *, respond: int, resolve: int, task_worker: Person | None = None
    ) -> None:
        state = {"version": request["version"]}

        async def responding() -> None:
            state["version"] = ok(
                await act(
                    self.api, agent, TRANSITION, id=request["id"], to="IN_PROGRESS", expectedVersion=state["version"]
                )
            )["version"]

        async def resolving() -> None:
            for task in request["tasks"]:
                ok(await act(self.api, task_worker, TASK_COMPLETE, id=task["id"]), "task")
                state["version"] += 1
            ok(
                await act(
                    self.api, agent, TRANSITION, id=request["id"], to="RESOLVED", expectedVersion=state["version"]
                )
            )

        self.steps += [(respond, responding), (resolve, resolving)]

    async def play(self) -> None:
        for minute, step in sorted(self.steps, key=lambda s: s[0]):
            self.clock(minute)
            await step()
        self.steps.clear()


async def play(
    api,
    org: Org,
    map_id: str,
    day: int,
    *,
    contract: tuple[int, int] | None,
    laptop: tuple[int, int] | None = None,
    workplace: tuple[int, int] | None = None,
    cancel_at: int | None = None,
) -> None:
    clock = Clock(api, DAY0 + timedelta(days=day))
    desk = Desk(api, clock)
    clock(0)
    run = await start(api, org.hr_agent, map_id, sponsorId=org.gid("Person", "employee"))
    if contract:
        desk.work(org.hr_agent, run["requests"][0], respond=contract[0], resolve=contract[1])
        await desk.play()
    run = await fetch_run(api, org.employee, run["id"])
    if laptop:
        desk.work(
            org.it_agent, request_titled(run, "Laptop"), respond=laptop[0], resolve=laptop[1], task_worker=org.fac_agent
        )
    if workplace:
        desk.work(org.fac_agent, request_titled(run, "Workplace"), respond=workplace[0], resolve=workplace[1])
    await desk.play()
    if cancel_at is not None:
        clock(cancel_at)
        ok(await act(api, org.hr_agent, RUN_CANCEL, id=run["id"]), "journeyRun")


@pytest.fixture
async def measured(api, org: Org) -> dict:
    await add_journey_catalog(org)
    api.at(DAY0 - timedelta(days=1))
    journey = ok(await act(api, org.admin, MAP_CREATE, **onboarding_input(org)), "journeyMap")
    m = journey["id"]
    # (respond, resolve) minutes after each run's start. Targets: Paperwork 60, Equipment 120.
    await play(api, org, m, 0, contract=(10, 30), laptop=(40, 100), workplace=(35, 130))  # A: 30 + 100, on time
    await play(api, org, m, 1, contract=(20, 90), laptop=(100, 200), workplace=(110, 150))  # B: 90 (late) + 110
    await play(api, org, m, 2, contract=(5, 45), laptop=(60, 230), workplace=(50, 70))  # C: 45 + 185 (late)
    await play(api, org, m, 3, contract=None)  # D: still in Paperwork
    await play(api, org, m, 4, contract=(30, 60), cancel_at=70)  # E: 60, cancelled
    api.at(DAY0 + timedelta(days=5))
    return (await api.ok(ANALYTICS, org.hr_manager, id=m))["node"]["analytics"]


async def test_runs_are_counted_and_timed_start_to_completion(measured):
    # completed: A 130, B 200, C 230 minutes -> median 200; p90 at rank 0.9 * 2 = 1.8: 200 + 0.8 * 30 = 224
    assert {k: measured[k] for k in ("runsStarted", "runsCompleted", "runsCancelled", "runsActive")} == {
        "runsStarted": 5,
        "runsCompleted": 3,
        "runsCancelled": 1,
        "runsActive": 1,
    }
    assert measured["medianMinutes"] == pytest.approx(200)
    assert measured["p90Minutes"] == pytest.approx(224)
    # on time: A only (B's Paperwork took 90 > 60, C's Equipment 185 > 120)
    assert measured["onTimeRate"] == pytest.approx(1 / 3)


async def test_each_stage_is_timed_over_the_runs_that_left_it(measured):
    paperwork, equipment, welcome = measured["stages"]
    # Paperwork left by A 30, C 45, E 60, B 90 (D still in it): median 52.5, p90 60 + 0.7 * 30 = 81, 3 of 4 on time
    assert (paperwork["runsEntered"], paperwork["runsCompleted"]) == (5, 4)
    assert (paperwork["medianMinutes"], paperwork["p90Minutes"]) == (pytest.approx(52.5), pytest.approx(81))
    assert paperwork["onTimeRate"] == pytest.approx(0.75)
    # Equipment left by A 100, B 110, C 185 (E was cancelled in it): median 110, p90 110 + 0.8 * 75 = 170
    assert (equipment["runsEntered"], equipment["runsCompleted"]) == (4, 3)
    assert (equipment["medianMinutes"], equipment["p90Minutes"]) == (pytest.approx(110), pytest.approx(170))
    assert equipment["onTimeRate"] == pytest.approx(2 / 3)
    # Welcome opens nothing: passed through in no time, with no target
    assert (welcome["runsEntered"], welcome["medianMinutes"], welcome["onTimeRate"]) == (3, 0, None)
    # the bottleneck is the stage with the longest median
    assert [s["bottleneck"] for s in measured["stages"]] == [False, True, False]
    assert measured["bottleneck"] == {"name": "Equipment"}


async def test_hand_off_delay_runs_from_a_stages_last_resolution_to_the_next_stages_first_response(measured):
    # A: contract resolved at 30 (HR), workplace responded at 35 (Facilities): 5
    # B: contract at 90, laptop responded at 100 (IT): 10
    # C: contract at 45, workplace responded at 50: 5.  E: no one responded before it was cancelled.
    assert measured["handOffs"] == [
        {
            "fromStage": {"name": "Paperwork"},
            "toStage": {"name": "Equipment"},
            "fromDepartment": {"name": "HR"},
            "toDepartment": {"name": "IT"},
            "runs": 1,
            "medianMinutes": 10.0,
            "p90Minutes": 10.0,
        },
        {
            "fromStage": {"name": "Paperwork"},
            "toStage": {"name": "Equipment"},
            "fromDepartment": {"name": "HR"},
            "toDepartment": {"name": "Facilities"},
            "runs": 2,
            "medianMinutes": 5.0,
            "p90Minutes": 5.0,
        },
    ]


async def test_a_map_without_runs_has_empty_analytics(api, org: Org):
    await add_journey_catalog(org)
    journey = ok(await act(api, org.admin, MAP_CREATE, **onboarding_input(org)), "journeyMap")
    analytics = (await api.ok(ANALYTICS, org.admin, id=journey["id"]))["node"]["analytics"]
    assert (
        analytics["runsStarted"],
        analytics["medianMinutes"],
        analytics["onTimeRate"],
        analytics["bottleneck"],
        analytics["handOffs"],
    ) == (0, None, None, None, [])
    assert [(s["runsEntered"], s["medianMinutes"], s["bottleneck"]) for s in analytics["stages"]] == [
        (0, None, False)
    ] * 3
