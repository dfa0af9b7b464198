"""Commands about journeys (imperative names), kept apart from domain.commands' request ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.journeys import MapSpec


@dataclass(frozen=True)
class CreateJourneyMap:
    spec: MapSpec


@dataclass(frozen=True)
class ReviseJourneyMap:
    """Replace the map's current version with a new one; runs already started keep theirs."""

    map_id: int
    spec: MapSpec


@dataclass(frozen=True)
class RetireJourneyMap:
    map_id: int


@dataclass(frozen=True)
class StartJourneyRun:
    map_id: int
    subject: str
    sponsor_id: int | None = None  # the actor when not given
    start_at: datetime | None = None  # now when not given
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CancelJourneyRun:
    run_id: int
    reason: str | None = None
    expected_version: int | None = None
