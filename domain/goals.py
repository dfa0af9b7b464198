"""Shared goals: one goal owned by several departments, with key results measured from the work.

A key result names a metric, a scope (which work it measures) and a target with a direction.
Its current value, progress and status are never typed in: db.read.goal_values computes the
value, domain.goal_progress turns it into progress and status.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from domain import goal_participation as sharing
from domain.errors import DomainError, Forbidden, NotFound, StaleVersion
from domain.events import Event
from domain.goal_participation import Decision, Participation
from domain.people import Person
from domain.text import check_body, check_title

MAX_KEY_RESULTS = 10

T = TypeVar("T")


class Metric(enum.Enum):
    SLA_COMPLIANCE_RATE = "SLA_COMPLIANCE_RATE"
    MEDIAN_RESOLUTION_HOURS = "MEDIAN_RESOLUTION_HOURS"
    P90_RESOLUTION_HOURS = "P90_RESOLUTION_HOURS"
    JOURNEY_ON_TIME_RATE = "JOURNEY_ON_TIME_RATE"
    CSAT_AVERAGE = "CSAT_AVERAGE"
    OPEN_BACKLOG = "OPEN_BACKLOG"
    REQUESTS_RESOLVED = "REQUESTS_RESOLVED"


class Direction(enum.Enum):
    AT_LEAST = "AT_LEAST"
    AT_MOST = "AT_MOST"


RATES = frozenset({Metric.SLA_COMPLIANCE_RATE, Metric.JOURNEY_ON_TIME_RATE})
HOURS = frozenset({Metric.MEDIAN_RESOLUTION_HOURS, Metric.P90_RESOLUTION_HOURS})
COUNTS = frozenset({Metric.OPEN_BACKLOG, Metric.REQUESTS_RESOLVED})
JOURNEY_METRICS = frozenset({Metric.JOURNEY_ON_TIME_RATE})
# Journey runs open their own requests, on nobody's behalf who would rate them.
NOT_ON_JOURNEY_MAPS = frozenset({Metric.CSAT_AVERAGE})

DEFAULT_DIRECTION = {
    Metric.SLA_COMPLIANCE_RATE: Direction.AT_LEAST,
    Metric.JOURNEY_ON_TIME_RATE: Direction.AT_LEAST,
    Metric.CSAT_AVERAGE: Direction.AT_LEAST,
    Metric.REQUESTS_RESOLVED: Direction.AT_LEAST,
    Metric.MEDIAN_RESOLUTION_HOURS: Direction.AT_MOST,
    Metric.P90_RESOLUTION_HOURS: Direction.AT_MOST,
    Metric.OPEN_BACKLOG: Direction.AT_MOST,
}
MAX_HOURS = 24 * 366
DECISION_EVENTS = {Participation.ACCEPTED: "SharedGoalAccepted", Participation.DECLINED: "SharedGoalDeclined"}
# The parts of a goal an update may change.
CONTENT = ("title", "description", "period_start", "period_end", "department_ids", "key_results")


@dataclass(frozen=True)
class Scope:
    """Which work a key result measures; every axis left empty means 'no restriction', except
    departments, which default to the goal's participating departments."""

    service_ids: tuple[int, ...] = ()
    request_type_ids: tuple[int, ...] = ()
    department_ids: tuple[int, ...] = ()
    journey_map_id: int | None = None


@dataclass(frozen=True)
class KeyResult:
    id: int | None
    title: str
    metric: Metric
    direction: Direction
    target: float
    scope: Scope = field(default_factory=Scope)


