"""Progress and status rules of key results and goals (domain.goal_progress)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.goal_progress import GoalStatus, elapsed, goal_progress, goal_status, progress, status
from domain.goals import Direction, Metric

S = GoalStatus
START = datetime(2026, 12, 1, tzinfo=UTC)
END = START + timedelta(days=10)


@pytest.mark.parametrize(
    ("direction", "target", "current", "expected"),
    [
        (Direction.AT_LEAST, 0.9, 0.45, 0.5),
        (Direction.AT_LEAST, 0.9, 0.95, 1.0),
        (Direction.AT_LEAST, 0, 0, 1.0),
        (Direction.AT_MOST, 8, 16, 0.5),
        (Direction.AT_MOST, 8, 4, 1.0),
        (Direction.AT_MOST, 0, 3, 0.0),
        (Direction.AT_MOST, 0, 0, 1.0),
        (Direction.AT_LEAST, 0.9, None, 0.0),
        (Direction.AT_MOST, 8, None, 0.0),
    ],
)
def test_progress(direction, target, current, expected):
    assert progress(direction=direction, target=target, current=current) == pytest.approx(expected)


def test_elapsed_is_the_share_of_the_period_gone_kept_within_0_and_1():
    assert elapsed(period_start=START, period_end=END, now=START - timedelta(days=1)) == 0
    assert elapsed(period_start=START, period_end=END, now=START + timedelta(days=4)) == pytest.approx(0.4)
    assert elapsed(period_start=START, period_end=END, now=END + timedelta(days=1)) == 1


def _status(
    metric=Metric.SLA_COMPLIANCE_RATE, direction=Direction.AT_LEAST, *, progress, elapsed, measured=True, target=10
):
    return status(
        metric=metric, direction=direction, target=target, progress=progress, measured=measured, elapsed=elapsed
    )


@pytest.mark.parametrize(
    ("progress_now", "elapsed_now", "expected"),
    [
        (0.5, 0.5, S.ON_TRACK),  # on pace
        (0.4, 0.5, S.AT_RISK),  # 80% of the pace
        (0.39, 0.5, S.OFF_TRACK),
        (1.0, 0.3, S.ACHIEVED),  # a count that only grows keeps what it reached
        (0.0, 0.0, S.ON_TRACK),  # nothing expected yet
        (0.0, 0.09, S.ON_TRACK),  # not one whole request of the 10 due yet
        (0.0, 0.1, S.OFF_TRACK),  # one due, none resolved
        (0.4, 0.59, S.AT_RISK),  # 5 due (floor 5.9), 4 resolved
        (0.99, 1.0, S.OFF_TRACK),  # the period is over
    ],
)
def test_a_count_of_resolved_requests_accrues_over_the_period(progress_now, elapsed_now, expected):
    assert _status(Metric.REQUESTS_RESOLVED, progress=progress_now, elapsed=elapsed_now) is expected


@pytest.mark.parametrize(
    ("progress_now", "elapsed_now", "expected"),
    [
        (1.0, 0.1, S.ON_TRACK),  # met now, but a level can still slip
        (0.85, 0.1, S.AT_RISK),  # levels must hold all along, early or late
        (0.85, 0.9, S.AT_RISK),
        (0.7, 0.1, S.OFF_TRACK),
        (1.0, 1.0, S.ACHIEVED),
        (0.9, 1.0, S.OFF_TRACK),
    ],
)
def test_a_level_must_hold_all_along(progress_now, elapsed_now, expected):
    assert (
        _status(Metric.P90_RESOLUTION_HOURS, Direction.AT_MOST, progress=progress_now, elapsed=elapsed_now) is expected
    )


def test_an_at_most_count_of_resolved_requests_is_a_level():
    assert _status(Metric.REQUESTS_RESOLVED, Direction.AT_MOST, progress=1.0, elapsed=0.5) is S.ON_TRACK


def test_no_samples_yet_is_on_track_until_the_period_ends():
    assert _status(progress=0.0, elapsed=0.7, measured=False) is S.ON_TRACK
    assert _status(progress=0.0, elapsed=1.0, measured=False) is S.OFF_TRACK


def test_a_goal_takes_the_mean_progress_and_the_worst_status():
    assert goal_progress([1.0, 0.5, 0.0]) == pytest.approx(0.5)
    assert goal_status([S.ACHIEVED, S.ON_TRACK, S.AT_RISK]) is S.AT_RISK
    assert goal_status([S.ACHIEVED, S.OFF_TRACK]) is S.OFF_TRACK
    assert goal_status([S.ACHIEVED, S.ACHIEVED]) is S.ACHIEVED
    assert goal_status([S.ACHIEVED, S.ON_TRACK]) is S.ON_TRACK
