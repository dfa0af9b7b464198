"""Inputs for mapping journeys and running them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.journeys.types import JourneyRunStatus
from schema.requests.inputs import FieldValueInput


@strawberry.input
class TouchpointInput:
    name: str
    department_id: strawberry.ID
    request_type_id: strawberry.ID | None = strawberry.field(
        default=None, description="A form of a service the department owns: each run opens a request with it."
    )
    pain_points: list[str] | None = None
    fields: list[FieldValueInput] | None = strawberry.field(
        default=None, description="Values for the form; {subject}, {startDate} and {sponsor} are filled from the run."
    )


@strawberry.input
class JourneyStageInput:
    name: str
    touchpoints: list[TouchpointInput]
    target_minutes: int | None = None


@strawberry.input
class JourneyMapCreateInput:
    name: str
    stages: list[JourneyStageInput]
    description: str | None = None


@strawberry.input(description="The whole new definition: it becomes the next version, and this one retires.")
class JourneyMapReviseInput:
    id: strawberry.ID
    name: str
    stages: list[JourneyStageInput]
    description: str | None = None


@strawberry.input
class JourneyMapRetireInput:
    id: strawberry.ID


@strawberry.input
class JourneyRunStartInput:
    map_id: strawberry.ID
    subject: str = strawberry.field(description="Who the journey is for, e.g. the new hire's name.")
    sponsor_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Who the requests are raised for (their requester; you raise them): you when "
        "not given, a requester, or staff of a department taking part; admins name anyone.",
    )
    start_at: datetime | None = strawberry.field(
        default=None, description="The subject's start; now when not given, at most 30 days ago."
    )
    fields: list[FieldValueInput] | None = strawberry.field(
        default=None, description="Values, by field key, for every form of the journey that has the key."
    )


@strawberry.input
class JourneyRunCancelInput:
    id: strawberry.ID
    reason: str | None = None
    expected_version: int | None = None


@strawberry.input
class JourneyMapFilter:
    active: bool | None = strawberry.field(default=None, description="true: current versions only.")
    department_id: strawberry.ID | None = None
    search: str | None = None


@strawberry.input
class JourneyRunFilter:
    map_id: strawberry.ID | None = strawberry.field(
        default=None, description="Runs of this map: of every version of it, unless `exactVersion`."
    )
    exact_version: bool = False
    status: list[JourneyRunStatus] | None = None
    sponsor_id: strawberry.ID | None = None
    department_id: strawberry.ID | None = strawberry.field(
        default=None, description="Runs of maps in which this department owns a touchpoint."
    )
    started_after: datetime | None = None
    started_before: datetime | None = None
