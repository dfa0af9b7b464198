"""Domain events: every change records one, past tense, stored with the change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Event:
    type: str
    occurred_at: datetime
    actor_id: int | None
    payload: dict[str, Any] = field(default_factory=dict)
    request_id: int | None = None
    journey_run_id: int | None = None
    # Departments the event concerns: drives who may see it and which queues it touches.
    department_ids: tuple[int, ...] = ()
    # Internal events (internal comments) are hidden from requesters.
    internal: bool = False
