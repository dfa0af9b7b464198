"""Bad shared-goal input: a coded userError on the right field, and nothing written."""

from __future__ import annotations

import pytest

from tests.graphql.goal_ops import GOAL_CREATE, GOAL_UPDATE, create_goal, goal_input, key_result
from tests.graphql.request_ops import codes, refused
from tests.support.org import Org

KR0 = ["input", "keyResults", "0"]


async def _refused_create(api, org: Org, viewer=None, **input) -> list:
    return codes(await refused(api, viewer or org.it_manager, GOAL_CREATE, **goal_input(org, **input)))


@pytest.mark.parametrize(
    ("metric", "target"),
    [
        ("SLA_COMPLIANCE_RATE", 1.5),  # a rate above 100%
        ("SLA_COMPLIANCE_RATE", -0.1),
        ("CSAT_AVERAGE", 6),
        ("CSAT_AVERAGE", 0.5),
        ("P90_RESOLUTION_HOURS", 0),
        ("MEDIAN_RESOLUTION_HOURS", 10_000),
        ("OPEN_BACKLOG", 2.5),
        ("REQUESTS_RESOLVED", -1),
    ],
)
async def test_targets_out_of_range(api, org: Org, metric, target):
    assert await _refused_create(api, org, key_results=[key_result(metric, target)]) == [
        ("TARGET_OUT_OF_RANGE", KR0 + ["target"])
    ]


async def test_a_period_that_ends_before_it_starts(api, org: Org):
    assert await _refused_create(api, org, periodStart="2026-12-31T00:00:00Z", periodEnd="2026-12-01T00:00:00Z") == [
        ("INVALID_PERIOD", ["input", "periodEnd"])
    ]


async def test_an_empty_period(api, org: Org):
    assert await _refused_create(api, org, periodStart="2026-12-01T00:00:00Z", periodEnd="2026-12-01T00:00:00Z") == [
        ("INVALID_PERIOD", ["input", "periodEnd"])
    ]


async def test_csat_on_a_journey_map(api, org: Org):
    scope = {"journeyMapId": "Sm91cm5leU1hcDox"}  # JourneyMap:1
    assert await _refused_create(api, org, key_results=[key_result("CSAT_AVERAGE", 4, scope=scope)]) == [
        ("UNSUPPORTED_SCOPE", KR0 + ["scope", "journeyMapId"])
    ]


async def test_a_journey_metric_on_a_service(api, org: Org):
    scope = {"serviceIds": [org.gid("Service", "laptops")]}
    assert await _refused_create(api, org, key_results=[key_result("JOURNEY_ON_TIME_RATE", 0.9, scope=scope)]) == [
        ("UNSUPPORTED_SCOPE", KR0 + ["scope"])
    ]


async def test_a_department_that_does_not_exist(api, org: Org):
    errors = codes(
        await refused(
            api,
            org.it_manager,
            GOAL_CREATE,
            **{**goal_input(org), "departmentIds": [org.gid("Department", "it"), "RGVwYXJ0bWVudDo5OTk"]},
        )
    )  # Department:999
    assert errors == [("NOT_FOUND", ["input", "departmentIds"])]


async def test_a_malformed_department_id(api, org: Org):
    errors = codes(await refused(api, org.it_manager, GOAL_CREATE, **{**goal_input(org), "departmentIds": ["bogus"]}))
    assert errors == [("NOT_FOUND", ["input", "departmentIds"])]


async def test_no_departments(api, org: Org):
    assert await _refused_create(api, org, departments=()) == [("DEPARTMENTS_REQUIRED", ["input", "departmentIds"])]


async def test_a_manager_of_no_participating_department(api, org: Org):
    assert await _refused_create(api, org, org.hr_manager, departments=("it", "facilities")) == [
        ("FORBIDDEN", ["input", "departmentIds"])
    ]


@pytest.mark.parametrize("who", ["it_agent", "employee"])
async def test_only_managers_and_admins_set_goals(api, org: Org, who):
    assert await _refused_create(api, org, getattr(org, who)) == [("FORBIDDEN", None)]


async def test_no_key_results(api, org: Org):
    assert await _refused_create(api, org, key_results=[]) == [("KEY_RESULTS_REQUIRED", ["input", "keyResults"])]


async def test_a_blank_key_result_title(api, org: Org):
    assert await _refused_create(api, org, key_results=[key_result("OPEN_BACKLOG", 3, title="  ")]) == [
        ("INVALID_INPUT", KR0 + ["title"])
    ]


async def test_a_scope_department_outside_the_goal(api, org: Org):
    scope = {"departmentIds": [org.gid("Department", "facilities")]}
    assert await _refused_create(
        api, org, departments=("it", "hr"), key_results=[key_result("OPEN_BACKLOG", 3, scope=scope)]
    ) == [("DEPARTMENT_NOT_PARTICIPATING", KR0 + ["scope", "departmentIds"])]


