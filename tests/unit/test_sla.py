"""The SLA clock: due dates by priority, pauses, first response and the breach rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.catalog import SlaPolicy
from domain.sla import DEFAULT_POLICY, SlaClock, targets
from domain.workflow import Priority

START = datetime(2024, 12, 2, 9, 0, tzinfo=UTC)
POLICY = SlaPolicy(response_minutes=60, resolution_minutes=480)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


@pytest.mark.parametrize(
    ("priority", "response", "resolution"),
    [
        (Priority.URGENT, 15, 120),
        (Priority.HIGH, 30, 240),
        (Priority.MEDIUM, 60, 480),
        (Priority.LOW, 120, 960),
    ],
    ids=lambda v: getattr(v, "value", v),
)
def test_policies_state_medium_targets_and_priority_scales_them(priority, response, resolution):
    # given a 60/480 minute policy / when the clock starts at a priority
    clock = SlaClock.start(policy=POLICY, priority=priority, started_at=START)
    # then the due dates are scaled by that priority's factor
    assert clock.response_due_at == START + minutes(response)
    assert clock.resolution_due_at == START + minutes(resolution)
    assert clock.first_response_at is None and not clock.paused and clock.paused_seconds == 0


def test_without_a_policy_the_default_applies():
    # given no policy / when the clock starts
    clock = SlaClock.start(policy=None, priority=Priority.MEDIUM, started_at=START)
    # then the default targets (4 hours, 2 days) apply
    assert SlaPolicy(response_minutes=240, resolution_minutes=2880) == DEFAULT_POLICY
    assert clock.response_due_at == START + timedelta(hours=4)
    assert clock.resolution_due_at == START + timedelta(days=2)
    assert targets(None, Priority.URGENT) == (timedelta(hours=1), timedelta(hours=12))


def test_only_the_first_response_is_recorded():
    # given a started clock
    clock = SlaClock.start(policy=POLICY, priority=Priority.MEDIUM, started_at=START)
    # when it is responded to twice
    clock.respond(START + minutes(10))
    clock.respond(START + minutes(20))
    # then the first response counts
    assert clock.first_response_at == START + minutes(10)


def test_a_pause_extends_resolution_by_the_time_waited_but_not_response():
    # given a clock
    clock = SlaClock.start(policy=POLICY, priority=Priority.MEDIUM, started_at=START)
    # when it is paused for 90 minutes
    clock.pause(START + minutes(30))
    assert clock.paused and clock.paused_at == START + minutes(30)
    clock.resume(START + minutes(120))
    # then resolution is due 90 minutes later; response is unchanged
    assert not clock.paused
    assert clock.paused_seconds == 90 * 60
    assert clock.resolution_due_at == START + minutes(480 + 90)
    assert clock.response_due_at == START + minutes(60)


def test_pauses_add_up():
    clock = SlaClock.start(policy=POLICY, priority=Priority.MEDIUM, started_at=START)
    clock.pause(START + minutes(10))
    clock.resume(START + minutes(20))
    clock.pause(START + minutes(30))
    clock.resume(START + minutes(35))
    assert clock.paused_seconds == 15 * 60
    assert clock.resolution_due_at == START + minutes(480 + 15)


def test_pausing_a_paused_clock_keeps_the_first_pause():
    clock = SlaClock.start(policy=POLICY, priority=Priority.MEDIUM, started_at=START)
    clock.pause(START + minutes(10))
    clock.pause(START + minutes(50))
    clock.resume(START + minutes(70))
    assert clock.paused_seconds == 60 * 60


def test_resuming_a_running_clock_changes_nothing():
    clock = SlaClock.start(policy=POLICY, priority=Priority.MEDIUM, started_at=START)
    before = clock.resolution_due_at
    clock.resume(START + minutes(70))
    assert clock.resolution_due_at == before and clock.paused_seconds == 0


def test_a_resume_before_the_pause_never_shortens_the_deadline():
    # given a clock paused at 30 minutes / when resumed at an earlier time (clock skew)
    clock = SlaClock.start(policy=POLICY, priority=Priority.MEDIUM, started_at=START)
    clock.pause(START + minutes(30))
    clock.resume(START + minutes(20))
    # then nothing is taken off the deadline
    assert clock.paused_seconds == 0
    assert clock.resolution_due_at == START + minutes(480)
    assert not clock.paused


def test_reprioritising_recomputes_from_the_start_and_keeps_paused_time():
    # given a MEDIUM clock that waited 30 minutes
    clock = SlaClock.start(policy=POLICY, priority=Priority.MEDIUM, started_at=START)
    clock.pause(START + minutes(10))
    clock.resume(START + minutes(40))
    # when it becomes URGENT
    clock.reprioritise(policy=POLICY, priority=Priority.URGENT, started_at=START)
    # then targets are URGENT's from the start, plus the time paused
    assert clock.response_due_at == START + minutes(15)
    assert clock.resolution_due_at == START + minutes(120 + 30)


def test_no_response_before_the_response_deadline_is_a_breach():
    clock = SlaClock.start(policy=POLICY, priority=Priority.MEDIUM, started_at=START)
    assert not clock.breached(now=START + minutes(60), resolved_at=None)
    assert clock.breached(now=START + minutes(61), resolved_at=None)


def test_a_late_first_response_stays_a_breach():
    clock = SlaClock.start(policy=POLICY, priority=Priority.MEDIUM, started_at=START)
    clock.respond(START + minutes(61))
    assert clock.breached(now=START + minutes(62), resolved_at=None)


def test_a_timely_response_and_resolution_is_not_a_breach():
    clock = SlaClock.start(policy=POLICY, priority=Priority.MEDIUM, started_at=START)
    clock.respond(START + minutes(60))
    assert not clock.breached(now=START + minutes(480), resolved_at=None)
    assert not clock.breached(now=START + minutes(10_000), resolved_at=START + minutes(480))


def test_missing_the_resolution_deadline_is_a_breach():
    clock = SlaClock.start(policy=POLICY, priority=Priority.MEDIUM, started_at=START)
    clock.respond(START + minutes(5))
    assert clock.breached(now=START + minutes(481), resolved_at=None)
    assert clock.breached(now=START + minutes(600), resolved_at=START + minutes(481))


def test_a_paused_clock_is_frozen_at_the_pause():
    # given a clock responded to and paused shortly before its resolution deadline
    clock = SlaClock.start(policy=POLICY, priority=Priority.MEDIUM, started_at=START)
    clock.respond(START + minutes(5))
    clock.pause(START + minutes(470))
    # when the deadline passes while still paused / then it is not breached
    assert not clock.breached(now=START + minutes(2000), resolved_at=None)


def test_resolving_counts_as_the_response():
    clock = SlaClock.start(policy=POLICY, priority=Priority.MEDIUM, started_at=START)
    response_due = (clock.response_due_at - START).total_seconds() / 60
    assert not clock.breached(now=START + minutes(900), resolved_at=START + minutes(response_due - 1))
    assert clock.breached(now=START + minutes(900), resolved_at=START + minutes(response_due + 1))


def test_the_clock_stops_when_a_request_is_cancelled():
    clock = SlaClock.start(policy=POLICY, priority=Priority.MEDIUM, started_at=START)
    response_due = (clock.response_due_at - START).total_seconds() / 60
    cancelled_in_time = START + minutes(response_due - 1)
    assert not clock.breached(now=START + minutes(100_000), resolved_at=None, closed_at=cancelled_in_time)
    assert clock.breached(now=START + minutes(100_000), resolved_at=None, closed_at=START + minutes(response_due + 1))
