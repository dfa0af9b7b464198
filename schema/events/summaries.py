"""One line of text per event type, for timelines and notifications.

Each template is data (a tuple of parts), not code, so the same definition renders here in
Python and as SQL in the compiled read path (schema.compiled.summaries): one source for both.
A part reads the payload as an f-string would: `Value("n")` is `f"{p.get('n')}"`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Payload = dict[str, Any]


@dataclass(frozen=True)
class Read:
    """A part that reads one key of the payload."""

    key: str


@dataclass(frozen=True)
class Value(Read):
    """`f"{p.get(key, missing)}"`: a payload value as Python formats it (`missing` when absent)."""

    missing: str = "None"


class SortedKeys(Read):
    """`", ".join(sorted(p.get(key, {})))`: what an update changed."""


class Joined(Read):
    """`", ".join(p.get(key, []))`."""


class Count(Read):
    """`len(p.get(key) or [])`."""


class Successor(Read):
    """`(p.get(key) or 0) + 1`: a position counted from one."""


@dataclass(frozen=True)
class When(Read):
    """`then` when the payload's value is truthy, else `otherwise`."""

    then: tuple[Part, ...]
    otherwise: tuple[Part, ...] = ()


Part = str | Value | SortedKeys | Joined | Count | Successor | When

TEMPLATES: dict[str, tuple[Part, ...]] = {
    "RequestCreated": ("Raised REQ-", Value("number"), ": ", Value("title", "")),
    "RequestUpdated": ("Changed ", SortedKeys("changes")),
    "RequestTransitioned": (
        "Moved from ",
        Value("from"),
        " to ",
        Value("to"),
        When("reason", (" (", Value("reason"), ")")),
    ),
    "RequestAssigned": (When("assigneeId", ("Assigned",), ("Unassigned",)),),
    "RequestHandedOff": ("Handed off to another department: ", Value("reason", "")),
    "RequestRated": ("Rated ", Value("score"), "/5"),
    "WatcherAdded": ("Started watching",),
    "WatcherRemoved": ("Stopped watching",),
    "CommentAdded": ("Commented: ", Value("excerpt", "")),
    "TaskAdded": ("Added task: ", Value("title", "")),
    "TaskCompleted": ("Completed a task",),
    "DepartmentCreated": ("Created department ", Value("name", "")),
    "PersonCreated": ("Added ", Value("name", ""), " as ", Value("role", "")),
    "PersonRoleChanged": ("Made ", Value("name", ""), " ", Value("role", ""), " (was ", Value("from", ""), ")"),
    "PersonUpdated": ("Changed ", Value("name", ""), ": ", Joined("changed")),
    "PersonDeactivated": ("Deactivated ", Value("name", "")),
    "PersonReactivated": ("Reactivated ", Value("name", "")),
    "ServiceAccountCreated": ("Added service account ", Value("name", ""), " as ", Value("role", "")),
    "ApiTokenCreated": ("Made API token ", Value("tokenName", ""), " for ", Value("name", "")),
    "ApiTokenRevoked": ("Revoked API token ", Value("tokenName", ""), " of ", Value("name", "")),
    "ServiceCreated": ("Added service ", Value("name", "")),
    "ServiceUpdated": ("Changed service ", SortedKeys("changes")),
    "RequestTypeCreated": ("Added request type ", Value("name", "")),
    "JourneyMapCreated": ("Mapped journey ", Value("name", ""), " (version ", Value("version"), ")"),
    "JourneyMapRetired": ("Retired journey ", Value("name", ""), " (version ", Value("version"), ")"),
    "JourneyRunStarted": ("Started ", Value("map", "a journey"), " for ", Value("subject", "")),
    "JourneyStageEntered": (
        "Entered stage ",
        Value("stage", ""),
        ": ",
        When("requestIds", (Count("requestIds"), " request(s) opened"), ("nothing to wait for",)),
    ),
    "JourneyStageCompleted": ("Completed stage ", Successor("position"), " in ", Value("minutes"), " min"),
    "JourneyTouchpointSkipped": ("Skipped a touchpoint: ", Value("reason", "")),
    "JourneyRunCompleted": ("Completed the journey in ", Value("minutes"), " min"),
    "SharedGoalCreated": ("Set shared goal ", Value("title", "")),
    "SharedGoalUpdated": ("Changed shared goal ", Value("title", ""), ": ", Joined("changed")),
    "SharedGoalAccepted": ("Accepted shared goal ", Value("title", ""), ": its figures are shared"),
    "SharedGoalDeclined": ("Declined shared goal ", Value("title", ""), ": its figures are not shared"),
    "JourneyRunCancelled": (
        "Cancelled the journey",
        When(
            "reason",
            (
                ": ",
                Value("reason"),
            ),
        ),
    ),
}


def summarise(event_type: str, payload: Payload) -> str:
    template = TEMPLATES.get(event_type)
    return _render(template, payload) if template is not None else event_type


def _render(parts: tuple[Part, ...], p: Payload) -> str:
    return "".join(_part(part, p) for part in parts)


def _part(part: Part, p: Payload) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, Value):
        return f"{p[part.key]}" if part.key in p else part.missing
    if isinstance(part, SortedKeys):
        return ", ".join(sorted(p.get(part.key, {})))
    if isinstance(part, Joined):
        return ", ".join(p.get(part.key, []))
    if isinstance(part, Count):
        return f"{len(p.get(part.key) or [])}"
    if isinstance(part, Successor):
        return f"{(p.get(part.key) or 0) + 1}"
    return _render(part.then if p.get(part.key) else part.otherwise, p)