async def test_a_request_type_of_another_service(api, org: Org):
    scope = {"serviceIds": [org.gid("Service", "payroll")], "requestTypeIds": [org.gid("RequestType", "new_laptop")]}
    assert await _refused_create(api, org, key_results=[key_result("OPEN_BACKLOG", 3, scope=scope)]) == [
        ("SCOPE_MISMATCH", KR0 + ["scope", "requestTypeIds"])
    ]


async def test_a_service_that_does_not_exist(api, org: Org):
    scope = {"serviceIds": ["U2VydmljZTo5OTk"]}  # Service:999
    assert await _refused_create(api, org, key_results=[key_result("OPEN_BACKLOG", 3, scope=scope)]) == [
        ("NOT_FOUND", KR0 + ["scope", "serviceIds"])
    ]


async def test_a_journey_map_that_does_not_exist(api, org: Org):
    scope = {"journeyMapId": "Sm91cm5leU1hcDo5OTk"}  # JourneyMap:999
    assert await _refused_create(api, org, key_results=[key_result("OPEN_BACKLOG", 3, scope=scope)]) == [
        ("NOT_FOUND", KR0 + ["scope", "journeyMapId"])
    ]


# -- updates -------------------------------------------------------------------------------------------------


async def _refused_update(api, viewer, goal: dict, **input) -> list:
    return codes(await refused(api, viewer, GOAL_UPDATE, id=goal["id"], **{"expectedVersion": 1, **input}))


async def test_a_stale_version(api, org: Org):
    goal = await create_goal(api, org)
    assert await _refused_update(api, org.it_manager, goal, expectedVersion=0, title="Later") == [
        ("STALE_VERSION", ["input", "expectedVersion"])
    ]


async def test_an_agent_of_a_participating_department_reads_but_does_not_edit(api, org: Org):
    goal = await create_goal(api, org)
    assert await _refused_update(api, org.it_agent, goal, title="Mine") == [("FORBIDDEN", None)]


async def test_a_manager_of_another_department_does_not_even_see_it(api, org: Org):
    goal = await create_goal(api, org, departments=("it", "facilities"))
    assert await _refused_update(api, org.hr_manager, goal, title="Ours") == [("NOT_FOUND", ["input", "id"])]


async def test_a_manager_cannot_leave_the_goal_without_a_department_they_manage(api, org: Org):
    goal = await create_goal(api, org, departments=("it", "hr"))
    assert await _refused_update(api, org.it_manager, goal, departmentIds=[org.gid("Department", "hr")]) == [
        ("FORBIDDEN", ["input", "departmentIds"])
    ]


async def test_a_key_result_of_another_goal(api, org: Org):
    goal = await create_goal(api, org)
    other = await create_goal(api, org, title="Another")
    foreign = key_result("OPEN_BACKLOG", 3, id=other["keyResults"][0]["id"])
    assert await _refused_update(api, org.it_manager, goal, keyResults=[foreign]) == [("NOT_FOUND", KR0 + ["id"])]


async def test_a_key_result_listed_twice(api, org: Org):
    goal = await create_goal(api, org)
    same = key_result("OPEN_BACKLOG", 3, id=goal["keyResults"][0]["id"])
    assert await _refused_update(api, org.it_manager, goal, keyResults=[same, same]) == [
        ("DUPLICATE_KEY_RESULT", ["input", "keyResults", "1", "id"])
    ]


async def test_an_update_is_checked_like_a_new_goal(api, org: Org):
    goal = await create_goal(api, org)
    assert await _refused_update(api, org.it_manager, goal, periodEnd="2026-11-01T00:00:00Z") == [
        ("INVALID_PERIOD", ["input", "periodEnd"])
    ]
    assert await _refused_update(api, org.it_manager, goal, keyResults=[key_result("SLA_COMPLIANCE_RATE", 90)]) == [
        ("TARGET_OUT_OF_RANGE", KR0 + ["target"])
    ]


async def test_a_goal_that_does_not_exist(api, org: Org):
    assert codes(await refused(api, org.admin, GOAL_UPDATE, id="bogus", expectedVersion=1)) == [
        ("NOT_FOUND", ["input", "id"])
    ]


async def test_a_malformed_id_in_a_scope(api, org: Org):
    scope = {"requestTypeIds": ["bogus"]}
    assert await _refused_create(api, org, key_results=[key_result("OPEN_BACKLOG", 3, scope=scope)]) == [
        ("NOT_FOUND", KR0 + ["scope", "requestTypeIds"])
    ]


async def test_too_many_key_results(api, org: Org):
    assert await _refused_create(api, org, key_results=[key_result("OPEN_BACKLOG", i) for i in range(11)]) == [
        ("TOO_MANY_KEY_RESULTS", ["input", "keyResults"])
    ]


async def test_a_title_too_long(api, org: Org):
    assert await _refused_create(api, org, title="x" * 201) == [("INVALID_INPUT", ["input", "title"])]
