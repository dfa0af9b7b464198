"""The domain's enums, exposed under the contract's names.

Each name is the domain's class itself (so it is a type to mypy); `strawberry.enum` marks that
class for the schema in place.
"""

from __future__ import annotations

import enum

import strawberry

from domain import api_tokens, catalog, goal_figures, goal_participation, goal_progress, goals, people, tasks, workflow

Role = people.Role
strawberry.enum(Role, name="Role")
PersonKind = people.PersonKind
strawberry.enum(
    PersonKind,
    name="PersonKind",
    description=("A person signs in interactively; a service account only with its API tokens."),
)
ApiTokenScope = api_tokens.Scope
strawberry.enum(
    ApiTokenScope,
    name="ApiTokenScope",
    description=(
        "What an API token may run, within its person's role: READ queries, WRITE mutations, EVENTS "
        "subscriptions, ADMIN the administration of people, departments and tokens."
    ),
)
Priority = workflow.Priority
strawberry.enum(Priority, name="Priority")
RequestStatus = workflow.RequestStatus
strawberry.enum(RequestStatus, name="RequestStatus")
TaskStatus = tasks.TaskStatus
strawberry.enum(TaskStatus, name="TaskStatus")
FieldKind = catalog.FieldKind
strawberry.enum(FieldKind, name="FieldKind")


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


Metric = goals.Metric
strawberry.enum(
    Metric,
    name="Metric",
    description=(
        "What a key result measures. Rates are fractions from 0 to 1; hours exclude time waiting on the requester."
    ),
)
TargetDirection = goals.Direction
strawberry.enum(TargetDirection, name="TargetDirection")
GoalStatus = goal_progress.GoalStatus
strawberry.enum(GoalStatus, name="GoalStatus")
GoalParticipationStatus = goal_participation.Participation
strawberry.enum(
    GoalParticipationStatus,
    name="GoalParticipationStatus",
    description=(
        "Whether a department shares its figures in a goal with everyone who reads the goal: INVITED until its "
        "manager ACCEPTS (or DECLINES); a change to what the goal measures invites it again."
    ),
)
FigureWithheld = goal_figures.Withheld
strawberry.enum(
    FigureWithheld,
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
