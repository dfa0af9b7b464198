"""JourneyMap.analytics shows a reader who may not see a map's runs (every manager sees every map)
no figure over fewer than 5 of them, as shared goals do (domain.journey_figures); admins and the
departments taking part, who see the runs, read every figure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from db.uow import SqlUnitOfWork
from domain import commands
from domain.handlers import organisation
from domain.people import Person, Role
from tests.graphql.journey_ops import MAP_CREATE, fields, onboarding_input, request_titled, resolve, start, touchpoint
from tests.graphql.request_ops import act, ok
from tests.graphql.test_journey_analytics import DAY0, play
from tests.support.journeys import add_journey_catalog
from tests.support.org import Org

WITHHELD = """query($id: ID!) { node(id: $id) { ... on JourneyMap { analytics {
  runsStarted runsCompleted runsCancelled runsActive countsWithheld medianMinutes p90Minutes onTimeRate timesWithheld
  bottleneck { name }
  stages { runsEntered runsCompleted countsWithheld medianMinutes p90Minutes onTimeRate timesWithheld bottleneck }
  handOffs { fromDepartment { name } toDepartment { name } runs medianMinutes p90Minutes withheld } } } } }"""


async def finance_manager(org: Org) -> Person:
    """A manager of a department with no touchpoint on the maps: sees every map, none of their runs."""
    now = datetime.now(UTC)
    department = await organisation.create_department(
        commands.CreateDepartment(name="Finance"), uow=SqlUnitOfWork(org.engine), actor=org.admin, now=now
    )
    person = await organisation.create_person(
        commands.CreatePerson(
            name="Fred Manager", email="fin.manager@example.com", role=Role.MANAGER, department_id=department
        ),
        uow=SqlUnitOfWork(org.engine),
        actor=org.admin,
        now=now,
    )
    return Person(
        id=person, name="Fred Manager", email="fin.manager@example.com", role=Role.MANAGER, department_id=department
    )


@pytest.fixture
async def five_runs(api, org: Org) -> str:
    """test_journey_analytics's five runs: three completed, one in Paperwork, one cancelled in Equipment."""
    await add_journey_catalog(org)
    api.at(DAY0 - timedelta(days=1))
    m = ok(await act(api, org.admin, MAP_CREATE, **onboarding_input(org)), "journeyMap")["id"]
    await play(api, org, m, 0, contract=(10, 30), laptop=(40, 100), workplace=(35, 130))
    await play(api, org, m, 1, contract=(20, 90), laptop=(100, 200), workplace=(110, 150))
    await play(api, org, m, 2, contract=(5, 45), laptop=(60, 230), workplace=(50, 70))
    await play(api, org, m, 3, contract=None)
    await play(api, org, m, 4, contract=(30, 60), cancel_at=70)
    api.at(DAY0 + timedelta(days=5))
    return m


async def test_a_reader_who_may_not_see_the_runs_reads_no_figure_of_fewer_than_5(api, org: Org, five_runs):
    outsider = await finance_manager(org)

    analytics = (await api.ok(WITHHELD, outsider, id=five_runs))["node"]["analytics"]

    # then every figure here counts 1 to 4 runs: none shows, and each says why
    assert analytics == {
        "runsStarted": None,
        "runsCompleted": None,
        "runsCancelled": None,
        "runsActive": None,
        "countsWithheld": "SMALL_SAMPLE",
        "medianMinutes": None,
        "p90Minutes": None,
        "onTimeRate": None,
        "timesWithheld": "SMALL_SAMPLE",
        "bottleneck": None,
        # Paperwork: 5 entered (4 left, one still in it); Equipment: 4 entered, 3 left; Welcome: 3
        "stages": [
            {
                "runsEntered": None,
                "runsCompleted": None,
                "countsWithheld": reason,
                "medianMinutes": None,
                "p90Minutes": None,
                "onTimeRate": None,
                "timesWithheld": "SMALL_SAMPLE",
                "bottleneck": False,
            }
            for reason in ("SMALL_SAMPLE", "SMALL_SAMPLE", "SMALL_SAMPLE")
        ],
        "handOffs": [
            {
                "fromDepartment": {"name": "HR"},
                "toDepartment": {"name": to},
                "runs": None,
                "medianMinutes": None,
                "p90Minutes": None,
                "withheld": "SMALL_SAMPLE",
            }
            for to in ("IT", "Facilities")
        ],
    }


