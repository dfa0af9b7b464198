"""Inputs for reading and changing requests."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.enums import OrderDirection, Priority, RequestOrderField, RequestStatus


@strawberry.input
class RequestFilter:
    status: list[RequestStatus] | None = None
    priority: list[Priority] | None = None
    service_id: strawberry.ID | None = None
    owner_department_id: strawberry.ID | None = None
    assignee_id: strawberry.ID | None = None
    unassigned: bool | None = None
    requester_id: strawberry.ID | None = None
    search: str | None = strawberry.field(default=None, description="Words (prefixes) in title or description.")
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = strawberry.field(
        default=None, description="Changed after this instant: for incremental sync."
    )
    sla_breached: bool | None = None
    open_task_department_id: strawberry.ID | None = strawberry.field(
        default=None, description="Requests on which this department has an open task: its share of the work."
    )


@strawberry.input
class RequestOrder:
    field: RequestOrderField = RequestOrderField.CREATED_AT
    direction: OrderDirection = OrderDirection.DESC


@strawberry.input
class FieldValueInput:
    key: str
    value: str | None = None


@strawberry.input
class RequestCreateInput:
    service_id: strawberry.ID
    title: str
    request_type_id: strawberry.ID | None = None
    description: str | None = None
    priority: Priority | None = None
    fields: list[FieldValueInput] | None = None
    requester_id: strawberry.ID | None = strawberry.field(
        default=None, description="Raise on someone's behalf (the owning department's agents)."
    )
    idempotency_key: str | None = None


@strawberry.input
class RequestUpdateInput:
    id: strawberry.ID
    expected_version: int
    title: str | None = None
    description: str | None = None
    priority: Priority | None = None
    fields: list[FieldValueInput] | None = None


@strawberry.input
class RequestTransitionInput:
    id: strawberry.ID
    to: RequestStatus
    expected_version: int
    reason: str | None = None


@strawberry.input
class RequestAssignInput:
    id: strawberry.ID
    expected_version: int
    assignee_id: strawberry.ID | None = None


@strawberry.input
class RequestHandOffInput:
    id: strawberry.ID
    to_department_id: strawberry.ID
    reason: str
    expected_version: int


@strawberry.input
class RequestRateInput:
    id: strawberry.ID
    score: int
    comment: str | None = None


@strawberry.input
class RequestWatchInput:
    id: strawberry.ID
    watching: bool = True
    person_id: strawberry.ID | None = strawberry.field(
        default=None, description="Someone else to (un)watch: the owning department's agents only."
    )


@strawberry.input
class CommentAddInput:
    request_id: strawberry.ID
    body: str
    internal: bool | None = False
    idempotency_key: str | None = None


@strawberry.input
class TaskAddInput:
    request_id: strawberry.ID
    title: str
    department_id: strawberry.ID
    assignee_id: strawberry.ID | None = None
    expected_version: int | None = None


@strawberry.input
class TaskCompleteInput:
    id: strawberry.ID
