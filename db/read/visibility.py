"""What a viewer may see, as SQL predicates: mirrors domain.access rule for rule.

Lists, counts, node lookups and nested fields all filter through these, so no read
path can show more than another.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, and_, any_, exists, false, literal, or_, select, true

from db import tables as t
from domain.people import Person


def _exists(query: Select[Any], *, per_row: bool) -> ColumnElement[bool]:
    """EXISTS over `query`. PostgreSQL may run a correlated EXISTS inside an OR as one hashed
    subplan: it reads every match first (all the department's tasks: 17,000 rows at 100,000
    requests, ten times more at a million), then probes the hash per request. That suits a
    count, which visits every request; a page scanning the newest requests until it has 50
    wants one index probe per request it visits instead, whatever the table's size.
    `OFFSET 0` keeps PostgreSQL from rewriting the EXISTS into the hashable form."""
    return exists(query.offset(0) if per_row else query)


# An alias, so a query that itself selects from tasks (a Task by ID) does not auto-correlate
# the subquery's FROM away. Made once: building an alias and its columns costs ~0.3 ms of CPU,
# and the predicates are built for every read (each EXISTS is its own scope, so sharing it is safe).
DEPARTMENT_TASK = t.tasks.alias("department_task")


def _task_in_department(requests: FromClause, department_id: int | None, *, per_row: bool) -> ColumnElement[bool]:
    tk = DEPARTMENT_TASK
    # Correlated to `requests` explicitly: the compiled read path nests this predicate below
    # selects that do not list the request themselves (auto-correlation only looks one level up).
    return _exists(
        select(1)
        .select_from(tk)
        .where(tk.c.request_id == requests.c.id, tk.c.department_id == department_id)
        .correlate(requests),
        per_row=per_row,
    )


def works_on_request(
    viewer: Person, requests: FromClause = t.requests, *, per_row: bool = False
) -> ColumnElement[bool]:
    """The viewer's department owns the request or has a task on it (domain.access.working_departments)."""
    if viewer.is_admin:
        return true()
    if not viewer.is_staff:
        return false()
    return or_(
        requests.c.owner_department_id == viewer.department_id,
        _task_in_department(requests, viewer.department_id, per_row=per_row),
    )


def request_visible(viewer: Person, requests: FromClause = t.requests, *, per_row: bool = False) -> ColumnElement[bool]:
    """`per_row`: for a scan that stops early (a page), probe per request (see _exists)."""
    if viewer.is_admin:
        return true()
    watching = _exists(
        select(1)
        .select_from(t.watchers)
        .where(t.watchers.c.request_id == requests.c.id, t.watchers.c.person_id == viewer.id)
        .correlate(requests),
        per_row=per_row,
    )
    return or_(requests.c.requester_id == viewer.id, watching, works_on_request(viewer, requests, per_row=per_row))


def comment_visible(
    viewer: Person, comments: FromClause = t.comments, requests: FromClause = t.requests
) -> ColumnElement[bool]:
    """Assumes `requests` is joined to the comment's request and already visible."""
    return or_(comments.c.internal.is_(False), works_on_request(viewer, requests))


def event_visible(
    viewer: Person, events: FromClause = t.events, requests: FromClause = t.requests
) -> ColumnElement[bool]:
    """Events about a request follow the request (internal ones its working departments);
    events about the organisation itself are for admins and the departments they concern."""
    if viewer.is_admin:
        return true()
    about_request = and_(
        events.c.request_id.is_not(None),
        request_visible(viewer, requests),
        request_event_visible(viewer, events, requests),
    )
    if not viewer.is_staff:
        return about_request
    about_department = and_(
        events.c.request_id.is_(None), literal(viewer.department_id) == any_(events.c.department_ids)
    )
    return or_(about_request, about_department)


def request_event_visible(
    viewer: Person, events: FromClause = t.events, requests: FromClause = t.requests
) -> ColumnElement[bool]:
    """An event of a request: assumes `requests` is that request and already visible (a request's
    activity). Internal events are for the departments working on it."""
    return or_(events.c.internal.is_(False), works_on_request(viewer, requests))


def service_visible(viewer: Person, services: FromClause = t.services) -> ColumnElement[bool]:
    """Retired services stay visible to their own department and admins."""
    if viewer.is_admin:
        return true()
    if viewer.is_staff:
        return or_(services.c.active.is_(True), services.c.owner_department_id == viewer.department_id)
    return services.c.active.is_(True)


def goal_visible(viewer: Person, goals: FromClause = t.shared_goals) -> ColumnElement[bool]:
    """Admins, and everyone working in a participating department (domain.goals.can_view_goal)."""
    if viewer.is_admin:
        return true()
    if not viewer.is_staff:
        return false()
    gd = t.shared_goal_departments.alias("viewer_goal_department")
    return exists(
        select(1).select_from(gd).where(gd.c.goal_id == goals.c.id, gd.c.department_id == viewer.department_id)
    )
