"""Key result values against hand-computed numbers on a fixed month of work, hand-offs included.

December 2026 (30 days); the goal is read on 16 December 00:00, half way through. Every request
is MEDIUM on a service with the default SLA (response 4 h, resolution 48 h) unless said otherwise.

  A  laptops  raised 2 Dec 09:00, IT responds 10:00, IT resolves 12:00 (3 h)        rated 4
  B  laptops  raised 3 Dec 09:00, IT responds 10:00, hands to Facilities 11:00,
              Facilities resolves 19:00 (10 h)                                       rated 2
  C  laptops  raised 4 Dec 09:00, IT responds 10:00, IT holds it past its deadline
              (6 Dec 09:00), hands to HR 7 Dec 09:00, HR resolves 11:00 (74 h): a breach
  D  payroll  raised 5 Dec 09:00, HR responds 10:00, still open: deadline 7 Dec 09:00 passed
  E  laptops  raised 14 Dec 09:00, untouched: response late, resolution due 16 Dec 09:00 (not yet)
  F  laptops  raised 10 Dec 09:00, IT responds 09:30, waits on the requester 10:00 until she
              replies 11 Dec 10:00 (24 h paused), IT resolves 12:00 (27 h - 24 h = 3 h)     rated 5
  G  laptops  raised and resolved 28 Nov: before the period, never counted

Hand-computed:
  resolved in December: A (IT), B (Facilities), C (HR: it owned C when C was resolved), F (IT) = 4
  resolution hours 3, 3, 10, 74: median (3 + 10) / 2 = 6.5; p90 at rank 0.9 x 3 = 2.7:
    10 + 0.7 x (74 - 10) = 54.8. IT: 3, 3. Facilities: 10. HR: 74.
  SLA outcomes: A met (IT), B met (Facilities), F met (IT), C breached - credited to IT, which held
    it when the deadline passed -, D breached (HR, unresolved past its deadline); E undecided.
    3 / 5 = 0.6. IT 2 / 3, Facilities 1 / 1, HR 0 / 1.
  CSAT: 4 (IT), 2 (Facilities), 5 (IT): 11 / 3. IT 4.5, Facilities 2, HR none.
  open backlog: D (HR), E (IT) = 2.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.graphql.goal_ops import by_department, create_goal, fetch_goal, key_result
from tests.graphql.request_ops import HAND_OFF, RATE, act, comment, fetch, move, ok, raise_request
from tests.support.org import Org

DEC = datetime(2026, 12, 1, tzinfo=UTC)
READ_AT = datetime(2026, 12, 16, tzinfo=UTC)


def day(d: int, hour: int, minute: int = 0) -> datetime:
    return DEC + timedelta(days=d - 1, hours=hour, minutes=minute)


async def _hand_off(api, viewer, request, department_id: str, *, receiver) -> dict:
    """Hand `request` on; it is read back as someone of the receiving department (the giver may no
    longer see it)."""
    payload = await act(
        api,
        viewer,
        HAND_OFF,
        id=request["id"],
        toDepartmentId=department_id,
        reason="Theirs",
        expectedVersion=request["version"],
    )
    assert payload["userErrors"] == []
    return await fetch(api, receiver, request["id"])


async def _raised(api, org: Org, at: datetime, service: str = "laptops") -> dict:
    api.at(at)
    return await raise_request(api, org, org.employee, service=service)


async def _moved(api, at: datetime, viewer, request: dict, *statuses: str) -> dict:
    api.at(at)
    return await move(api, viewer, request, *statuses)


async def _rate(api, org: Org, at: datetime, request: dict, score: int) -> None:
    api.at(at)
    ok(await act(api, org.employee, RATE, id=request["id"], score=score))


@pytest.fixture
async def december(api, org: Org):
    """The month of work above."""
    hr, facilities = org.gid("Department", "hr"), org.gid("Department", "facilities")
    g = await _raised(api, org, datetime(2026, 11, 28, 9, tzinfo=UTC))
    await _moved(api, datetime(2026, 11, 28, 10, tzinfo=UTC), org.it_agent, g, "RESOLVED")
    a = await _raised(api, org, day(2, 9))
    a = await _moved(api, day(2, 10), org.it_agent, a, "IN_PROGRESS")
    a = await _moved(api, day(2, 12), org.it_agent, a, "RESOLVED")
    await _rate(api, org, day(2, 13), a, 4)
    b = await _raised(api, org, day(3, 9))
    b = await _moved(api, day(3, 10), org.it_agent, b, "IN_PROGRESS")
    api.at(day(3, 11))
    b = await _hand_off(api, org.it_agent, b, facilities, receiver=org.fac_agent)
    b = await _moved(api, day(3, 19), org.fac_agent, b, "RESOLVED")
    await _rate(api, org, day(4, 9), b, 2)
    c = await _raised(api, org, day(4, 9))
    c = await _moved(api, day(4, 10), org.it_agent, c, "IN_PROGRESS")
    api.at(day(7, 9))
    c = await _hand_off(api, org.it_agent, c, hr, receiver=org.hr_agent)
    await _moved(api, day(7, 11), org.hr_agent, c, "RESOLVED")
    d = await _raised(api, org, day(5, 9), service="payroll")
    await _moved(api, day(5, 10), org.hr_agent, d, "IN_PROGRESS")
    await _raised(api, org, day(14, 9))
    f = await _raised(api, org, day(10, 9))
    f = await _moved(api, day(10, 9, 30), org.it_agent, f, "IN_PROGRESS")
    f = await _moved(api, day(10, 10), org.it_agent, f, "WAITING_ON_REQUESTER")
    api.at(day(11, 10))
    await comment(api, org.employee, f, "Here is the asset tag")
    f = await _moved(api, day(11, 12), org.it_agent, {**f, "version": f["version"] + 1}, "RESOLVED")
    await _rate(api, org, day(11, 13), f, 5)
    api.at(READ_AT)


async def _goal_with(api, org: Org, *key_results: dict) -> list[dict]:
    api.at(day(1, 0))
    goal = await create_goal(api, org, key_results=list(key_results))
    api.at(READ_AT)
    return (await fetch_goal(api, org.admin, goal["id"]))["keyResults"]


async def test_requests_resolved_are_credited_to_the_owner_at_resolution(api, org: Org, december):
    # when
    (resolved,) = await _goal_with(api, org, key_result("REQUESTS_RESOLVED", 10))
    # then
    assert (resolved["current"], resolved["sampleSize"]) == (4, 4)
    assert by_department(resolved) == {"Facilities": (1, 1), "HR": (1, 1), "IT": (2, 2)}


async def test_resolution_time_percentiles_leave_out_time_waiting_on_the_requester(api, org: Org, december):
    # when
    median, p90 = await _goal_with(
        api, org, key_result("MEDIAN_RESOLUTION_HOURS", 8), key_result("P90_RESOLUTION_HOURS", 8)
    )
    # then
    assert (median["current"], median["sampleSize"]) == (pytest.approx(6.5), 4)
    assert p90["current"] == pytest.approx(54.8)
    assert by_department(median) == {"Facilities": (10, 1), "HR": (74, 1), "IT": (3, 2)}
    assert by_department(p90) == {"Facilities": (10, 1), "HR": (74, 1), "IT": (3, 2)}


async def test_an_sla_breach_is_credited_to_the_department_that_held_the_request_when_it_broke(api, org: Org, december):
    # when
    (sla,) = await _goal_with(api, org, key_result("SLA_COMPLIANCE_RATE", 0.9))
    # then
    assert (sla["current"], sla["sampleSize"]) == (pytest.approx(0.6), 5)
    assert by_department(sla) == {"Facilities": (1.0, 1), "HR": (0.0, 1), "IT": (round(2 / 3, 4), 3)}


async def test_csat_and_backlog(api, org: Org, december):
    # when
    csat, backlog = await _goal_with(api, org, key_result("CSAT_AVERAGE", 4), key_result("OPEN_BACKLOG", 2))
    # then
    assert (csat["current"], csat["sampleSize"]) == (pytest.approx(11 / 3), 3)
    assert by_department(csat) == {"Facilities": (2.0, 1), "HR": (None, 0), "IT": (4.5, 2)}
    assert (backlog["current"], backlog["sampleSize"]) == (2, 2)
    assert by_department(backlog) == {"Facilities": (0, 0), "HR": (1, 1), "IT": (1, 1)}


async def test_scopes_narrow_the_work_measured(api, org: Org, december):
    # when
    payroll, it_only = await _goal_with(
        api,
        org,
        key_result("SLA_COMPLIANCE_RATE", 0.9, scope={"serviceIds": [org.gid("Service", "payroll")]}),
        key_result("SLA_COMPLIANCE_RATE", 0.9, scope={"departmentIds": [org.gid("Department", "it")]}),
    )
    # then: payroll is D alone; IT's share is A, F and C's breach
    assert (payroll["current"], payroll["sampleSize"]) == (0.0, 1)
    assert (it_only["current"], it_only["sampleSize"]) == (pytest.approx(2 / 3), 3)
    assert by_department(it_only) == {"IT": (round(2 / 3, 4), 3)}


async def test_progress_and_status_half_way_through_the_period(api, org: Org, december):
    # when
    resolved, sla, median, p90, csat, backlog = await _goal_with(
        api,
        org,
        key_result("REQUESTS_RESOLVED", 10),
        key_result("SLA_COMPLIANCE_RATE", 0.9),
        key_result("MEDIAN_RESOLUTION_HOURS", 8),
        key_result("P90_RESOLUTION_HOURS", 8),
        key_result("CSAT_AVERAGE", 4),
        key_result("OPEN_BACKLOG", 2),
    )
    # then: a count accrues (expected 0.5 by now: 0.4 is within 80% of it); levels must hold (expected 1)
    assert (resolved["progress"], resolved["status"]) == (pytest.approx(0.4), "AT_RISK")
    assert (sla["progress"], sla["status"]) == (pytest.approx(0.6 / 0.9), "OFF_TRACK")
    assert (median["progress"], median["status"]) == (1.0, "ON_TRACK")
    assert (p90["progress"], p90["status"]) == (pytest.approx(8 / 54.8), "OFF_TRACK")
    assert (csat["progress"], csat["status"]) == (pytest.approx(11 / 12), "AT_RISK")
    assert (backlog["progress"], backlog["status"]) == (1.0, "ON_TRACK")


async def test_the_goal_rolls_up_its_key_results(api, org: Org, december):
    # given
    api.at(day(1, 0))
    goal = await create_goal(
        api, org, key_results=[key_result("MEDIAN_RESOLUTION_HOURS", 8), key_result("CSAT_AVERAGE", 4)]
    )
    # when
    api.at(READ_AT)
    read = await fetch_goal(api, org.admin, goal["id"])  # IT's agent counts only what IT may see (test_goal_privacy)
    # then: the mean progress, the worst status
    assert read["progress"] == pytest.approx((1 + 11 / 12) / 2)
    assert read["status"] == "AT_RISK"


async def test_after_the_period_a_met_target_is_achieved(api, org: Org, december):
    # given
    api.at(day(1, 0))
    goal = await create_goal(
        api, org, key_results=[key_result("REQUESTS_RESOLVED", 4), key_result("MEDIAN_RESOLUTION_HOURS", 8)]
    )
    # when
    api.at(datetime(2027, 1, 5, tzinfo=UTC))
    read = await fetch_goal(api, org.admin, goal["id"])
    # then
    assert [k["status"] for k in read["keyResults"]] == ["ACHIEVED", "ACHIEVED"]
    assert read["status"] == "ACHIEVED"