@dataclass
class SharedGoal:
    id: int
    title: str
    description: str
    period_start: datetime
    period_end: datetime
    department_ids: list[int]
    key_results: list[KeyResult]
    created_by: int
    created_at: datetime
    updated_at: datetime
    version: int = 1
    # Whether each department shares its figures (domain.goal_participation).
    participation: dict[int, Decision] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)

    def check_editable_by(self, actor: Person) -> None:
        if not can_edit_goal(actor, self.department_ids):
            raise Forbidden("Only managers of a participating department change this goal.")

    def check_version(self, expected: int) -> None:
        if expected != self.version:
            raise StaleVersion(
                f"The goal changed since version {expected}; it is now at {self.version}.", field=("expectedVersion",)
            )

    def update(self, actor: Person, *, now: datetime, changes: GoalChanges) -> None:
        """Apply changes; the result is checked as a new goal would be, so a refused update changes nothing."""
        self.check_editable_by(actor)
        proposed = validated(actor, _merged(self, changes))
        changed = [n for n in CONTENT if getattr(self, n) != getattr(proposed, n)]
        if not changed:
            return
        for name in changed:
            setattr(self, name, getattr(proposed, name))
        self.version += 1
        self.updated_at = now
        before = self.participation
        self.participation = sharing.after_change(
            before, self.department_ids, actor=actor, measured=bool(sharing.MEASURED & set(changed))
        )
        self._record(
            "SharedGoalUpdated",
            actor,
            now,
            changed=[_camel(n) for n in changed],
            askedAgain=sharing.asked_again(before, self.participation),
        )

    def decide(
        self,
        actor: Person,
        *,
        department_id: int,
        status: Participation,
        now: datetime,
        expected_version: int | None = None,
    ) -> None:
        """A department accepts the goal (as of `expected_version`: what its manager read) or declines it."""
        if department_id not in self.department_ids:
            raise DomainError(
                "This department takes no part in the goal.",
                field=("departmentId",),
                code="DEPARTMENT_NOT_PARTICIPATING",
            )
        if not sharing.can_decide(actor, department_id):
            raise Forbidden(
                "Only the department's manager (or an admin) accepts or declines a goal for it.",
                field=("departmentId",),
            )
        if expected_version is not None:
            self.check_version(expected_version)
        if self.participation.get(department_id, sharing.INVITED).status is status:
            return
        self.participation[department_id] = Decision(status, actor.id, now)
        self._record(DECISION_EVENTS[status], actor, now, departmentId=department_id)

    def check_key_result_ids(self, key_results: tuple[KeyResult, ...] | None) -> None:
        """A key result sent with its id is kept (and changed in place), once; one without is new."""
        known = {k.id for k in self.key_results}
        seen: set[int] = set()
        for i, key_result in enumerate(key_results or ()):
            if key_result.id is None:
                continue
            if key_result.id not in known:
                raise NotFound("This goal has no such key result.", field=("keyResults", str(i), "id"))
            if key_result.id in seen:
                raise DomainError(
                    "A key result is listed twice.", field=("keyResults", str(i), "id"), code="DUPLICATE_KEY_RESULT"
                )
            seen.add(key_result.id)

    def _record(self, type_: str, actor: Person, now: datetime, **payload: Any) -> None:
        self.events.append(
            Event(
                type_,
                now,
                actor.id,
                {"goalId": self.id, "title": self.title, **payload},
                department_ids=tuple(sorted(self.department_ids)),
            )
        )


@dataclass(frozen=True)
class GoalChanges:
    """What an update asks for; None leaves a part as it is."""

    title: str | None = None
    description: str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    department_ids: tuple[int, ...] | None = None
    key_results: tuple[KeyResult, ...] | None = None


def can_edit_goal(actor: Person, department_ids: list[int]) -> bool:
    """Admins, and the managers of any participating department."""
    return actor.is_admin or any(actor.manages(d) for d in department_ids)


def can_view_goal(viewer: Person, department_ids: list[int]) -> bool:
    """Admins, and everyone working in a participating department (db.read.visibility mirrors it)."""
    return viewer.is_admin or (viewer.is_staff and viewer.department_id in department_ids)


def new_goal(
    actor: Person,
    *,
    id: int,
    title: str,
    description: str,
    period_start: datetime,
    period_end: datetime,
    department_ids: list[int],
    key_results: Sequence[KeyResult],
    now: datetime,
) -> SharedGoal:
    draft = SharedGoal(
        id=id,
        title=title,
        description=description,
        period_start=period_start,
        period_end=period_end,
        department_ids=list(department_ids),
        key_results=list(key_results),
        created_by=actor.id,
        created_at=now,
        updated_at=now,
    )
    goal = validated(actor, draft)
    goal.participation = sharing.on_creation(actor, goal.department_ids, now=now)
    goal._record("SharedGoalCreated", actor, now)
    return goal


