"""The Request aggregate: a ticket that one department owns and others may work on."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Concatenate, ParamSpec, TypeVar

from domain import access
from domain.catalog import RequestType
from domain.errors import DomainError, Forbidden, IllegalTransition, StaleVersion
from domain.events import Event
from domain.people import Person
from domain.sla import SlaClock
from domain.tasks import Task, TaskStatus
from domain.text import check_body, check_title
from domain.workflow import DONE, OPEN, Priority, RequestStatus, is_legal

S = RequestStatus
REOPEN_WINDOW = timedelta(days=7)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Comment:
    id: int
    request_id: int
    author_id: int
    body: str
    internal: bool
    created_at: datetime


@dataclass
class HandOff:
    from_department_id: int
    to_department_id: int
    reason: str
    actor_id: int
    at: datetime


@dataclass
class Satisfaction:
    score: int
    comment: str | None
    rated_at: datetime


def _command(method: Callable[Concatenate[Request, P], R]) -> Callable[Concatenate[Request, P], R]:
    """Marks a public command: each may step the version once, so a fresh step is allowed."""

    @functools.wraps(method)
    def run(self: Request, /, *args: P.args, **kwargs: P.kwargs) -> R:
        self._bumped = False
        return method(self, *args, **kwargs)

    return run


@dataclass
class Request:
    id: int
    number: int
    title: str
    description: str
    status: RequestStatus
    priority: Priority
    service_id: int
    request_type_id: int | None
    requester_id: int
    owner_department_id: int
    sla: SlaClock
    created_at: datetime
    updated_at: datetime
    assignee_id: int | None = None
    fields: dict[str, str] = field(default_factory=dict)
    version: int = 1
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    satisfaction: Satisfaction | None = None
    journey_run_id: int | None = None
    tasks: list[Task] = field(default_factory=list)
    watcher_ids: set[int] = field(default_factory=set)
    # Written by the repository on save, then cleared.
    new_comments: list[Comment] = field(default_factory=list)
    new_handoffs: list[HandOff] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    _bumped: bool = field(default=False, repr=False)

    # -- reading -----------------------------------------------------------------------
    @property
    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.status is TaskStatus.OPEN]

    def task(self, task_id: int) -> Task:
        found = next((t for t in self.tasks if t.id == task_id), None)
        if found is None:
            raise DomainError("No such task.", field=("id",), code="NOT_FOUND")
        return found

    # -- rules shared by every command -------------------------------------------------
    def check_version(self, expected: int | None) -> None:
        if expected is not None and expected != self.version:
            raise StaleVersion(
                f"The request changed since version {expected}; it is now at {self.version}.",
                field=("expectedVersion",),
            )

    def _require_decider(self, actor: Person) -> None:
        if not access.can_decide(actor, self):
            raise Forbidden("Only the owning department may do this.")

    def _bump(self, now: datetime) -> None:
        """One version step per command, however many things it changed."""
        if not self._bumped:
            self.version += 1
            self._bumped = True
        self._touch(now)

    def _touch(self, now: datetime) -> None:
        # Racing commands may be written in the other order than their clocks: never move back.
        self.updated_at = max(self.updated_at, now)

    def _record(
        self,
        type_: str,
        actor: Person | None,
        now: datetime,
        *,
        internal: bool = False,
        extra_departments: tuple[int, ...] = (),
        **payload: Any,
    ) -> None:
        departments = access.working_departments(self) | set(extra_departments)
        self.events.append(
            Event(
                type=type_,
                occurred_at=now,
                actor_id=actor.id if actor else None,
                payload=payload,
                request_id=self.id,
                journey_run_id=self.journey_run_id,
                department_ids=tuple(sorted(departments)),
                internal=internal,
            )
        )

    # -- commands ----------------------------------------------------------------------
    def check_editable(self, actor: Person, *, priority: Priority | None = None) -> None:
        """Who may edit, checked before anything else about the edit (even its field values)."""
        if self.status in DONE:
            raise DomainError(
                "A finished request cannot be edited; reopen it first.", field=("id",), code="REQUEST_FINISHED"
            )
        decider = access.can_decide(actor, self)
        own_editable = actor.id == self.requester_id and self.status in (S.NEW, S.WAITING_ON_REQUESTER)
        if not (decider or own_editable):
            raise Forbidden("Only the owning department, or the requester before work starts, may edit.")
        if priority is not None and priority is not self.priority and not decider:
            raise Forbidden("Only the owning department sets the priority.", field=("priority",))

    @_command
    def update(
        self,
        actor: Person,
        *,
        now: datetime,
        title: str | None = None,
        description: str | None = None,
        priority: Priority | None = None,
        fields: dict[str, str] | None = None,
        request_type: RequestType | None = None,
    ) -> None:
        self.check_editable(actor, priority=priority)
        # Check every value before changing any: a refused edit leaves the request as it was.
        title = check_title(title) if title is not None else None
        description = check_body(description, "description") if description is not None else None
        changes: dict[str, Any] = {}
        if title is not None and title != self.title:
            self.title = title
            changes["title"] = self.title
        if description is not None and description != self.description:
            self.description = description
            changes["description"] = self.description
        agent_only: dict[str, Any] = {}
        if fields is not None and fields != self.fields:
            public, agent_only = self._change_fields(fields, request_type)
            changes.update(public)
        if priority is not None and priority is not self.priority:
            changes["priority"] = {"from": self.priority.value, "to": priority.value}
            self.priority = priority
            self.sla.reprioritise(
                policy=request_type.sla if request_type else None, priority=priority, started_at=self.created_at
            )
        if changes or agent_only:
            self._bump(now)
        if changes:
            self._record("RequestUpdated", actor, now, changes=changes)
        if agent_only:  # its own event, internal: a requester's timeline and feed never carry those values
            self._record("RequestUpdated", actor, now, internal=True, changes=agent_only)

    def _change_fields(
        self, fields: dict[str, str], request_type: RequestType | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Set the values; return the changes for the public event and for the internal one: the
        new public values and the new agent-only values, each only if one of them changed."""
        hidden = {f.key for f in request_type.fields if f.agent_only} if request_type else set()

        def split(values: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
            return (
                {k: v for k, v in values.items() if k not in hidden},
                {k: v for k, v in values.items() if k in hidden},
            )

        (public_before, agent_only_before), (public, agent_only) = split(self.fields), split(fields)
        self.fields = dict(fields)
        return (
            {"fields": public} if public != public_before else {},
            {"fields": agent_only} if agent_only != agent_only_before else {},
        )

    @_command
    def transition(self, actor: Person, to: RequestStatus, *, now: datetime, reason: str | None = None) -> None:
        if to is self.status:
            raise IllegalTransition(f"The request is already {to.value}.", field=("to",))
        if not is_legal(self.status, to):
            raise IllegalTransition(f"A request cannot go from {self.status.value} to {to.value}.", field=("to",))
        if not access.can_decide(actor, self):
            self._check_requester_move(actor, to, now)
        if to is S.RESOLVED and self.open_tasks:
            raise DomainError(f"{len(self.open_tasks)} task(s) are still open.", field=("to",), code="TASKS_OPEN")
        if to is S.WAITING_ON_DEPARTMENT and not self.open_tasks:
            # Nothing would ever bring it back: waiting on a department means waiting on its task.
            raise DomainError(
                "No task is open, so no department is being waited on; add a task first.",
                field=("to",),
                code="NO_OPEN_TASKS",
            )
        self._move(actor, to, now=now, reason=reason)

    def _check_requester_move(self, actor: Person, to: RequestStatus, now: datetime) -> None:
        """Requesters may cancel, accept (close) and, within a window, reopen their own request."""
        if actor.id != self.requester_id:
            raise Forbidden("Only the owning department changes the status.")
        if to is S.CANCELLED or (to is S.CLOSED and self.status is S.RESOLVED):
            return
        if to is S.IN_PROGRESS and self.status is S.RESOLVED:
            if self.resolved_at is not None and now - self.resolved_at > REOPEN_WINDOW:
                raise DomainError(
                    "The reopen window of 7 days has passed.", field=("to",), code="REOPEN_WINDOW_EXPIRED"
                )
            return
        raise Forbidden("Only the owning department changes the status.", field=("to",))

    def _move(self, actor: Person | None, to: RequestStatus, *, now: datetime, reason: str | None) -> None:
        source = self.status
        if source is S.WAITING_ON_REQUESTER:
            self.sla.resume(now)
        if to is S.WAITING_ON_REQUESTER:
            self.sla.pause(now)
        if actor is not None and access.can_decide(actor, self) and source is S.NEW:
            self.sla.respond(now)
        if to is S.RESOLVED:
            self.resolved_at = now
        if source is S.RESOLVED and to is S.IN_PROGRESS:
            self.resolved_at = None
        if to in (S.CLOSED, S.CANCELLED):
            self.closed_at = now
        if to is S.CANCELLED:
            for task in self.open_tasks:
                task.status = TaskStatus.CANCELLED
                task.completed_at = now
        self.status = to
        self._bump(now)
        # "from" is a keyword, so the payload goes in as a dict.
        moved: dict[str, Any] = {"from": source.value, "to": to.value}
        self._record("RequestTransitioned", actor, now, **moved, reason=reason)

    @_command
    def cancel_with_run(self, actor: Person, *, now: datetime, reason: str) -> None:
        """The journey run that opened this request was cancelled, by someone allowed to cancel the run."""
        if self.status in OPEN:
            self._move(actor, S.CANCELLED, now=now, reason=reason)

    @_command
    def assign(self, actor: Person, assignee: Person | None, *, now: datetime) -> None:
        self._require_decider(actor)
        if self.status in DONE:
            raise IllegalTransition("A finished request cannot be reassigned.", field=("id",))
        if assignee is not None and not assignee.works_in(self.owner_department_id):
            raise DomainError(
                "The assignee must be an agent of the owning department.",
                field=("assigneeId",),
                code="ASSIGNEE_NOT_IN_DEPARTMENT",
            )
        new_id = assignee.id if assignee else None
        if new_id == self.assignee_id:
            return
        previous, self.assignee_id = self.assignee_id, new_id
        self._bump(now)
        self._record("RequestAssigned", actor, now, assigneeId=new_id, previousAssigneeId=previous)

    @_command
    def hand_off(self, actor: Person, to_department_id: int, *, reason: str, now: datetime) -> None:
        self._require_decider(actor)
        if self.status in DONE:
            raise IllegalTransition("A finished request cannot be handed off.", field=("id",))
        if to_department_id == self.owner_department_id:
            raise DomainError(
                "The request already belongs to that department.", field=("toDepartmentId",), code="SAME_DEPARTMENT"
            )
        reason = reason.strip()
        if not reason:
            raise DomainError("A hand-off needs a reason.", field=("reason",))
        source = self.owner_department_id
        self.owner_department_id = to_department_id
        self.assignee_id = None
        self.new_handoffs.append(HandOff(source, to_department_id, reason, actor.id, now))
        self._bump(now)
        self._record(
            "RequestHandedOff",
            actor,
            now,
            extra_departments=(source,),
            fromDepartmentId=source,
            toDepartmentId=to_department_id,
            reason=reason,
        )

    @_command
    def add_comment(self, actor: Person, *, comment_id: int, body: str, internal: bool, now: datetime) -> Comment:
        if self.status in (S.CLOSED, S.CANCELLED):
            raise DomainError("The request is closed; raise a new one.", field=("requestId",), code="REQUEST_CLOSED")
        if internal and not access.can_see_internal(actor, self):
            raise Forbidden("Only the departments working on the request write internal notes.", field=("internal",))
        comment = Comment(
            id=comment_id,
            request_id=self.id,
            author_id=actor.id,
            body=check_body(body, "body", required=True),
            internal=internal,
            created_at=now,
        )
        self.new_comments.append(comment)
        self._touch(now)
        if not internal and access.can_decide(actor, self) and not actor.is_admin:
            self.sla.respond(now)
        self._record("CommentAdded", actor, now, internal=internal, commentId=comment.id, excerpt=comment.body[:140])
        # A requester's answer puts a waiting request back in the queue.
        if actor.id == self.requester_id and self.status is S.WAITING_ON_REQUESTER:
            self._move(actor, S.IN_PROGRESS, now=now, reason="The requester replied")
        return comment

    @_command
    def add_task(
        self, actor: Person, *, task_id: int, title: str, department_id: int, assignee: Person | None, now: datetime
    ) -> Task:
        self._require_decider(actor)
        if self.status in DONE:
            raise IllegalTransition("A finished request takes no new tasks.", field=("requestId",))
        if assignee is not None and not assignee.works_in(department_id):
            raise DomainError(
                "The task's assignee must work in the task's department.",
                field=("assigneeId",),
                code="ASSIGNEE_NOT_IN_DEPARTMENT",
            )
        task = Task(
            id=task_id,
            request_id=self.id,
            title=check_title(title),
            department_id=department_id,
            assignee_id=assignee.id if assignee else None,
            created_at=now,
        )
        self.tasks.append(task)
        self._bump(now)
        self._record("TaskAdded", actor, now, taskId=task.id, title=task.title, departmentId=department_id)
        return task

    @_command
    def complete_task(self, actor: Person, task_id: int, *, now: datetime) -> Task:
        task = self.task(task_id)
        if not access.can_work_task(actor, task):
            raise Forbidden("Only the task's department completes it.")
        if task.status is not TaskStatus.OPEN:
            raise DomainError("The task is not open.", field=("id",), code="TASK_NOT_OPEN")
        task.status = TaskStatus.DONE
        task.completed_at = now
        self._bump(now)
        self._record("TaskCompleted", actor, now, taskId=task.id, departmentId=task.department_id)
        # The owner was waiting on other departments: with their work done, it resumes.
        if self.status is S.WAITING_ON_DEPARTMENT and not self.open_tasks:
            self._move(actor, S.IN_PROGRESS, now=now, reason="All tasks are done")
        return task

    @_command
    def watch(self, actor: Person, person: Person, *, watching: bool, now: datetime) -> None:
        if person.id != actor.id and not access.can_decide(actor, self):
            raise Forbidden("Only the owning department adds other people as watchers.", field=("personId",))
        if watching == (person.id in self.watcher_ids):
            return
        if watching:
            self.watcher_ids.add(person.id)
        else:
            self.watcher_ids.discard(person.id)
        self._bump(now)
        self._record("WatcherAdded" if watching else "WatcherRemoved", actor, now, personId=person.id)

    @_command
    def rate(self, actor: Person, *, score: int, comment: str | None, now: datetime) -> None:
        if actor.id != self.requester_id:
            raise Forbidden("Only the requester rates a request.")
        if self.status not in (S.RESOLVED, S.CLOSED):
            raise DomainError("A request is rated after it is resolved.", field=("id",), code="NOT_RESOLVED")
        if not 1 <= score <= 5:
            raise DomainError("The score is from 1 to 5.", field=("score",), code="SCORE_OUT_OF_RANGE")
        if self.satisfaction is not None:
            raise DomainError("The request is already rated.", field=("id",), code="ALREADY_RATED")
        self.satisfaction = Satisfaction(score=score, comment=(comment or "").strip() or None, rated_at=now)
        self._bump(now)
        self._record("RequestRated", actor, now, score=score)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN
