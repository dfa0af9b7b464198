"""Who may see and do what. db.read mirrors these rules as SQL predicates."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.people import Person

if TYPE_CHECKING:
    from domain.requests import Request
    from domain.tasks import Task


def working_departments(request: Request) -> set[int]:
    """The owner department and every department with a task on the request."""
    return {request.owner_department_id} | {t.department_id for t in request.tasks}


def can_view_request(viewer: Person, request: Request) -> bool:
    if viewer.is_admin or viewer.id == request.requester_id or viewer.id in request.watcher_ids:
        return True
    return viewer.is_staff and viewer.department_id in working_departments(request)


def can_see_internal(viewer: Person, request: Request) -> bool:
    """Internal comments are for the departments doing the work, never the requester."""
    return works_on(viewer, working_departments(request))


def works_on(viewer: Person, department_ids: Collection[int]) -> bool:
    """Admins, and staff of one of the departments doing a request's work."""
    return viewer.is_admin or (viewer.is_staff and viewer.department_id in department_ids)


def can_see_agent_only_fields(viewer: Person, request: Request) -> bool:
    """Agent-only field values follow internal notes: the departments doing the work, never the requester."""
    return can_see_internal(viewer, request)


def sees_everyones_contact_details(viewer: Person) -> bool:
    """Staff and admins see everyone's email and role; requesters see other people's names only."""
    return viewer.is_admin or viewer.is_staff


def can_see_contact_details(viewer: Person, person_id: int) -> bool:
    return sees_everyones_contact_details(viewer) or viewer.id == person_id


def can_decide(viewer: Person, request: Request) -> bool:
    """Decision rights (status, priority, assignee, hand-off, tasks) stay with the owner."""
    return viewer.is_admin or viewer.works_in(request.owner_department_id)


def can_work_task(viewer: Person, task: Task) -> bool:
    return viewer.is_admin or viewer.works_in(task.department_id)


def can_manage_catalog(viewer: Person, department_id: int) -> bool:
    return viewer.is_admin or viewer.manages(department_id)


@dataclass(frozen=True)
class EventAudience:
    """What decides who may see a logged event: its request's people and departments, now."""

    request_id: int | None
    internal: bool
    department_ids: frozenset[int]
    requester_id: int | None = None
    watcher_ids: frozenset[int] = frozenset()
    working_department_ids: frozenset[int] = frozenset()

    def works_on(self, viewer: Person) -> bool:
        return viewer.is_admin or (viewer.is_staff and viewer.department_id in self.working_department_ids)

    def involves(self, person_id: int) -> bool:
        return person_id == self.requester_id or person_id in self.watcher_ids


def can_see_event(viewer: Person, event: EventAudience) -> bool:
    """Mirrors db.read.visibility.event_visible: an event about a request follows the request
    (internal ones only its working departments); others are for admins and the departments named."""
    if viewer.is_admin:
        return True
    if event.request_id is not None:
        if event.requester_id is None:  # the request is gone
            return False
        if event.internal:
            return event.works_on(viewer)
        return event.works_on(viewer) or event.involves(viewer.id)
    return viewer.is_staff and viewer.department_id in event.department_ids
