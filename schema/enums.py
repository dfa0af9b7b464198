"""The domain's enums, exposed under the contract's names."""
from __future__ import annotations

import enum

import strawberry

from domain import catalog, goal_progress, goals, people, tasks, workflow

Role = strawberry.enum(people.Role, name="Role")
Priority = strawberry.enum(workflow.Priority, name="Priority")
RequestStatus = strawberry.enum(workflow.RequestStatus, name="RequestStatus")
TaskStatus = strawberry.enum(tasks.TaskStatus, name="TaskStatus")
FieldKind = strawberry.enum(catalog.FieldKind, name="FieldKind")


@strawberry.enum
class RequestOrderField(enum.Enum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    NUMBER = "NUMBER"
    PRIORITY = "PRIORITY"
    RESOLUTION_DUE_AT = "RESOLUTION_DUE_AT"


@strawberry.enum
class OrderDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


Metric = strawberry.enum(goals.Metric, name="Metric", description=(
    "What a key result measures. Rates are fractions from 0 to 1; hours exclude time waiting on the requester."))
TargetDirection = strawberry.enum(goals.Direction, name="TargetDirection")
GoalStatus = strawberry.enum(goal_progress.GoalStatus, name="GoalStatus")
