"""Progress and status of key results and goals, from a computed current value and the clock.

Progress (0..1) says how close the current value is to the target:
- AT_LEAST: current / target (1 when the target is 0), capped at 1;
- AT_MOST: 1 when current <= target, else target / current;
- no value yet (no samples for a rate, an average or a percentile): 0.

Status compares progress with where the key result should be by now. `elapsed` is the share
of the period gone (0 before it starts, 1 once it has ended).
1. The period is over: ACHIEVED when the target is met, else OFF_TRACK.
2. The target is met: ACHIEVED for an at-least count of resolved requests (a count that only
   grows cannot lose it again); ON_TRACK for every other metric, which can still slip.
3. No value yet (a rate, an average or a percentile with no samples): ON_TRACK, nothing has
   gone wrong so far; counts always have a value (0).
4. Otherwise the expected progress is the pace for REQUESTS_RESOLVED AT_LEAST (a count accrues
   over the period: the whole requests due by now, floor(elapsed x target), over the target) and
   1 for every level (a rate, an average, a percentile, a backlog must hold
   all along): ON_TRACK when progress >= expected, AT_RISK when progress >= 0.8 x expected,
   OFF_TRACK below that.
A goal's progress is the mean of its key results' progress; its status is the worst of theirs
(OFF_TRACK < AT_RISK < ON_TRACK < ACHIEVED), so a goal is ACHIEVED only when every key result is.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from datetime import datetime

from domain.goals import Direction, Metric

AT_RISK_SHARE = 0.8


class GoalStatus(enum.Enum):
    ON_TRACK = "ON_TRACK"
    AT_RISK = "AT_RISK"
    OFF_TRACK = "OFF_TRACK"
    ACHIEVED = "ACHIEVED"


# Worst first: a goal takes the worst status of its key results.
SEVERITY = (GoalStatus.OFF_TRACK, GoalStatus.AT_RISK, GoalStatus.ON_TRACK, GoalStatus.ACHIEVED)


def progress(*, direction: Direction, target: float, current: float | None) -> float:
    if current is None:
        return 0.0
    if direction is Direction.AT_LEAST:
        return 1.0 if current >= target else max(0.0, current / target)
    return 1.0 if current <= target else max(0.0, target / current)


def elapsed(*, period_start: datetime, period_end: datetime, now: datetime) -> float:
    share = (now - period_start) / (period_end - period_start)
    return min(1.0, max(0.0, share))


def accrues(metric: Metric, direction: Direction) -> bool:
    """A count that builds up over the period toward an at-least target."""
    return metric is Metric.REQUESTS_RESOLVED and direction is Direction.AT_LEAST


def status(
    *, metric: Metric, direction: Direction, target: float, progress: float, measured: bool, elapsed: float
) -> GoalStatus:
    met = progress >= 1.0
    if elapsed >= 1.0:
        return GoalStatus.ACHIEVED if met else GoalStatus.OFF_TRACK
    if met:
        return GoalStatus.ACHIEVED if accrues(metric, direction) else GoalStatus.ON_TRACK
    if not measured:
        return GoalStatus.ON_TRACK
    expected = _pace(elapsed, target) if accrues(metric, direction) else 1.0
    if progress >= expected:
        return GoalStatus.ON_TRACK
    if progress >= AT_RISK_SHARE * expected:
        return GoalStatus.AT_RISK
    return GoalStatus.OFF_TRACK


def _pace(elapsed: float, target: float) -> float:
    """The share of an accruing target due by now, in whole requests: none is due in the first
    moments of a period, so a fresh goal is not off track."""
    return math.floor(elapsed * target + 1e-9) / target if target > 0 else 0.0


def goal_progress(progresses: Sequence[float]) -> float:
    return sum(progresses) / len(progresses) if progresses else 0.0


def goal_status(statuses: Sequence[GoalStatus]) -> GoalStatus:
    if not statuses:
        return GoalStatus.ON_TRACK
    return min(statuses, key=SEVERITY.index)
