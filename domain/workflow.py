"""The request status workflow: which moves are legal."""

from __future__ import annotations

import enum


class RequestStatus(enum.Enum):
    NEW = "NEW"
    TRIAGED = "TRIAGED"
    IN_PROGRESS = "IN_PROGRESS"
    WAITING_ON_REQUESTER = "WAITING_ON_REQUESTER"
    WAITING_ON_DEPARTMENT = "WAITING_ON_DEPARTMENT"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class Priority(enum.Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    URGENT = "URGENT"


S = RequestStatus
WORKING = frozenset({S.TRIAGED, S.IN_PROGRESS, S.WAITING_ON_REQUESTER, S.WAITING_ON_DEPARTMENT})
OPEN = frozenset({S.NEW}) | WORKING
DONE = frozenset({S.RESOLVED, S.CLOSED, S.CANCELLED})

TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    S.NEW: frozenset({S.TRIAGED, S.IN_PROGRESS, S.WAITING_ON_REQUESTER, S.RESOLVED, S.CANCELLED}),
    S.TRIAGED: frozenset({S.IN_PROGRESS, S.WAITING_ON_REQUESTER, S.WAITING_ON_DEPARTMENT, S.RESOLVED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.WAITING_ON_REQUESTER, S.WAITING_ON_DEPARTMENT, S.RESOLVED, S.CANCELLED}),
    S.WAITING_ON_REQUESTER: frozenset({S.IN_PROGRESS, S.RESOLVED, S.CANCELLED}),
    # Resolving waits for the open tasks; finishing the last one resumes work (domain.requests).
    S.WAITING_ON_DEPARTMENT: frozenset({S.IN_PROGRESS, S.CANCELLED}),
    # Reopening a resolved request goes back to work; closing makes it final.
    S.RESOLVED: frozenset({S.IN_PROGRESS, S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}


def is_legal(source: RequestStatus, target: RequestStatus) -> bool:
    return target in TRANSITIONS[source]
