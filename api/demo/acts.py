"""Planned steps of a request's life: each names a domain command and its handler.

A plan is written before anything exists, so acts refer to the request by the
`Ticket` playback keeps for it (id, current version, task ids) and to tasks by their
position on the request; `command(ticket)` fills the real ids in when the step runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from domain import commands
from domain.handlers import requests as handlers
from domain.people import Person
from domain.workflow import Priority, RequestStatus


@dataclass
class Ticket:
    """What playback knows of a request it raised: enough to address the next command."""

    request_id: int
    version: int
    task_ids: list[int] = field(default_factory=list)


class Act:
    handler: ClassVar[Callable[..., Awaitable[int]]]
    checks_person_fields: ClassVar[bool] = False  # the handler takes `person_refs`

    def command(self, ticket: Any) -> Any:
        raise NotImplementedError

    def ticket_after(self, uow: Any, ticket: Any) -> Any:
        """What playback keeps for the story's next step. The unit of work still holds the
        aggregate the handler saved: its version and task ids address the request's next
        step without reading it back."""
        request = uow.requests.seen[-1]
        return Ticket(request.id, request.version, [task.id for task in request.tasks])


@dataclass(frozen=True)
class Step:
    at: datetime
    actor: Person
    act: Act


@dataclass(frozen=True)
class Raise(Act):
    service_id: int
    request_type_id: int
    title: str
    description: str
    priority: Priority
    fields: dict[str, str]
    requester_id: int | None = None  # set when an agent raises it for someone (a phone call)
    handler = staticmethod(handlers.create_request)
    checks_person_fields = True

    def command(self, ticket: Ticket | None) -> commands.CreateRequest:
        return commands.CreateRequest(
            service_id=self.service_id,
            request_type_id=self.request_type_id,
            title=self.title,
            description=self.description,
            priority=self.priority,
            fields=dict(self.fields),
            requester_id=self.requester_id,
        )


@dataclass(frozen=True)
class Comment(Act):
    body: str
    internal: bool = False
    handler = staticmethod(handlers.add_comment)

    def command(self, ticket: Ticket) -> commands.AddComment:
        return commands.AddComment(request_id=ticket.request_id, body=self.body, internal=self.internal)


@dataclass(frozen=True)
class Move(Act):
    to: RequestStatus
    reason: str | None = None
    handler = staticmethod(handlers.transition_request)

    def command(self, ticket: Ticket) -> commands.TransitionRequest:
        return commands.TransitionRequest(
            request_id=ticket.request_id, to=self.to, expected_version=ticket.version, reason=self.reason
        )


@dataclass(frozen=True)
class Assign(Act):
    assignee_id: int
    handler = staticmethod(handlers.assign_request)

    def command(self, ticket: Ticket) -> commands.AssignRequest:
        return commands.AssignRequest(
            request_id=ticket.request_id, assignee_id=self.assignee_id, expected_version=ticket.version
        )


@dataclass(frozen=True)
class HandOff(Act):
    department_id: int
    reason: str
    handler = staticmethod(handlers.hand_off_request)

    def command(self, ticket: Ticket) -> commands.HandOffRequest:
        return commands.HandOffRequest(
            request_id=ticket.request_id,
            to_department_id=self.department_id,
            reason=self.reason,
            expected_version=ticket.version,
        )


@dataclass(frozen=True)
class AddTask(Act):
    title: str
    department_id: int
    assignee_id: int | None = None
    handler = staticmethod(handlers.add_task)

    def command(self, ticket: Ticket) -> commands.AddTask:
        return commands.AddTask(
            request_id=ticket.request_id,
            title=self.title,
            department_id=self.department_id,
            assignee_id=self.assignee_id,
            expected_version=ticket.version,
        )


@dataclass(frozen=True)
class CompleteTask(Act):
    position: int  # the task's place on the request: templates first, then added tasks
    handler = staticmethod(handlers.complete_task)

    def command(self, ticket: Ticket) -> commands.CompleteTask:
        return commands.CompleteTask(task_id=ticket.task_ids[self.position])


@dataclass(frozen=True)
class Watch(Act):
    person_id: int
    handler = staticmethod(handlers.watch_request)

    def command(self, ticket: Ticket) -> commands.WatchRequest:
        return commands.WatchRequest(request_id=ticket.request_id, person_id=self.person_id)


@dataclass(frozen=True)
class Rate(Act):
    score: int
    comment: str | None = None
    handler = staticmethod(handlers.rate_request)

    def command(self, ticket: Ticket) -> commands.RateRequest:
        return commands.RateRequest(request_id=ticket.request_id, score=self.score, comment=self.comment)


@dataclass(frozen=True)
class Reprioritise(Act):
    priority: Priority
    handler = staticmethod(handlers.update_request)
    checks_person_fields = True

    def command(self, ticket: Ticket) -> commands.UpdateRequest:
        return commands.UpdateRequest(
            request_id=ticket.request_id, expected_version=ticket.version, priority=self.priority
        )
