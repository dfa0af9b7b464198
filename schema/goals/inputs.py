"""Inputs for shared goals."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.enums import Metric, TargetDirection


@strawberry.input
class SharedGoalFilter:
    department_id: strawberry.ID | None = strawberry.field(
        default=None, description="Goals this department takes part in."
    )
    active_at: datetime | None = strawberry.field(default=None, description="Goals whose period includes this moment.")
    search: str | None = strawberry.field(default=None, description="Words in the title.")


@strawberry.input
class KeyResultScopeInput:
    """Every list left empty means 'no restriction'; departments then default to the goal's."""

    service_ids: list[strawberry.ID] | None = None
    request_type_ids: list[strawberry.ID] | None = None
    department_ids: list[strawberry.ID] | None = None
    journey_map_id: strawberry.ID | None = None


@strawberry.input
class KeyResultInput:
    title: str
    metric: Metric
    target: float = strawberry.field(description="Rates are fractions from 0 to 1 (0.9 is 90%).")
    direction: TargetDirection | None = strawberry.field(
        default=None, description="Default: AT_MOST for hours and the backlog, AT_LEAST otherwise."
    )
    scope: KeyResultScopeInput | None = None
    id: strawberry.ID | None = strawberry.field(
        default=None, description="On update: the key result to keep and change; leave out for a new one."
    )


@strawberry.input
class SharedGoalCreateInput:
    title: str
    period_start: datetime
    period_end: datetime
    department_ids: list[strawberry.ID]
    key_results: list[KeyResultInput]
    description: str | None = None


@strawberry.input
class SharedGoalUpdateInput:
    id: strawberry.ID
    expected_version: int
    title: str | None = None
    description: str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    department_ids: list[strawberry.ID] | None = None
    key_results: list[KeyResultInput] | None = strawberry.field(
        default=None, description="The whole new list: key results left out are removed."
    )


@strawberry.input
class SharedGoalParticipationAcceptInput:
    goal_id: strawberry.ID
    department_id: strawberry.ID = strawberry.field(description="The department you manage (admins: any).")
    expected_version: int = strawberry.field(
        description="The version of the goal you read and accept: if it changed since, STALE_VERSION."
    )


@strawberry.input
class SharedGoalParticipationDeclineInput:
    goal_id: strawberry.ID
    department_id: strawberry.ID = strawberry.field(description="The department you manage (admins: any).")
