"""Commands: what a caller asks the domain to do (imperative names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.api_tokens import Scope
from domain.catalog import FieldDefinition, SlaPolicy, TaskTemplate
from domain.goal_participation import Participation
from domain.goals import KeyResult
from domain.people import PersonChanges, Role
from domain.workflow import Priority, RequestStatus


@dataclass(frozen=True)
class CreateDepartment:
    name: str
    slug: str | None = None


@dataclass(frozen=True)
class CreatePerson:
    name: str
    email: str
    role: Role
    department_id: int | None = None


@dataclass(frozen=True)
class UpdatePerson:
    person_id: int
    expected_version: int
    changes: PersonChanges


@dataclass(frozen=True)
class SetPersonActive:
    """Deactivate a person (their sign-ins and tokens stop working) or reactivate them."""

    person_id: int
    active: bool
    expected_version: int | None = None


@dataclass(frozen=True)
class CreateServiceAccount:
    name: str
    role: Role
    department_id: int | None = None


@dataclass(frozen=True)
class CreateFirstAdmin:
    email: str
    name: str | None = None


@dataclass(frozen=True)
class CreateApiToken:
    name: str
    scopes: frozenset[Scope]
    person_id: int | None = None  # None: the actor's own
    expires_at: datetime | None = None


@dataclass(frozen=True)
class RevokeApiToken:
    token_id: int


@dataclass(frozen=True)
class CreateService:
    name: str
    owner_department_id: int
    description: str = ""
    collaborating_department_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class UpdateService:
    service_id: int
    name: str | None = None
    description: str | None = None
    active: bool | None = None
    collaborating_department_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class CreateRequestType:
    service_id: int
    name: str
    fields: tuple[FieldDefinition, ...] = ()
    sla: SlaPolicy | None = None
    task_templates: tuple[TaskTemplate, ...] = ()


@dataclass(frozen=True)
class CreateRequest:
    service_id: int
    title: str
    request_type_id: int | None = None
    description: str = ""
    priority: Priority = Priority.MEDIUM
    fields: dict[str, str | None] = field(default_factory=dict)
    requester_id: int | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class UpdateRequest:
    request_id: int
    expected_version: int
    title: str | None = None
    description: str | None = None
    priority: Priority | None = None
    fields: dict[str, str | None] | None = None


@dataclass(frozen=True)
class TransitionRequest:
    request_id: int
    to: RequestStatus
    expected_version: int
    reason: str | None = None


@dataclass(frozen=True)
class AssignRequest:
    request_id: int
    assignee_id: int | None
    expected_version: int


@dataclass(frozen=True)
class HandOffRequest:
    request_id: int
    to_department_id: int
    reason: str
    expected_version: int


@dataclass(frozen=True)
class RateRequest:
    request_id: int
    score: int
    comment: str | None = None


@dataclass(frozen=True)
class WatchRequest:
    request_id: int
    watching: bool = True
    person_id: int | None = None


@dataclass(frozen=True)
class AddComment:
    request_id: int
    body: str
    internal: bool = False
    idempotency_key: str | None = None


@dataclass(frozen=True)
class AddTask:
    request_id: int
    title: str
    department_id: int
    assignee_id: int | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class CompleteTask:
    task_id: int


@dataclass(frozen=True)
class CreateSharedGoal:
    title: str
    period_start: datetime
    period_end: datetime
    department_ids: tuple[int, ...]
    key_results: tuple[KeyResult, ...]
    description: str = ""


@dataclass(frozen=True)
class UpdateSharedGoal:
    goal_id: int
    expected_version: int
    title: str | None = None
    description: str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    department_ids: tuple[int, ...] | None = None
    # The full new list: a key result with an id is kept and changed, one without is added,
    # one left out is removed.
    key_results: tuple[KeyResult, ...] | None = None


@dataclass(frozen=True)
class DecideGoalParticipation:
    """A department accepts a goal (sharing its figures with whoever reads it) or declines it."""

    goal_id: int
    department_id: int
    status: Participation  # ACCEPTED or DECLINED
    expected_version: int | None = None  # accepting: the version its manager read
