"""Tasks: the pieces of a request that other departments do."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class TaskStatus(enum.Enum):
    OPEN = "OPEN"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


@dataclass
class Task:
    id: int
    request_id: int
    title: str
    department_id: int
    status: TaskStatus = TaskStatus.OPEN
    assignee_id: int | None = None
    created_at: datetime | None = None
    completed_at: datetime | None = None
