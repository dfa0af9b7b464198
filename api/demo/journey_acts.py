"""Planned steps of a journey run. A run's requests do not exist when the plan is written:
acts name them by touchpoint, and `RunTicket` learns each request as its stage opens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from api.demo.acts import Act, Ticket
from domain import commands
from domain import journey_commands as jc
from domain.handlers import journeys as journey_handlers
from domain.handlers import requests as request_handlers
from domain.workflow import RequestStatus


@dataclass
class RunTicket:
    run_id: int
    requests: dict[int, Ticket] = field(default_factory=dict)  # by touchpoint id


class JourneyAct(Act):
    def ticket_after(self, uow: Any, ticket: RunTicket | None) -> RunTicket:
        """The run, and every request of it the step touched or opened, as they now are."""
        run_ticket = ticket or RunTicket(uow.journey_runs.seen[-1].id)
        run = next((r for r in uow.journey_runs.seen if r.id == run_ticket.run_id), None)
        touchpoints = {link.request_id: link.touchpoint_id for link in run.requests} if run else {}
        for request in uow.requests.seen:
            touchpoint = touchpoints.get(request.id) or next(
                (tp for tp, t in run_ticket.requests.items() if t.request_id == request.id), None
            )
            if touchpoint is not None:
                run_ticket.requests[touchpoint] = Ticket(request.id, request.version, [t.id for t in request.tasks])
        return run_ticket


@dataclass(frozen=True)
class StartRun(JourneyAct):
    map_id: int
    subject: str
    sponsor_id: int
    start_at: datetime
    fields: dict[str, str] = field(default_factory=dict)
    handler = staticmethod(journey_handlers.start_run)
    checks_person_fields = True
    refers_to_people = True

    def command(self, ticket: None) -> jc.StartJourneyRun:
        return jc.StartJourneyRun(
            map_id=self.map_id,
            subject=self.subject,
            sponsor_id=self.sponsor_id,
            start_at=self.start_at,
            fields=dict(self.fields),
        )


@dataclass(frozen=True)
class MoveTouchpoint(JourneyAct):
    """Move the request a touchpoint opened (the run opened it when its stage began)."""

    touchpoint_id: int
    to: RequestStatus
    handler = staticmethod(request_handlers.transition_request)

    def command(self, ticket: RunTicket) -> commands.TransitionRequest:
        request = ticket.requests[self.touchpoint_id]
        return commands.TransitionRequest(request_id=request.request_id, to=self.to, expected_version=request.version)


@dataclass(frozen=True)
class CompleteTouchpointTask(JourneyAct):
    touchpoint_id: int
    position: int
    handler = staticmethod(request_handlers.complete_task)

    def command(self, ticket: RunTicket) -> commands.CompleteTask:
        return commands.CompleteTask(task_id=ticket.requests[self.touchpoint_id].task_ids[self.position])


@dataclass(frozen=True)
class CancelRun(JourneyAct):
    reason: str
    handler = staticmethod(journey_handlers.cancel_run)

    def command(self, ticket: RunTicket) -> jc.CancelJourneyRun:
        return jc.CancelJourneyRun(run_id=ticket.run_id, reason=self.reason)
