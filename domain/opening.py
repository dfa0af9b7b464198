"""Raising a request: the rules, and the new Request with its fanned-out tasks."""

from __future__ import annotations

from datetime import datetime

from domain.catalog import RequestType, Service
from domain.errors import DomainError, Forbidden
from domain.people import Person
from domain.requests import Request
from domain.sla import SlaClock
from domain.tasks import Task
from domain.text import check_body, check_title
from domain.workflow import Priority, RequestStatus


def check_opening(
    *,
    actor: Person,
    requester: Person,
    service: Service,
    request_type: RequestType | None,
    title: str,
    description: str,
    for_journey_run: bool = False,
) -> None:
    """The rules for raising a request, checked before a number is drawn: a refusal burns no REQ number.
    A journey run raises for its sponsor on every department's services: the map's departments
    agreed to that, and whom a run may be for was checked when it started (journey_access.can_sponsor)."""
    if not service.active:
        raise DomainError("The service is not active.", field=("serviceId",), code="SERVICE_INACTIVE")
    if request_type is not None and request_type.service_id != service.id:
        raise DomainError(
            "The request type belongs to another service.", field=("requestTypeId",), code="REQUEST_TYPE_MISMATCH"
        )
    on_behalf = requester.id != actor.id and not for_journey_run
    if on_behalf and not (actor.is_admin or actor.works_in(service.owner_department_id)):
        raise Forbidden("Only the owning department raises requests for someone else.", field=("requesterId",))
    check_title(title)
    check_body(description, "description")


def open_request(
    *,
    id: int,
    number: int,
    actor: Person,
    requester: Person,
    service: Service,
    request_type: RequestType | None,
    title: str,
    description: str,
    priority: Priority,
    fields: dict[str, str],
    task_ids: list[int],
    now: datetime,
    journey_run_id: int | None = None,
) -> Request:
    """Raise a request on a service; the request type's task templates fan work out.
    `journey_run_id` names the run that opens it for a touchpoint (raised by whoever started the
    run, for its sponsor): its events carry the run."""
    check_opening(
        actor=actor,
        requester=requester,
        service=service,
        request_type=request_type,
        title=title,
        description=description,
        for_journey_run=journey_run_id is not None,
    )
    request = Request(
        id=id,
        number=number,
        title=check_title(title),
        description=check_body(description, "description"),
        status=RequestStatus.NEW,
        priority=priority,
        service_id=service.id,
        request_type_id=request_type.id if request_type else None,
        requester_id=requester.id,
        owner_department_id=service.owner_department_id,
        sla=SlaClock.start(policy=request_type.sla if request_type else None, priority=priority, started_at=now),
        created_at=now,
        updated_at=now,
        fields=dict(fields),
        journey_run_id=journey_run_id,
    )
    templates = request_type.task_templates if request_type else []
    for template, task_id in zip(templates, task_ids, strict=True):
        request.tasks.append(
            Task(id=task_id, request_id=id, title=template.title, department_id=template.department_id, created_at=now)
        )
    request._record(
        "RequestCreated",
        actor,
        now,
        number=number,
        title=request.title,
        serviceId=service.id,
        priority=priority.value,
        requesterId=requester.id,
    )
    return request
