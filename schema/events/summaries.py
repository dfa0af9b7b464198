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
    "JourneyMapCreated": lambda p: f"Mapped journey {p.get('name', '')} (version {p.get('version')})",
    "JourneyMapRetired": lambda p: f"Retired journey {p.get('name', '')} (version {p.get('version')})",
    "JourneyRunStarted": lambda p: f"Started {p.get('map', 'a journey')} for {p.get('subject', '')}",
    "JourneyStageEntered": lambda p: f"Entered stage {p.get('stage', '')}: "
    + (f"{len(p.get('requestIds') or [])} request(s) opened" if p.get("requestIds") else "nothing to wait for"),
    "JourneyStageCompleted": lambda p: f"Completed stage {(p.get('position') or 0) + 1} in {p.get('minutes')} min",
    "JourneyTouchpointSkipped": lambda p: f"Skipped a touchpoint: {p.get('reason', '')}",
    "JourneyRunCompleted": lambda p: f"Completed the journey in {p.get('minutes')} min",
    "SharedGoalCreated": lambda p: f"Set shared goal {p.get('title', '')}",
    "SharedGoalUpdated": lambda p: f"Changed shared goal {p.get('title', '')}: " + ", ".join(p.get("changed", [])),
    "JourneyRunCancelled": lambda p: "Cancelled the journey" + (f": {p['reason']}" if p.get("reason") else ""),
}


def summarise(event_type: str, payload: Payload) -> str:
    template = TEMPLATES.get(event_type)
    return template(payload) if template else event_type
