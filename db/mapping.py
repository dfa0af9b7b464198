"""Rows to domain objects and back. Kept apart so repositories stay about SQL."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from domain.catalog import FieldDefinition, FieldKind, RequestType, Service, SlaPolicy, TaskTemplate
from domain.departments import Department
from domain.people import Person, PersonKind, Role
from domain.requests import Request, Satisfaction
from domain.sla import SlaClock
from domain.tasks import Task, TaskStatus
from domain.workflow import Priority, RequestStatus


class FieldDefinitionJson(TypedDict):
    """One custom field as request_types.fields stores it (older rows lack the flags)."""

    key: str
    label: str
    kind: str
    required: NotRequired[bool]
    options: NotRequired[list[str] | None]
    agent_only: NotRequired[bool]


def department_from_row(row: Any) -> Department:
    return Department(id=row.id, name=row.name, slug=row.slug, created_at=row.created_at)


def person_from_row(row: Any) -> Person:
    return Person(
        id=row.id,
        name=row.name,
        email=row.email,
        role=Role(row.role),
        department_id=row.department_id,
        created_at=row.created_at,
        kind=PersonKind(row.kind),
        deactivated_at=row.deactivated_at,
        version=row.version,
    )


def person_from_record(record: Any) -> Person:
    """From a driver record (item access), as db.engine.fetch_one returns."""
    return Person(
        id=record["id"],
        name=record["name"],
        email=record["email"],
        role=Role(record["role"]),
        department_id=record["department_id"],
        created_at=record["created_at"],
        kind=PersonKind(record["kind"]),
        deactivated_at=record["deactivated_at"],
        version=record["version"],
    )


def service_from_row(row: Any, collaborators: list[int]) -> Service:
    return Service(
        id=row.id,
        name=row.name,
        description=row.description,
        owner_department_id=row.owner_department_id,
        collaborating_department_ids=sorted(collaborators),
        active=row.active,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def field_definitions(data: list[FieldDefinitionJson]) -> list[FieldDefinition]:
    return [
        FieldDefinition(
            key=f["key"],
            label=f["label"],
            kind=FieldKind(f["kind"]),
            required=bool(f.get("required")),
            options=tuple(options) if (options := f.get("options")) else None,
            agent_only=bool(f.get("agent_only")),
        )
        for f in data
    ]


def field_definitions_json(fields: list[FieldDefinition]) -> list[FieldDefinitionJson]:
    return [
        {
            "key": f.key,
            "label": f.label,
            "kind": f.kind.value,
            "required": f.required,
            "options": list(f.options) if f.options else None,
            "agent_only": f.agent_only,
        }
        for f in fields
    ]


def request_type_from_row(row: Any) -> RequestType:
    sla = None
    if row.response_minutes is not None and row.resolution_minutes is not None:
        sla = SlaPolicy(response_minutes=row.response_minutes, resolution_minutes=row.resolution_minutes)
    return RequestType(
        id=row.id,
        service_id=row.service_id,
        name=row.name,
        fields=field_definitions(row.fields),
        sla=sla,
        task_templates=[TaskTemplate(title=t["title"], department_id=t["department_id"]) for t in row.task_templates],
        created_at=row.created_at,
    )


def request_type_values(rt: RequestType) -> dict[str, Any]:
    return {
        "id": rt.id,
        "service_id": rt.service_id,
        "name": rt.name,
        "fields": field_definitions_json(rt.fields),
        "response_minutes": rt.sla.response_minutes if rt.sla else None,
        "resolution_minutes": rt.sla.resolution_minutes if rt.sla else None,
        "task_templates": [{"title": t.title, "department_id": t.department_id} for t in rt.task_templates],
        "created_at": rt.created_at,
    }


def task_from_row(row: Any) -> Task:
    return Task(
        id=row["id"],
        request_id=row["request_id"],
        title=row["title"],
        department_id=row["department_id"],
        status=TaskStatus(row["status"]),
        assignee_id=row["assignee_id"],
        created_at=row["created_at"],
        completed_at=row["completed_at"],
    )


def task_values(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "request_id": task.request_id,
        "title": task.title,
        "department_id": task.department_id,
        "assignee_id": task.assignee_id,
        "status": task.status.value,
        "created_at": task.created_at,
        "completed_at": task.completed_at,
    }


def request_from_row(row: Any, tasks: list[Task], watcher_ids: set[int]) -> Request:
    satisfaction = None
    if row.satisfaction_score is not None:
        satisfaction = Satisfaction(
            score=row.satisfaction_score, comment=row.satisfaction_comment, rated_at=row.rated_at
        )
    return Request(
        id=row.id,
        number=row.number,
        title=row.title,
        description=row.description,
        status=RequestStatus(row.status),
        priority=Priority(row.priority),
        service_id=row.service_id,
        request_type_id=row.request_type_id,
        requester_id=row.requester_id,
        owner_department_id=row.owner_department_id,
        assignee_id=row.assignee_id,
        fields=dict(row.fields),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        satisfaction=satisfaction,
        journey_run_id=row.journey_run_id,
        sla=SlaClock(
            response_due_at=row.response_due_at,
            resolution_due_at=row.resolution_due_at,
            first_response_at=row.first_response_at,
            paused_at=row.sla_paused_at,
            paused_seconds=row.sla_paused_seconds,
        ),
        tasks=tasks,
        watcher_ids=watcher_ids,
    )


def request_values(r: Request) -> dict[str, Any]:
    s = r.satisfaction
    return {
        "id": r.id,
        "number": r.number,
        "title": r.title,
        "description": r.description,
        "status": r.status.value,
        "priority": r.priority.value,
        "service_id": r.service_id,
        "request_type_id": r.request_type_id,
        "requester_id": r.requester_id,
        "assignee_id": r.assignee_id,
        "owner_department_id": r.owner_department_id,
        "fields": r.fields,
        "version": r.version,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
        "resolved_at": r.resolved_at,
        "closed_at": r.closed_at,
        "first_response_at": r.sla.first_response_at,
        "response_due_at": r.sla.response_due_at,
        "resolution_due_at": r.sla.resolution_due_at,
        "sla_paused_at": r.sla.paused_at,
        "sla_paused_seconds": r.sla.paused_seconds,
        "satisfaction_score": s.score if s else None,
        "satisfaction_comment": s.comment if s else None,
        "rated_at": s.rated_at if s else None,
        "journey_run_id": r.journey_run_id,
    }
