"""One line of text per event type, for timelines and notifications."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

Payload = dict[str, Any]

TEMPLATES: dict[str, Callable[[Payload], str]] = {
    "RequestCreated": lambda p: f"Raised REQ-{p.get('number')}: {p.get('title', '')}",
    "RequestUpdated": lambda p: "Changed " + ", ".join(sorted(p.get("changes", {}))),
    "RequestTransitioned": lambda p: f"Moved from {p.get('from')} to {p.get('to')}"
    + (f" ({p['reason']})" if p.get("reason") else ""),
    "RequestAssigned": lambda p: "Assigned" if p.get("assigneeId") else "Unassigned",
    "RequestHandedOff": lambda p: f"Handed off to another department: {p.get('reason', '')}",
    "RequestRated": lambda p: f"Rated {p.get('score')}/5",
    "WatcherAdded": lambda p: "Started watching",
    "WatcherRemoved": lambda p: "Stopped watching",
    "CommentAdded": lambda p: f"Commented: {p.get('excerpt', '')}",
    "TaskAdded": lambda p: f"Added task: {p.get('title', '')}",
    "TaskCompleted": lambda p: "Completed a task",
    "DepartmentCreated": lambda p: f"Created department {p.get('name', '')}",
    "PersonCreated": lambda p: f"Added {p.get('name', '')} as {p.get('role', '')}",
    "ServiceCreated": lambda p: f"Added service {p.get('name', '')}",
    "ServiceUpdated": lambda p: "Changed service " + ", ".join(sorted(p.get("changes", {}))),
    "RequestTypeCreated": lambda p: f"Added request type {p.get('name', '')}",
}


def summarise(event_type: str, payload: Payload) -> str:
    template = TEMPLATES.get(event_type)
    return template(payload) if template else event_type
