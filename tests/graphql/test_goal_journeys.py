"""Journey key results against hand-computed values: the five onboarding runs of the journey
analytics tests (tests.graphql.test_journey_analytics), measured by a shared goal for March 2026.

  A  on time: Paperwork 30 (target 60), Equipment 100 (target 120)
  B  late in Paperwork (HR): 90; Equipment 110 on time
  C  late in Equipment (IT laptop, Facilities workplace): 185
  D  still in Paperwork; E cancelled: neither completed, neither counted

On-time rate: A of A, B, C = 1/3. Per department, over the stages where it owns a touchpoint
(Paperwork: HR; Equipment: IT and Facilities; Welcome has no target): HR 2/3 (B late),
IT 2/3 and Facilities 2/3 (C late). A run counts once in the total, once per department.
Requests the runs opened and resolved: A, B, C three each, E its contract = 10
(HR 4 contracts, IT 3 laptops, Facilities 3 workplaces).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.graphql.goal_ops import by_department, create_goal, fetch_goal, key_result
from tests.graphql.journey_ops import MAP_CREATE, onboarding_input
from tests.graphql.request_ops import act, move, ok, raise_request
from tests.graphql.test_journey_analytics import DAY0, play
from tests.support.journeys import add_journey_catalog
from tests.support.org import Org

MARCH = {"periodStart": "2026-03-01T00:00:00Z", "periodEnd": "2026-04-01T00:00:00Z"}


@pytest.fixture
async def onboarding(api, org: Org) -> str:
    await add_journey_catalog(org)
    api.at(DAY0 - timedelta(days=1))
    m = ok(await act(api, org.admin, MAP_CREATE, **onboarding_input(org)), "journeyMap")["id"]
    await play(api, org, m, 0, contract=(10, 30), laptop=(40, 100), workplace=(35, 130))
    await play(api, org, m, 1, contract=(20, 90), laptop=(100, 200), workplace=(110, 150))
    await play(api, org, m, 2, contract=(5, 45), laptop=(60, 230), workplace=(50, 70))
    await play(api, org, m, 3, contract=None)
    await play(api, org, m, 4, contract=(30, 60), cancel_at=70)
    return m


async def _measured(api, org: Org, *key_results: dict, viewer=None) -> list[dict]:
    goal = await create_goal(api, org, title="New hires productive on day 1", key_results=list(key_results), **MARCH)
    api.at(DAY0 + timedelta(days=5))
    return (await fetch_goal(api, viewer or org.hr_agent, goal["id"]))["keyResults"]


async def test_journey_on_time_rate_with_each_departments_stages(api, org: Org, onboarding):
    # when
    (on_time,) = await _measured(api, org, key_result("JOURNEY_ON_TIME_RATE", 0.9, scope={"journeyMapId": onboarding}))
    # then
    assert (on_time["current"], on_time["sampleSize"]) == (pytest.approx(1 / 3), 3)
    assert by_department(on_time) == {"Facilities": (0.6667, 3), "HR": (0.6667, 3), "IT": (0.6667, 3)}
    assert (on_time["progress"], on_time["status"]) == (pytest.approx(1 / 3 / 0.9), "OFF_TRACK")


async def test_journey_on_time_rate_without_a_map_takes_every_journey(api, org: Org, onboarding):
    # when
    (on_time,) = await _measured(api, org, key_result("JOURNEY_ON_TIME_RATE", 0.9))
    # then
    assert (on_time["current"], on_time["sampleSize"]) == (pytest.approx(1 / 3), 3)


async def test_a_department_scope_keeps_that_departments_stages(api, org: Org, onboarding):
    # when
    (hr,) = await _measured(
        api,
        org,
        key_result(
            "JOURNEY_ON_TIME_RATE",
            0.9,
            scope={"journeyMapId": onboarding, "departmentIds": [org.gid("Department", "hr")]},
        ),
    )
    # then: the total still asks whether the whole run was on time
    assert (hr["current"], hr["sampleSize"]) == (pytest.approx(1 / 3), 3)
    assert by_department(hr) == {"HR": (0.6667, 3)}


async def test_request_metrics_on_a_journey_map_count_the_requests_its_runs_opened(api, org: Org, onboarding):
    # given a laptop request outside any journey, resolved by IT in March
    api.at(DAY0 + timedelta(days=3))
    await move(api, org.it_agent, await raise_request(api, org, org.employee), "RESOLVED")
    # when
    # (read by an admin: HR's agent counts only HR's part, and IT's three are too few to share;
    # see test_goal_privacy)
    (resolved,) = await _measured(
        api, org, key_result("REQUESTS_RESOLVED", 20, scope={"journeyMapId": onboarding}), viewer=org.admin
    )
    # then
    assert (resolved["current"], resolved["sampleSize"]) == (10, 10)
    assert by_department(resolved) == {"Facilities": (3, 3), "HR": (4, 4), "IT": (3, 3)}
    assert resolved["scope"]["journeyMap"] == {"name": "Onboarding"}
