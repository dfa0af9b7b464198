"""Journey runs: one subject's trip through a map, stage by stage.

A run enters a stage by opening its touchpoints' requests and leaves it when none of them
is open any more (resolved, closed or cancelled); then it enters the next, and completes
after the last. The run row is the lock every change to the run's progress takes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.errors import DomainError, StaleVersion
from domain.events import Event
from domain.journeys import JourneyMap, JourneyStage
from domain.people import Person
from domain.prefill import Prefill

MAX_SUBJECT = 120
# How far back a start date may lie: recording a journey that began last week is fine,
# back-filling last year's is not what runs are for.
MAX_START_IN_PAST = timedelta(days=30)
MAX_START_AHEAD = timedelta(days=366)


class RunStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


@dataclass
class RunStage:
    position: int
    entered_at: datetime
    left_at: datetime | None = None

    def minutes(self, now: datetime) -> float:
        return ((self.left_at or now) - self.entered_at).total_seconds() / 60


@dataclass
class RunRequest:
    """A request the run opened for one touchpoint, and whether it still holds the stage open."""

    request_id: int
    position: int
    touchpoint_id: int
    finished: bool = False


@dataclass
class JourneyRun:
    id: int
    map_id: int
    subject: str
    sponsor_id: int
    started_by_id: int
    start_at: datetime
    started_at: datetime
    prefill: Prefill
    department_ids: tuple[int, ...]  # the map's: whom the run's events concern
    status: RunStatus = RunStatus.ACTIVE
    current_position: int | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    version: int = 1
    stages: list[RunStage] = field(default_factory=list)
    requests: list[RunRequest] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    _bumped: bool = field(default=False, repr=False)

    @property
    def active(self) -> bool:
        return self.status is RunStatus.ACTIVE

    @property
    def current_stage(self) -> RunStage | None:
        return next((s for s in self.stages if s.position == self.current_position), None)

    @property
    def open_request_ids(self) -> list[int]:
        return [r.request_id for r in self.requests if not r.finished]

    def check_version(self, expected: int | None) -> None:
        if expected is not None and expected != self.version:
            raise StaleVersion(
                f"The run changed since version {expected}; it is now at {self.version}.", field=("expectedVersion",)
            )

    def _bump(self) -> None:
        if not self._bumped:
            self.version += 1
            self._bumped = True

    def _record(self, type_: str, actor: Person | None, now: datetime, **payload: Any) -> None:
        self.events.append(
            Event(
                type_,
                now,
                actor.id if actor else None,
                payload,
                journey_run_id=self.id,
                department_ids=self.department_ids,
            )
        )

    # -- progress ----------------------------------------------------------------------
    def next_position(self, journey: JourneyMap) -> int | None:
        position = 0 if self.current_position is None else self.current_position + 1
        return position if position < len(journey.stages) else None

    def enter(
        self,
        stage: JourneyStage,
        *,
        opened: list[tuple[int, int]],
        skipped: list[tuple[int, str]],
        actor: Person | None,
        now: datetime,
    ) -> None:
        """`opened`: (touchpoint, request) pairs; `skipped`: (touchpoint, why) for those opening nothing."""
        self.current_position = stage.position
        self.stages.append(RunStage(position=stage.position, entered_at=now))
        self.requests.extend(RunRequest(request_id=r, position=stage.position, touchpoint_id=tp) for tp, r in opened)
        self._bump()
        self._record(
            "JourneyStageEntered",
            actor,
            now,
            position=stage.position,
            stageId=stage.id,
            stage=stage.name,
            requestIds=[r for _, r in opened],
        )
        for touchpoint_id, reason in skipped:
            self._record(
                "JourneyTouchpointSkipped",
                actor,
                now,
                position=stage.position,
                touchpointId=touchpoint_id,
                reason=reason,
            )

    def request_changed(self, request_id: int, *, finished: bool, actor: Person | None, now: datetime) -> bool:
        """Note whether a request of the run still holds its stage open; True when this change
        left the current stage (its last open request finished)."""
        link = next((r for r in self.requests if r.request_id == request_id), None)
        if link is None or link.finished == finished:
            return False
        link.finished = finished
        if not (self.active and finished and link.position == self.current_position):
            return False
        if any(not r.finished for r in self.requests if r.position == self.current_position):
            return False
        self.leave(actor, now)
        return True

    def leave(self, actor: Person | None, now: datetime) -> None:
        stage = self.current_stage
        assert stage is not None and stage.left_at is None
        stage.left_at = now
        self._bump()
        self._record("JourneyStageCompleted", actor, now, position=stage.position, minutes=round(stage.minutes(now), 1))

    def complete(self, actor: Person | None, now: datetime) -> None:
        self.status = RunStatus.COMPLETED
        self.completed_at = now
        self._bump()
        self._record("JourneyRunCompleted", actor, now, minutes=round((now - self.started_at).total_seconds() / 60, 1))

    def cancel(self, actor: Person, *, now: datetime, reason: str | None) -> None:
        if not self.active:
            raise DomainError(
                f"The run is {self.status.value.lower()}; only an active run can be cancelled.",
                field=("id",),
                code="RUN_NOT_ACTIVE",
            )
        self.status = RunStatus.CANCELLED
        self.cancelled_at = now
        self._bump()
        self._record("JourneyRunCancelled", actor, now, reason=reason, cancelledRequestIds=self.open_request_ids)
        for link in self.requests:
            link.finished = True

    # -- measuring ---------------------------------------------------------------------
    def on_track(self, journey: JourneyMap, now: datetime) -> bool:
        """No stage took, or has so far taken, longer than its target."""
        end = self.completed_at or self.cancelled_at or now
        return all(
            within_target(s.entered_at, s.left_at, journey.stage_at(s.position).target_minutes, end=end)
            for s in self.stages
        )


def within_target(entered_at: datetime, left_at: datetime | None, target_minutes: int | None, *, end: datetime) -> bool:
    """A stage is on time when it took (or, still open at `end`, has taken) no longer than its target.
    db.read.journey_analytics counts the same way."""
    return target_minutes is None or ((left_at or end) - entered_at).total_seconds() / 60 <= target_minutes


def check_subject(subject: str) -> str:
    subject = subject.strip()
    if not subject:
        raise DomainError("Say who the journey is for.", field=("subject",))
    if len(subject) > MAX_SUBJECT:
        raise DomainError(f"The subject is longer than {MAX_SUBJECT} characters.", field=("subject",))
    return subject


def check_start(start_at: datetime, *, now: datetime) -> None:
    if start_at < now - MAX_START_IN_PAST:
        raise DomainError(
            f"The start date is more than {MAX_START_IN_PAST.days} days in the past.",
            field=("startAt",),
            code="START_TOO_FAR_IN_PAST",
        )
    if start_at > now + MAX_START_AHEAD:
        raise DomainError(
            f"The start date is more than {MAX_START_AHEAD.days} days ahead.",
            field=("startAt",),
            code="START_TOO_FAR_AHEAD",
        )


def new_run(
    *,
    id: int,
    journey: JourneyMap,
    subject: str,
    sponsor: Person,
    actor: Person,
    start_at: datetime,
    prefill: Prefill,
    now: datetime,
) -> JourneyRun:
    if not journey.active:
        raise DomainError(
            "The map is retired: start runs on its current version.", field=("mapId",), code="MAP_RETIRED"
        )
    check_start(start_at, now=now)
    run = JourneyRun(
        id=id,
        map_id=journey.id,
        subject=check_subject(subject),
        sponsor_id=sponsor.id,
        started_by_id=actor.id,
        start_at=start_at,
        started_at=now,
        prefill=prefill,
        department_ids=journey.department_ids,
    )
    run._record(
        "JourneyRunStarted",
        actor,
        now,
        mapId=journey.id,
        map=journey.name,
        version=journey.version,
        subject=run.subject,
        sponsorId=sponsor.id,
        startAt=start_at.isoformat(),
    )
    return run