def validated(actor: Person, goal: SharedGoal) -> SharedGoal:
    """The goal with its texts trimmed and ids sorted, after every rule about its content
    (checked in the order a client would fix them)."""
    title = _text(check_title, goal.title, ("title",))
    description = check_body(goal.description or "", "description")
    if goal.period_end <= goal.period_start:
        raise DomainError("The period must end after it starts.", field=("periodEnd",), code="INVALID_PERIOD")
    department_ids = sorted(set(goal.department_ids))
    if not department_ids:
        raise DomainError(
            "A shared goal needs at least one department.", field=("departmentIds",), code="DEPARTMENTS_REQUIRED"
        )
    if not can_edit_goal(actor, department_ids):
        raise Forbidden(
            "Managers set goals for their own department (together with others): include a department you manage.",
            field=("departmentIds",),
        )
    if not goal.key_results:
        raise DomainError(
            "A shared goal needs at least one key result.", field=("keyResults",), code="KEY_RESULTS_REQUIRED"
        )
    if len(goal.key_results) > MAX_KEY_RESULTS:
        raise DomainError(
            f"A goal has at most {MAX_KEY_RESULTS} key results.", field=("keyResults",), code="TOO_MANY_KEY_RESULTS"
        )
    key_results = [
        validated_key_result(k, department_ids, path=("keyResults", str(i))) for i, k in enumerate(goal.key_results)
    ]
    return replace(
        goal, title=title, description=description, department_ids=department_ids, key_results=key_results, events=[]
    )


def validated_key_result(key_result: KeyResult, department_ids: list[int], *, path: tuple[str, ...]) -> KeyResult:
    title = _text(check_title, key_result.title, path + ("title",))
    scope = key_result.scope
    scope = Scope(
        service_ids=tuple(sorted(set(scope.service_ids))),
        request_type_ids=tuple(sorted(set(scope.request_type_ids))),
        department_ids=tuple(sorted(set(scope.department_ids))),
        journey_map_id=scope.journey_map_id,
    )
    _check_scope(key_result.metric, scope, department_ids, path=path + ("scope",))
    _check_target(key_result.metric, key_result.target, path=path + ("target",))
    return replace(key_result, title=title, scope=scope, target=float(key_result.target))


def _text(check: Callable[[str], str], value: str, path: tuple[str, ...]) -> str:
    try:
        return check(value)
    except DomainError as error:
        raise DomainError(error.message, field=path, code=error.code) from None


def _check_scope(metric: Metric, scope: Scope, department_ids: list[int], *, path: tuple[str, ...]) -> None:
    if metric in JOURNEY_METRICS and (scope.service_ids or scope.request_type_ids):
        raise DomainError(
            f"{metric.value} measures journey runs, which have no service or request type.",
            field=path,
            code="UNSUPPORTED_SCOPE",
        )
    if metric in NOT_ON_JOURNEY_MAPS and scope.journey_map_id is not None:
        raise DomainError(
            f"{metric.value} cannot be scoped to a journey map: journey requests are not rated.",
            field=path + ("journeyMapId",),
            code="UNSUPPORTED_SCOPE",
        )
    outsiders = set(scope.department_ids) - set(department_ids)
    if outsiders:
        raise DomainError(
            "A key result measures only departments that take part in the goal.",
            field=path + ("departmentIds",),
            code="DEPARTMENT_NOT_PARTICIPATING",
        )


def _check_target(metric: Metric, target: float, *, path: tuple[str, ...]) -> None:
    if metric in RATES and not 0 <= target <= 1:
        problem = "A rate is a fraction from 0 to 1 (0.9 is 90%)."
    elif metric in HOURS and not 0 < target <= MAX_HOURS:
        problem = f"Hours are more than 0 and at most {MAX_HOURS}."
    elif metric is Metric.CSAT_AVERAGE and not 1 <= target <= 5:
        problem = "Satisfaction scores run from 1 to 5."
    elif metric in COUNTS and (target < 0 or target != int(target) or target > 1_000_000):
        problem = "A count is a whole number from 0 to 1,000,000."
    else:
        return
    raise DomainError(problem, field=path, code="TARGET_OUT_OF_RANGE")


def _merged(goal: SharedGoal, changes: GoalChanges) -> SharedGoal:
    def pick(new: T | None, old: T) -> T:
        return old if new is None else new

    return replace(
        goal,
        events=[],
        title=pick(changes.title, goal.title),
        description=pick(changes.description, goal.description),
        period_start=pick(changes.period_start, goal.period_start),
        period_end=pick(changes.period_end, goal.period_end),
        department_ids=list(pick(changes.department_ids, goal.department_ids)),
        key_results=list(pick(changes.key_results, goal.key_results)),
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)
