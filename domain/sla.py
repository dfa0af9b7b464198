"""The SLA clock: due dates by priority, paused while waiting on the requester."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.catalog import SlaPolicy
from domain.workflow import Priority

# Used when a request has no request type, or its type has no policy.
DEFAULT_POLICY = SlaPolicy(response_minutes=240, resolution_minutes=2880)

# Policies state MEDIUM targets; urgent work is due sooner, low-priority work later.
PRIORITY_FACTOR = {
    Priority.URGENT: 0.25,
    Priority.HIGH: 0.5,
    Priority.MEDIUM: 1.0,
    Priority.LOW: 2.0,
}


@dataclass
class SlaClock:
    response_due_at: datetime
    resolution_due_at: datetime
    first_response_at: datetime | None = None
    paused_at: datetime | None = None
    paused_seconds: int = 0

    @classmethod
    def start(cls, *, policy: SlaPolicy | None, priority: Priority, started_at: datetime) -> SlaClock:
        response, resolution = targets(policy, priority)
        return cls(response_due_at=started_at + response, resolution_due_at=started_at + resolution)

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def respond(self, at: datetime) -> None:
        # The earliest response counts, also when two racing replies are written in the other order.
        if self.first_response_at is None or at < self.first_response_at:
            self.first_response_at = at

    def pause(self, at: datetime) -> None:
        if self.paused_at is None:
            self.paused_at = at

    def resume(self, at: datetime) -> None:
        if self.paused_at is not None:
            waited = max(timedelta(0), at - self.paused_at)
            self.paused_seconds += int(waited.total_seconds())
            self.resolution_due_at += waited
            self.paused_at = None

    def reprioritise(self, *, policy: SlaPolicy | None, priority: Priority, started_at: datetime) -> None:
        response, resolution = targets(policy, priority)
        self.response_due_at = started_at + response
        self.resolution_due_at = started_at + resolution + timedelta(seconds=self.paused_seconds)

    def breached(self, *, now: datetime, resolved_at: datetime | None, closed_at: datetime | None = None) -> bool:
        """Same rule as BREACHED in db.read.requests, so lists and counts agree.

        The clock stops when the request ends: at resolution, or at closing for a request
        cancelled unresolved. Resolving counts as responding.
        """
        ended = resolved_at or closed_at
        responded = self.first_response_at or resolved_at
        if (responded or ended or now) > self.response_due_at:
            return True
        return (ended or self.paused_at or now) > self.resolution_due_at


def targets(policy: SlaPolicy | None, priority: Priority) -> tuple[timedelta, timedelta]:
    policy = policy or DEFAULT_POLICY
    factor = PRIORITY_FACTOR[priority]
    return (timedelta(minutes=policy.response_minutes * factor), timedelta(minutes=policy.resolution_minutes * factor))
