"""The domain's enums, exposed under the contract's names."""

from __future__ import annotations

import enum

import strawberry

from domain import api_tokens, catalog, goal_figures, goal_participation, goal_progress, goals, people, tasks, workflow

Role = strawberry.enum(people.Role, name="Role")
PersonKind = strawberry.enum(
    people.PersonKind,
    name="PersonKind",
    description=("A person signs in interactively; a service account only with its API tokens."),
)
ApiTokenScope = strawberry.enum(
    api_tokens.Scope,
    name="ApiTokenScope",
    description=(
        "What an API token may run, within its person's role: READ queries, WRITE mutations, EVENTS "
        "subscriptions, ADMIN the administration of people, departments and tokens."
    ),
)
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


Metric = strawberry.enum(
    goals.Metric,
    name="Metric",
    description=(
        "What a key result measures. Rates are fractions from 0 to 1; hours exclude time waiting on the requester."
    ),
)
TargetDirection = strawberry.enum(goals.Direction, name="TargetDirection")
GoalStatus = strawberry.enum(goal_progress.GoalStatus, name="GoalStatus")
GoalParticipationStatus = strawberry.enum(
    goal_participation.Participation,
    name="GoalParticipationStatus",
    description=(
        "Whether a department shares its figures in a goal with everyone who reads the goal: INVITED until its "
        "manager ACCEPTS (or DECLINES); a change to what the goal measures invites it again."
    ),
)
FigureWithheld = strawberry.enum(
    goal_figures.Withheld,
    name="FigureWithheld",
    description=(
        "Why a figure is not shown: SMALL_SAMPLE, it counts work you could not see over fewer than 5 samples; "
        "COMPLEMENT, shown next to the departments' parts (or, for journey runs, next to the other counts) it would "
        "give a withheld part away."
    ),
)


@strawberry.enum(description="What a figure counts.")
class FigureCoverage(enum.Enum):
    ALL_WORK = strawberry.enum_value(
        "ALL_WORK", description="Every sample in scope: the department accepted the goal (or you are an admin)."
    )
    VISIBLE_WORK = strawberry.enum_value(
        "VISIBLE_WORK", description="Only the work you could see anyway (your department's): it has not accepted."
    )