@pytest.mark.parametrize("reader", ["admin", "hr_manager", "it_agent", "fac_agent"])
async def test_those_who_see_the_runs_read_every_figure(api, org: Org, five_runs, reader):
    analytics = (await api.ok(WITHHELD, getattr(org, reader), id=five_runs))["node"]["analytics"]

    assert (analytics["runsStarted"], analytics["runsActive"], analytics["countsWithheld"]) == (5, 1, None)
    assert (analytics["medianMinutes"], analytics["timesWithheld"]) == (pytest.approx(200), None)
    assert [s["runsCompleted"] for s in analytics["stages"]] == [4, 3, 3]
    assert [h["runs"] for h in analytics["handOffs"]] == [1, 2]
    assert analytics["bottleneck"] == {"name": "Equipment"}


def two_stages(org: Org) -> dict:
    """Paperwork (HR's contract, target 60 minutes), then a welcome lunch that opens nothing."""
    return {
        "name": "Contracts",
        "stages": [
            {
                "name": "Paperwork",
                "targetMinutes": 60,
                "touchpoints": [
                    touchpoint(
                        "Contract", "hr", org, "contract", fields=fields(employee="{subject}", start="{startDate}")
                    )
                ],
            },
            {"name": "Welcome", "touchpoints": [touchpoint("Welcome lunch", "hr", org)]},
        ],
    }


async def completed_runs(api, org: Org, map_id: str, minutes: list[int]) -> None:
    """One run per entry, its contract resolved that many minutes after it started."""
    for day, taken in enumerate(minutes):
        api.at(DAY0 + timedelta(days=day))
        run = await start(api, org.hr_agent, map_id)
        api.at(DAY0 + timedelta(days=day, minutes=taken))
        await resolve(api, org.hr_agent, request_titled(run, "Contract"))


async def test_figures_over_5_runs_or_more_show_to_every_manager(api, org: Org):
    # given five runs completed: 10, 20, 30, 40 and 90 minutes in Paperwork
    await add_journey_catalog(org)
    api.at(DAY0 - timedelta(days=1))
    m = ok(await act(api, org.admin, MAP_CREATE, **two_stages(org)), "journeyMap")["id"]
    await completed_runs(api, org, m, [10, 20, 30, 40, 90])
    outsider = await finance_manager(org)

    analytics = (await api.ok(WITHHELD, outsider, id=m))["node"]["analytics"]

    assert {
        k: analytics[k]
        for k in ("runsStarted", "runsCompleted", "runsCancelled", "runsActive", "countsWithheld", "timesWithheld")
    } == {
        "runsStarted": 5,
        "runsCompleted": 5,
        "runsCancelled": 0,
        "runsActive": 0,
        "countsWithheld": None,
        "timesWithheld": None,
    }
    assert analytics["onTimeRate"] == pytest.approx(0.8)
    paperwork, welcome = analytics["stages"]
    assert (paperwork["runsEntered"], paperwork["runsCompleted"], paperwork["medianMinutes"]) == (5, 5, 30)
    assert (paperwork["onTimeRate"], paperwork["bottleneck"]) == (pytest.approx(0.8), True)
    assert (welcome["runsEntered"], welcome["medianMinutes"]) == (5, 0)

    # when a sixth run starts and waits in Paperwork: one run going would show as the difference of two counts
    api.at(DAY0 + timedelta(days=9))
    await start(api, org.hr_agent, m, subject="John Roe")
    analytics = (await api.ok(WITHHELD, outsider, id=m))["node"]["analytics"]

    # then every count is withheld, the times over the five completed runs still show
    assert (
        analytics["runsStarted"],
        analytics["runsCompleted"],
        analytics["runsActive"],
        analytics["countsWithheld"],
    ) == (None, None, None, "SMALL_SAMPLE")
    assert [(s["runsEntered"], s["runsCompleted"], s["countsWithheld"]) for s in analytics["stages"]] == [
        (None, None, "COMPLEMENT"),
        (None, None, "COMPLEMENT"),
    ]
    assert (analytics["medianMinutes"], analytics["timesWithheld"]) == (pytest.approx(30), None)
    assert analytics["stages"][0]["medianMinutes"] == 30
    # while HR, who sees the run, reads every count
    hr = (await api.ok(WITHHELD, org.hr_manager, id=m))["node"]["analytics"]
    assert (hr["runsStarted"], hr["runsActive"], hr["stages"][0]["runsEntered"]) == (6, 1, 6)
