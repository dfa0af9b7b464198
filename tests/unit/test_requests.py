"""The Request aggregate: workflow, decision rights, hand-offs, tasks, comments, rating, SLA."""

from __future__ import annotations

import copy
import itertools
from dataclasses import replace
from datetime import timedelta

import pytest

from domain.catalog import FieldDefinition, FieldKind
from domain.errors import DomainError, Forbidden, IllegalTransition, StaleVersion
from domain.events import Event
from domain.opening import open_request
from domain.requests import REOPEN_WINDOW, HandOff, Satisfaction
from domain.tasks import TaskStatus
from domain.text import MAX_BODY, MAX_TITLE
from domain.workflow import DONE, OPEN, TRANSITIONS, Priority, RequestStatus
from tests.unit.example_org import (
    ADMIN,
    EMPLOYEE,
    FAC_AGENT,
    FACILITIES,
    HR,
    HR_AGENT,
    IT,
    IT_AGENT,
    IT_AGENT2,
    IT_MANAGER,
    LATER,
    NOW,
    OTHER,
    a_request,
    laptops,
    new_laptop,
    payroll,
)

S = RequestStatus
ALL_PAIRS = list(itertools.product(RequestStatus, RequestStatus))
LEGAL = [(a, b) for a, b in ALL_PAIRS if b in TRANSITIONS[a]]
ILLEGAL = [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a] and a is not b]
OPEN_STATUSES = sorted(OPEN, key=lambda s: s.value)
DONE_STATUSES = sorted(DONE, key=lambda s: s.value)
PAST_TENSE = {
    "RequestCreated",
    "RequestUpdated",
    "RequestTransitioned",
    "RequestAssigned",
    "RequestHandedOff",
    "CommentAdded",
    "TaskAdded",
    "TaskCompleted",
    "WatcherAdded",
    "WatcherRemoved",
    "RequestRated",
}


def status_id(value):
    return value.value if isinstance(value, RequestStatus) else None


def state(request) -> dict:
    """Everything a command could change, to check that a refused one changed nothing."""
    snapshot = copy.deepcopy(vars(request))
    snapshot.pop("_bumped")
    return snapshot


def refused(error_type, code, action, request):
    """Run `action`, expect the coded error, and check the request is exactly as before."""
    before = state(request)
    with pytest.raises(error_type) as raised:
        action()
    assert raised.value.code == code
    assert state(request) == before
    return raised.value


# -- opening ------------------------------------------------------------------------------
def test_opening_a_request_starts_it_new_owned_by_the_service_owner_with_template_tasks():
    # when Emma raises a New laptop request
    request = open_request(
        id=100,
        number=1001,
        actor=EMPLOYEE,
        requester=EMPLOYEE,
        service=laptops(),
        request_type=new_laptop(),
        title="  New starter laptop ",
        description=" For Jane ",
        priority=Priority.HIGH,
        fields={"model": "13-inch"},
        task_ids=[500],
        now=NOW,
    )
    # then it is NEW at version 1, owned by IT, with the desk task for Facilities
    assert (request.status, request.version, request.owner_department_id) == (S.NEW, 1, IT)
    assert (request.title, request.description) == ("New starter laptop", "For Jane")
    assert request.request_type_id == 20 and request.service_id == 10 and request.requester_id == EMPLOYEE.id
    assert request.fields == {"model": "13-inch"}
    assert [(t.id, t.title, t.department_id, t.status) for t in request.tasks] == [
        (500, "Set up desk", FACILITIES, TaskStatus.OPEN)
    ]
    # and its SLA comes from the type's policy at HIGH priority
    assert request.sla.response_due_at == NOW + timedelta(minutes=30)
    assert request.sla.resolution_due_at == NOW + timedelta(minutes=240)
    # and one RequestCreated event concerns IT and Facilities
    assert request.events == [
        Event(
            "RequestCreated",
            NOW,
            EMPLOYEE.id,
            {
                "number": 1001,
                "title": "New starter laptop",
                "serviceId": 10,
                "priority": "HIGH",
                "requesterId": EMPLOYEE.id,
            },
            request_id=100,
            department_ids=(IT, FACILITIES),
        )
    ]


def open_on(service, *, actor=EMPLOYEE, requester=EMPLOYEE, request_type=None, title="Help", description=""):
    return open_request(
        id=100,
        number=1001,
        actor=actor,
        requester=requester,
        service=service,
        request_type=request_type,
        title=title,
        description=description,
        priority=Priority.MEDIUM,
        fields={},
        task_ids=[500] if request_type else [],
        now=NOW,
    )


def test_an_inactive_service_takes_no_requests():
    service = laptops()
    service.active = False
    with pytest.raises(DomainError) as raised:
        open_on(service)
    assert raised.value.code == "SERVICE_INACTIVE"


def test_the_request_type_must_belong_to_the_service():
    with pytest.raises(DomainError) as raised:
        open_on(payroll(), request_type=new_laptop())
    assert raised.value.code == "REQUEST_TYPE_MISMATCH"


@pytest.mark.parametrize("actor", [IT_AGENT, IT_MANAGER, ADMIN], ids=lambda p: p.name)
def test_the_owning_department_and_admins_raise_requests_for_someone_else(actor):
    request = open_on(laptops(), actor=actor, requester=EMPLOYEE)
    assert request.requester_id == EMPLOYEE.id
    assert request.events[0].actor_id == actor.id


@pytest.mark.parametrize("actor", [OTHER, HR_AGENT, FAC_AGENT], ids=lambda p: p.name)
def test_others_may_not_raise_requests_for_someone_else(actor):
    with pytest.raises(Forbidden) as raised:
        open_on(laptops(), actor=actor, requester=EMPLOYEE)
    assert raised.value.field == ("requesterId",)


@pytest.mark.parametrize(
    ("title", "description", "field"),
    [
        ("  ", "", ("title",)),
        ("x" * (MAX_TITLE + 1), "", ("title",)),
        ("Help", "x" * (MAX_BODY + 1), ("description",)),
    ],
    ids=["blank-title", "long-title", "long-description"],
)
def test_a_request_needs_a_title_and_bounded_text(title, description, field):
    with pytest.raises(DomainError) as raised:
        open_on(laptops(), title=title, description=description)
    assert raised.value.field == field


# -- the workflow -------------------------------------------------------------------------
@pytest.mark.parametrize(("source", "target"), LEGAL, ids=status_id)
def test_the_owning_department_makes_every_legal_move(source, target):
    # given a request in `source`
    request = a_request(status=source)
    if target is S.WAITING_ON_DEPARTMENT:  # the department waited on has an open task
        request.add_task(IT_AGENT, task_id=901, title="Desk", department_id=FACILITIES, assignee=None, now=NOW)
        request.events.clear()
    version = request.version
    departments = tuple(sorted({IT} | {t.department_id for t in request.tasks}))
    # when an IT agent moves it to `target`
    request.transition(IT_AGENT, target, now=LATER, reason="because")
    # then it is there, one version on, with one past-tense event for the working departments
    assert request.status is target
    assert request.version == version + 1
    assert request.updated_at == LATER
    assert request.events == [
        Event(
            "RequestTransitioned",
            LATER,
            IT_AGENT.id,
            {"from": source.value, "to": target.value, "reason": "because"},
            request_id=100,
            department_ids=departments,
        )
    ]


@pytest.mark.parametrize(("source", "target"), ILLEGAL, ids=status_id)
def test_every_illegal_move_is_refused_and_changes_nothing(source, target):
    request = a_request(status=source)
    refused(IllegalTransition, "ILLEGAL_TRANSITION", lambda: request.transition(ADMIN, target, now=LATER), request)


@pytest.mark.parametrize("status", list(RequestStatus), ids=status_id)
def test_moving_to_the_current_status_is_refused(status):
    request = a_request(status=status)
    error = refused(
        IllegalTransition, "ILLEGAL_TRANSITION", lambda: request.transition(ADMIN, status, now=LATER), request
    )
    assert "already" in error.message


def test_resolving_stamps_resolved_at_and_reopening_clears_it():
    request = a_request(status=S.IN_PROGRESS)
    request.transition(IT_AGENT, S.RESOLVED, now=LATER)
    assert request.resolved_at == LATER and request.closed_at is None
    request.transition(IT_AGENT, S.IN_PROGRESS, now=LATER + timedelta(hours=1))
    assert request.resolved_at is None


@pytest.mark.parametrize("target", [S.CLOSED, S.CANCELLED], ids=status_id)
def test_closing_and_cancelling_stamp_closed_at(target):
    request = a_request(status=S.RESOLVED if target is S.CLOSED else S.IN_PROGRESS)
    request.transition(IT_AGENT, target, now=LATER)
    assert request.closed_at == LATER


@pytest.mark.parametrize("source", [S.NEW, S.TRIAGED, S.IN_PROGRESS, S.WAITING_ON_REQUESTER], ids=status_id)
def test_a_request_with_open_tasks_cannot_be_resolved(source):
    # given a request with an open Facilities task
    request = a_request(with_desk_task=True, status=source)
    # when IT resolves it / then TASKS_OPEN, nothing changes
    refused(DomainError, "TASKS_OPEN", lambda: request.transition(IT_AGENT, S.RESOLVED, now=LATER), request)


def test_once_its_tasks_are_done_a_request_can_be_resolved():
    request = a_request(with_desk_task=True, status=S.IN_PROGRESS)
    request.complete_task(FAC_AGENT, 500, now=LATER)
    request.transition(IT_AGENT, S.RESOLVED, now=LATER)
    assert request.status is S.RESOLVED


def test_cancelling_cancels_the_open_tasks_and_keeps_the_done_ones():
    # given one done and one open task
    request = a_request(with_desk_task=True, status=S.IN_PROGRESS)
    request.add_task(IT_AGENT, task_id=501, title="Image laptop", department_id=IT, assignee=None, now=NOW)
    request.complete_task(IT_AGENT, 501, now=NOW)
    # when the request is cancelled
    request.transition(IT_AGENT, S.CANCELLED, now=LATER)
    # then the open task is cancelled; the done one stays done
    assert [(t.id, t.status, t.completed_at) for t in request.tasks] == [
        (500, TaskStatus.CANCELLED, LATER),
        (501, TaskStatus.DONE, NOW),
    ]


# -- what requesters may do ---------------------------------------------------------------
@pytest.mark.parametrize("source", OPEN_STATUSES, ids=status_id)
def test_the_requester_may_cancel_an_open_request(source):
    request = a_request(status=source)
    request.transition(EMPLOYEE, S.CANCELLED, now=LATER)
    assert request.status is S.CANCELLED
    assert request.events[-1].actor_id == EMPLOYEE.id


def test_the_requester_may_close_a_resolved_request():
    request = a_request(status=S.RESOLVED)
    request.transition(EMPLOYEE, S.CLOSED, now=LATER)
    assert request.status is S.CLOSED and request.closed_at == LATER


@pytest.mark.parametrize("after", [timedelta(0), timedelta(days=3), REOPEN_WINDOW], ids=["at-once", "3-days", "7-days"])
def test_the_requester_may_reopen_within_seven_days(after):
    # given a request resolved at NOW
    request = a_request(status=S.RESOLVED)
    # when the requester reopens it within the window
    request.transition(EMPLOYEE, S.IN_PROGRESS, now=NOW + after)
    # then it is back in progress
    assert request.status is S.IN_PROGRESS and request.resolved_at is None


def test_the_requester_may_not_reopen_after_seven_days():
    request = a_request(status=S.RESOLVED)
    refused(
        DomainError,
        "REOPEN_WINDOW_EXPIRED",
        lambda: request.transition(EMPLOYEE, S.IN_PROGRESS, now=NOW + REOPEN_WINDOW + timedelta(seconds=1)),
        request,
    )


def test_the_owning_department_may_reopen_after_the_window():
    request = a_request(status=S.RESOLVED)
    request.transition(IT_AGENT, S.IN_PROGRESS, now=NOW + timedelta(days=30))
    assert request.status is S.IN_PROGRESS


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (S.NEW, S.TRIAGED),
        (S.NEW, S.IN_PROGRESS),
        (S.NEW, S.RESOLVED),
        (S.IN_PROGRESS, S.RESOLVED),
        (S.WAITING_ON_REQUESTER, S.IN_PROGRESS),
        (S.TRIAGED, S.WAITING_ON_DEPARTMENT),
    ],
    ids=status_id,
)
def test_the_requester_may_not_work_the_request(source, target):
    request = a_request(status=source)
    refused(Forbidden, "FORBIDDEN", lambda: request.transition(EMPLOYEE, target, now=LATER), request)


@pytest.mark.parametrize("actor", [OTHER, FAC_AGENT, HR_AGENT], ids=lambda p: p.name)
def test_nobody_else_may_cancel_close_or_reopen(actor):
    # given a task for Facilities, so Facilities works on the request but does not own it
    for source, target in [(S.IN_PROGRESS, S.CANCELLED), (S.RESOLVED, S.CLOSED), (S.RESOLVED, S.IN_PROGRESS)]:
        request = a_request(with_desk_task=True, status=source)
        refused(
            Forbidden,
            "FORBIDDEN",
            lambda request=request, target=target: request.transition(actor, target, now=LATER),
            request,
        )


@pytest.mark.parametrize("actor", [IT_AGENT, IT_MANAGER, ADMIN], ids=lambda p: p.name)
def test_owning_staff_and_admins_decide_the_status(actor):
    request = a_request()
    request.transition(actor, S.TRIAGED, now=LATER)
    assert request.status is S.TRIAGED


# -- decision rights ----------------------------------------------------------------------
DECISIONS = {
    "assign": lambda r, actor: r.assign(actor, IT_AGENT, now=LATER),
    "hand_off": lambda r, actor: r.hand_off(actor, HR, reason="Payroll matter", now=LATER),
    "add_task": lambda r, actor: r.add_task(
        actor, task_id=900, title="Check", department_id=actor.department_id or HR, assignee=None, now=LATER
    ),
    "priority": lambda r, actor: r.update(actor, now=LATER, priority=Priority.URGENT),
    "triage": lambda r, actor: r.transition(actor, S.TRIAGED, now=LATER),
    "watch_other": lambda r, actor: r.watch(actor, OTHER, watching=True, now=LATER),
}


@pytest.mark.parametrize("decision", list(DECISIONS))
@pytest.mark.parametrize("actor", [EMPLOYEE, FAC_AGENT, HR_AGENT], ids=lambda p: p.name)
def test_decisions_are_for_the_owning_department_only(decision, actor):
    # given a request owned by IT, with a Facilities task
    request = a_request(with_desk_task=True)
    # when someone outside IT tries to decide / then FORBIDDEN and nothing changes
    refused(Forbidden, "FORBIDDEN", lambda: DECISIONS[decision](request, actor), request)


@pytest.mark.parametrize("decision", list(DECISIONS))
@pytest.mark.parametrize("actor", [IT_AGENT2, IT_MANAGER, ADMIN], ids=lambda p: p.name)
def test_the_owning_department_and_admins_decide(decision, actor):
    request = a_request(with_desk_task=True)
    version = request.version
    DECISIONS[decision](request, actor)
    assert request.version == version + 1
    assert len(request.events) == 1 and request.events[0].actor_id == actor.id


# -- assignment ---------------------------------------------------------------------------
def test_assigning_an_agent_of_the_owning_department():
    request = a_request()
    request.assign(IT_MANAGER, IT_AGENT, now=LATER)
    assert request.assignee_id == IT_AGENT.id
    assert request.version == 2
    assert request.events == [
        Event(
            "RequestAssigned",
            LATER,
            IT_MANAGER.id,
            {"assigneeId": IT_AGENT.id, "previousAssigneeId": None},
            request_id=100,
            department_ids=(IT,),
        )
    ]


def test_reassigning_records_the_previous_assignee_and_unassigning_clears_it():
    request = a_request()
    request.assign(IT_AGENT, IT_AGENT, now=NOW)
    request.assign(IT_AGENT, IT_MANAGER, now=LATER)
    request.assign(IT_AGENT, None, now=LATER)
    assert request.assignee_id is None
    assert [e.payload for e in request.events] == [
        {"assigneeId": IT_AGENT.id, "previousAssigneeId": None},
        {"assigneeId": IT_MANAGER.id, "previousAssigneeId": IT_AGENT.id},
        {"assigneeId": None, "previousAssigneeId": IT_MANAGER.id},
    ]
    assert request.version == 4


def test_assigning_the_current_assignee_changes_nothing():
    request = a_request()
    request.assign(IT_AGENT, IT_AGENT, now=NOW)
    request.events.clear()
    before = state(request)
    request.assign(IT_AGENT, IT_AGENT, now=LATER)
    assert state(request) == before and request.events == []


@pytest.mark.parametrize("assignee", [HR_AGENT, FAC_AGENT, EMPLOYEE, ADMIN], ids=lambda p: p.name)
def test_only_staff_of_the_owning_department_can_be_assigned(assignee):
    request = a_request(with_desk_task=True)
    error = refused(
        DomainError, "ASSIGNEE_NOT_IN_DEPARTMENT", lambda: request.assign(IT_AGENT, assignee, now=LATER), request
    )
    assert error.field == ("assigneeId",)


@pytest.mark.parametrize("status", DONE_STATUSES, ids=status_id)
def test_a_finished_request_is_not_reassigned(status):
    request = a_request(status=status)
    refused(IllegalTransition, "ILLEGAL_TRANSITION", lambda: request.assign(IT_AGENT, IT_AGENT2, now=LATER), request)


# -- hand-off -----------------------------------------------------------------------------
def test_a_hand_off_moves_ownership_clears_the_assignee_and_is_recorded():
    # given an assigned IT request with a Facilities task
    request = a_request(with_desk_task=True, status=S.IN_PROGRESS)
    request.assign(IT_AGENT, IT_AGENT2, now=NOW)
    request.events.clear()
    version = request.version
    # when IT hands it off to HR
    request.hand_off(IT_AGENT, HR, reason="  It is a payroll matter ", now=LATER)
    # then HR owns it, nobody is assigned, and the hand-off is on record
    assert request.owner_department_id == HR
    assert request.assignee_id is None
    assert request.status is S.IN_PROGRESS
    assert request.version == version + 1
    assert request.new_handoffs == [HandOff(IT, HR, "It is a payroll matter", IT_AGENT.id, LATER)]
    # and the event concerns both departments (and Facilities, which still has a task)
    assert request.events == [
        Event(
            "RequestHandedOff",
            LATER,
            IT_AGENT.id,
            {"fromDepartmentId": IT, "toDepartmentId": HR, "reason": "It is a payroll matter"},
            request_id=100,
            department_ids=(IT, HR, FACILITIES),
        )
    ]


def test_after_a_hand_off_the_new_owner_decides_and_the_old_does_not():
    request = a_request()
    request.hand_off(IT_AGENT, HR, reason="Payroll", now=NOW)
    request.assign(HR_AGENT, HR_AGENT, now=LATER)
    assert request.assignee_id == HR_AGENT.id
    refused(Forbidden, "FORBIDDEN", lambda: request.transition(IT_AGENT, S.TRIAGED, now=LATER), request)


def test_a_hand_off_to_the_owner_is_refused():
    request = a_request()
    error = refused(
        DomainError, "SAME_DEPARTMENT", lambda: request.hand_off(IT_AGENT, IT, reason="x", now=LATER), request
    )
    assert error.field == ("toDepartmentId",)


def test_a_hand_off_needs_a_reason():
    request = a_request()
    error = refused(
        DomainError, "INVALID_INPUT", lambda: request.hand_off(IT_AGENT, HR, reason="   ", now=LATER), request
    )
    assert error.field == ("reason",)


@pytest.mark.parametrize("status", DONE_STATUSES, ids=status_id)
def test_a_finished_request_is_not_handed_off(status):
    request = a_request(status=status)
    refused(
        IllegalTransition, "ILLEGAL_TRANSITION", lambda: request.hand_off(IT_AGENT, HR, reason="x", now=LATER), request
    )


# -- tasks --------------------------------------------------------------------------------
def test_the_owner_adds_a_task_for_another_department():
    request = a_request(status=S.IN_PROGRESS)
    version = request.version
    task = request.add_task(
        IT_AGENT, task_id=501, title=" Prepare contract ", department_id=HR, assignee=HR_AGENT, now=LATER
    )
    assert (task.id, task.title, task.department_id, task.assignee_id, task.status, task.created_at) == (
        501,
        "Prepare contract",
        HR,
        HR_AGENT.id,
        TaskStatus.OPEN,
        LATER,
    )
    assert request.tasks == [task]
    assert request.version == version + 1
    # the event reaches HR, which now works on the request
    assert request.events == [
        Event(
            "TaskAdded",
            LATER,
            IT_AGENT.id,
            {"taskId": 501, "title": "Prepare contract", "departmentId": HR},
            request_id=100,
            department_ids=(IT, HR),
        )
    ]


def test_a_task_assignee_must_work_in_the_tasks_department():
    request = a_request()
    refused(
        DomainError,
        "ASSIGNEE_NOT_IN_DEPARTMENT",
        lambda: request.add_task(
            IT_AGENT, task_id=501, title="Contract", department_id=HR, assignee=IT_AGENT, now=LATER
        ),
        request,
    )


def test_a_task_needs_a_title():
    request = a_request()
    refused(
        DomainError,
        "INVALID_INPUT",
        lambda: request.add_task(IT_AGENT, task_id=501, title=" ", department_id=HR, assignee=None, now=LATER),
        request,
    )


@pytest.mark.parametrize("status", DONE_STATUSES, ids=status_id)
def test_a_finished_request_takes_no_tasks(status):
    request = a_request(status=status)
    refused(
        IllegalTransition,
        "ILLEGAL_TRANSITION",
        lambda: request.add_task(IT_AGENT, task_id=501, title="More", department_id=HR, assignee=None, now=LATER),
        request,
    )


@pytest.mark.parametrize("actor", [FAC_AGENT, ADMIN], ids=lambda p: p.name)
def test_the_tasks_department_completes_it(actor):
    request = a_request(with_desk_task=True, status=S.IN_PROGRESS)
    version = request.version
    task = request.complete_task(actor, 500, now=LATER)
    assert (task.status, task.completed_at) == (TaskStatus.DONE, LATER)
    assert request.version == version + 1
    assert request.status is S.IN_PROGRESS
    assert request.events == [
        Event(
            "TaskCompleted",
            LATER,
            actor.id,
            {"taskId": 500, "departmentId": FACILITIES},
            request_id=100,
            department_ids=(IT, FACILITIES),
        )
    ]


@pytest.mark.parametrize("actor", [IT_AGENT, IT_MANAGER, HR_AGENT, EMPLOYEE], ids=lambda p: p.name)
def test_nobody_outside_the_tasks_department_completes_it(actor):
    request = a_request(with_desk_task=True, status=S.IN_PROGRESS)
    refused(Forbidden, "FORBIDDEN", lambda: request.complete_task(actor, 500, now=LATER), request)


def test_a_done_task_cannot_be_completed_again():
    request = a_request(with_desk_task=True, status=S.IN_PROGRESS)
    request.complete_task(FAC_AGENT, 500, now=NOW)
    request.events.clear()
    refused(DomainError, "TASK_NOT_OPEN", lambda: request.complete_task(FAC_AGENT, 500, now=LATER), request)


def test_a_cancelled_requests_tasks_cannot_be_completed():
    request = a_request(with_desk_task=True, status=S.CANCELLED)
    refused(DomainError, "TASK_NOT_OPEN", lambda: request.complete_task(FAC_AGENT, 500, now=LATER), request)


def test_an_unknown_task_is_not_found():
    request = a_request(with_desk_task=True)
    refused(DomainError, "NOT_FOUND", lambda: request.complete_task(ADMIN, 999, now=LATER), request)


def test_completing_the_last_task_of_a_request_waiting_on_departments_resumes_work():
    # given a request waiting on Facilities and HR
    request = a_request(with_desk_task=True, status=S.WAITING_ON_DEPARTMENT)
    request.add_task(IT_AGENT, task_id=501, title="Contract", department_id=HR, assignee=None, now=NOW)
    request.events.clear()
    version = request.version
    # when Facilities completes its task / then it still waits on HR
    request.complete_task(FAC_AGENT, 500, now=NOW)
    assert request.status is S.WAITING_ON_DEPARTMENT
    # when HR completes the last task
    request.complete_task(HR_AGENT, 501, now=LATER)
    # then work resumes: two events for the last command, and one version step per command
    assert request.status is S.IN_PROGRESS
    assert request.version == version + 2
    assert [e.type for e in request.events] == ["TaskCompleted", "TaskCompleted", "RequestTransitioned"]
    moved = request.events[-1]
    assert moved.payload == {"from": "WAITING_ON_DEPARTMENT", "to": "IN_PROGRESS", "reason": "All tasks are done"}
    assert moved.department_ids == (IT, HR, FACILITIES)


# -- watchers -----------------------------------------------------------------------------
def test_anyone_who_sees_a_request_may_watch_and_unwatch_it_themselves():
    request = a_request(with_desk_task=True)
    request.watch(FAC_AGENT, FAC_AGENT, watching=True, now=NOW)
    assert request.watcher_ids == {FAC_AGENT.id}
    request.watch(FAC_AGENT, FAC_AGENT, watching=False, now=LATER)
    assert request.watcher_ids == set()
    assert [(e.type, e.payload) for e in request.events] == [
        ("WatcherAdded", {"personId": FAC_AGENT.id}),
        ("WatcherRemoved", {"personId": FAC_AGENT.id}),
    ]
    assert request.version == 3


def test_watching_twice_changes_nothing():
    request = a_request()
    request.watch(EMPLOYEE, EMPLOYEE, watching=True, now=NOW)
    request.events.clear()
    before = state(request)
    request.watch(EMPLOYEE, EMPLOYEE, watching=True, now=LATER)
    request.watch(OTHER, OTHER, watching=False, now=LATER)
    assert state(request) == before


def test_the_owner_adds_and_removes_other_watchers():
    request = a_request()
    request.watch(IT_AGENT, OTHER, watching=True, now=NOW)
    assert request.watcher_ids == {OTHER.id}
    assert request.events[0].actor_id == IT_AGENT.id
    request.watch(IT_AGENT, OTHER, watching=False, now=NOW)
    assert request.watcher_ids == set()


def test_others_may_not_remove_someone_elses_watch():
    request = a_request()
    request.watch(IT_AGENT, OTHER, watching=True, now=NOW)
    refused(Forbidden, "FORBIDDEN", lambda: request.watch(EMPLOYEE, OTHER, watching=False, now=LATER), request)


# -- comments -----------------------------------------------------------------------------
def test_a_public_comment_is_kept_for_saving_and_recorded():
    request = a_request(status=S.IN_PROGRESS)
    version = request.version
    comment = request.add_comment(EMPLOYEE, comment_id=70, body="  Any news? ", internal=False, now=LATER)
    assert (comment.id, comment.request_id, comment.author_id, comment.body, comment.internal) == (
        70,
        100,
        EMPLOYEE.id,
        "Any news?",
        False,
    )
    assert request.new_comments == [comment]
    assert request.updated_at == LATER
    # a comment is its own row: it does not compete with edits for the request's version
    assert request.version == version
    assert request.events == [
        Event(
            "CommentAdded",
            LATER,
            EMPLOYEE.id,
            {"commentId": 70, "excerpt": "Any news?"},
            request_id=100,
            department_ids=(IT,),
            internal=False,
        )
    ]


def test_a_comment_event_carries_a_short_excerpt():
    request = a_request()
    request.add_comment(IT_AGENT, comment_id=70, body="x" * 500, internal=False, now=LATER)
    assert request.events[0].payload["excerpt"] == "x" * 140


@pytest.mark.parametrize("author", [IT_AGENT, FAC_AGENT, ADMIN], ids=lambda p: p.name)
def test_the_working_departments_write_internal_notes(author):
    request = a_request(with_desk_task=True)
    request.add_comment(author, comment_id=70, body="Check the warranty", internal=True, now=LATER)
    assert request.new_comments[0].internal is True
    assert request.events[0].internal is True
    assert request.events[0].department_ids == (IT, FACILITIES)


@pytest.mark.parametrize("author", [EMPLOYEE, HR_AGENT], ids=lambda p: p.name)
def test_requesters_and_outsiders_may_not_write_internal_notes(author):
    request = a_request(with_desk_task=True)
    request.watcher_ids.add(HR_AGENT.id)
    error = refused(
        Forbidden,
        "FORBIDDEN",
        lambda: request.add_comment(author, comment_id=70, body="psst", internal=True, now=LATER),
        request,
    )
    assert error.field == ("internal",)


@pytest.mark.parametrize("body", ["", "   ", "x" * (MAX_BODY + 1)], ids=["empty", "blank", "too-long"])
def test_a_comment_body_is_required_and_bounded(body):
    request = a_request()
    error = refused(
        DomainError,
        "INVALID_INPUT",
        lambda: request.add_comment(EMPLOYEE, comment_id=70, body=body, internal=False, now=LATER),
        request,
    )
    assert error.field == ("body",)


def test_the_requesters_reply_to_a_request_waiting_on_them_resumes_work():
    # given a request put on hold for the requester at NOW
    request = a_request(status=S.WAITING_ON_REQUESTER)
    version = request.version
    due = request.sla.resolution_due_at
    # when the requester replies an hour later
    request.add_comment(EMPLOYEE, comment_id=70, body="Here is the serial number", internal=False, now=LATER)
    # then the request is back in progress and the clock resumed, an hour later due
    assert request.status is S.IN_PROGRESS
    assert request.version == version + 1
    assert not request.sla.paused
    assert request.sla.resolution_due_at == due + timedelta(hours=1)
    assert [e.type for e in request.events] == ["CommentAdded", "RequestTransitioned"]
    assert request.events[1].payload == {
        "from": "WAITING_ON_REQUESTER",
        "to": "IN_PROGRESS",
        "reason": "The requester replied",
    }
    assert request.events[1].actor_id == EMPLOYEE.id


def test_a_staff_comment_on_a_request_waiting_on_the_requester_keeps_it_waiting():
    request = a_request(status=S.WAITING_ON_REQUESTER)
    request.add_comment(IT_AGENT, comment_id=70, body="Reminder: we need the serial", internal=False, now=LATER)
    assert request.status is S.WAITING_ON_REQUESTER and request.sla.paused


def test_a_public_comment_by_the_owning_department_is_the_first_response():
    request = a_request()
    request.add_comment(IT_AGENT, comment_id=70, body="Looking", internal=False, now=LATER)
    request.add_comment(IT_AGENT, comment_id=71, body="Still looking", internal=False, now=LATER + timedelta(hours=1))
    assert request.sla.first_response_at == LATER


@pytest.mark.parametrize(
    ("author", "internal"),
    [(IT_AGENT, True), (EMPLOYEE, False), (FAC_AGENT, False), (ADMIN, False)],
    ids=["internal-note", "requester", "task-department", "admin"],
)
def test_other_comments_are_not_a_first_response(author, internal):
    request = a_request(with_desk_task=True)
    request.add_comment(author, comment_id=70, body="Note", internal=internal, now=LATER)
    assert request.sla.first_response_at is None


# -- rating -------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [S.RESOLVED, S.CLOSED], ids=status_id)
def test_the_requester_rates_a_resolved_or_closed_request(status):
    request = a_request(status=status)
    version = request.version
    request.rate(EMPLOYEE, score=4, comment="  Quick, thanks ", now=LATER)
    assert request.satisfaction == Satisfaction(score=4, comment="Quick, thanks", rated_at=LATER)
    assert request.version == version + 1
    assert request.events == [
        Event("RequestRated", LATER, EMPLOYEE.id, {"score": 4}, request_id=100, department_ids=(IT,))
    ]


def test_a_blank_rating_comment_is_no_comment():
    request = a_request(status=S.RESOLVED)
    request.rate(EMPLOYEE, score=5, comment="   ", now=LATER)
    assert request.satisfaction.comment is None


@pytest.mark.parametrize("status", [s for s in RequestStatus if s not in (S.RESOLVED, S.CLOSED)], ids=status_id)
def test_an_unresolved_request_is_not_rated(status):
    request = a_request(status=status)
    refused(DomainError, "NOT_RESOLVED", lambda: request.rate(EMPLOYEE, score=3, comment=None, now=LATER), request)


@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_score_is_from_one_to_five(score):
    request = a_request(status=S.RESOLVED)
    refused(
        DomainError, "SCORE_OUT_OF_RANGE", lambda: request.rate(EMPLOYEE, score=score, comment=None, now=LATER), request
    )


def test_a_request_is_rated_once():
    request = a_request(status=S.RESOLVED)
    request.rate(EMPLOYEE, score=2, comment=None, now=NOW)
    request.events.clear()
    refused(DomainError, "ALREADY_RATED", lambda: request.rate(EMPLOYEE, score=5, comment=None, now=LATER), request)


@pytest.mark.parametrize("actor", [IT_AGENT, ADMIN, OTHER], ids=lambda p: p.name)
def test_only_the_requester_rates(actor):
    request = a_request(status=S.RESOLVED)
    refused(Forbidden, "FORBIDDEN", lambda: request.rate(actor, score=5, comment=None, now=LATER), request)


# -- the SLA clock on a request -----------------------------------------------------------
@pytest.mark.parametrize(
    ("priority", "response", "resolution"),
    [(Priority.URGENT, 15, 120), (Priority.HIGH, 30, 240), (Priority.MEDIUM, 60, 480), (Priority.LOW, 120, 960)],
    ids=lambda v: getattr(v, "value", v),
)
def test_a_requests_due_dates_follow_its_type_and_priority(priority, response, resolution):
    request = a_request(request_type=new_laptop(), priority=priority)
    assert request.sla.response_due_at == NOW + timedelta(minutes=response)
    assert request.sla.resolution_due_at == NOW + timedelta(minutes=resolution)


def test_without_a_type_a_request_gets_the_default_policy():
    request = a_request()
    assert request.sla.response_due_at == NOW + timedelta(hours=4)
    assert request.sla.resolution_due_at == NOW + timedelta(days=2)


def test_waiting_on_the_requester_pauses_the_clock_and_resuming_extends_resolution():
    # given a request in progress
    request = a_request(request_type=new_laptop(), status=S.IN_PROGRESS)
    due = request.sla.resolution_due_at
    # when it waits on the requester for three hours
    request.transition(IT_AGENT, S.WAITING_ON_REQUESTER, now=NOW + timedelta(hours=1))
    assert request.sla.paused
    request.transition(IT_AGENT, S.IN_PROGRESS, now=NOW + timedelta(hours=4))
    # then resolution is due three hours later and the clock runs again
    assert not request.sla.paused
    assert request.sla.paused_seconds == 3 * 3600
    assert request.sla.resolution_due_at == due + timedelta(hours=3)


def test_resolving_a_request_waiting_on_the_requester_stops_the_pause():
    request = a_request(status=S.WAITING_ON_REQUESTER)
    due = request.sla.resolution_due_at
    request.transition(IT_AGENT, S.RESOLVED, now=LATER)
    assert not request.sla.paused
    assert request.sla.resolution_due_at == due + (LATER - NOW)


def test_the_owners_first_move_out_of_new_is_the_first_response():
    request = a_request()
    request.transition(IT_AGENT, S.TRIAGED, now=LATER)
    request.transition(IT_AGENT, S.IN_PROGRESS, now=LATER + timedelta(hours=1))
    assert request.sla.first_response_at == LATER


def test_the_requester_cancelling_is_no_response():
    request = a_request()
    request.transition(EMPLOYEE, S.CANCELLED, now=LATER)
    assert request.sla.first_response_at is None


def test_a_request_first_answered_after_the_response_target_is_breached():
    # given a laptop request (60 minutes to respond) / when triaged after 61 minutes
    request = a_request(request_type=new_laptop())
    request.transition(IT_AGENT, S.TRIAGED, now=NOW + timedelta(minutes=61))
    # then it is breached for good, even once resolved in time
    request.transition(IT_AGENT, S.IN_PROGRESS, now=NOW + timedelta(minutes=62))
    assert request.sla.breached(now=NOW + timedelta(minutes=62), resolved_at=request.resolved_at)


def test_a_request_answered_and_resolved_in_time_is_not_breached():
    request = a_request(request_type=new_laptop())
    request.transition(IT_AGENT, S.IN_PROGRESS, now=NOW + timedelta(minutes=30))
    request.complete_task(FAC_AGENT, 500, now=NOW + timedelta(hours=6))
    request.transition(IT_AGENT, S.RESOLVED, now=NOW + timedelta(hours=7))
    assert not request.sla.breached(now=NOW + timedelta(days=30), resolved_at=request.resolved_at)


def test_raising_the_priority_brings_the_due_dates_forward():
    request = a_request(request_type=new_laptop())
    request.update(IT_AGENT, now=LATER, priority=Priority.URGENT, request_type=new_laptop())
    assert request.sla.response_due_at == NOW + timedelta(minutes=15)
    assert request.sla.resolution_due_at == NOW + timedelta(minutes=120)
    assert request.events[0].payload == {"changes": {"priority": {"from": "MEDIUM", "to": "URGENT"}}}


# -- editing ------------------------------------------------------------------------------
def test_the_owner_edits_a_request_in_one_version_step_and_one_event():
    request = a_request(status=S.IN_PROGRESS)
    version = request.version
    request.update(
        IT_AGENT,
        now=LATER,
        title=" Slow laptop ",
        description="Boots in 10 minutes",
        priority=Priority.HIGH,
        fields={"notes": "urgent"},
    )
    assert (request.title, request.description, request.priority, request.fields) == (
        "Slow laptop",
        "Boots in 10 minutes",
        Priority.HIGH,
        {"notes": "urgent"},
    )
    assert request.version == version + 1
    assert request.updated_at == LATER
    assert request.events == [
        Event(
            "RequestUpdated",
            LATER,
            IT_AGENT.id,
            {
                "changes": {
                    "title": "Slow laptop",
                    "description": "Boots in 10 minutes",
                    "fields": {"notes": "urgent"},
                    "priority": {"from": "MEDIUM", "to": "HIGH"},
                }
            },
            request_id=100,
            department_ids=(IT,),
        )
    ]


def test_agent_only_values_change_in_an_internal_event_of_their_own():
    # given a form with an agent-only field
    form = new_laptop()
    form = replace(form, fields=[*form.fields, FieldDefinition("tag", "Tag", FieldKind.TEXT, agent_only=True)])
    request = a_request(status=S.IN_PROGRESS)
    version = request.version
    # when the owner changes a public and an agent-only value in one edit
    request.update(IT_AGENT, now=LATER, fields={"notes": "urgent", "tag": "A-1"}, request_type=form)
    # then one version step, a public event without the agent-only value, and an internal one with it
    assert request.version == version + 1
    assert request.events == [
        Event(
            "RequestUpdated",
            LATER,
            IT_AGENT.id,
            {"changes": {"fields": {"notes": "urgent"}}},
            request_id=100,
            department_ids=(IT,),
        ),
        Event(
            "RequestUpdated",
            LATER,
            IT_AGENT.id,
            {"changes": {"fields": {"tag": "A-1"}}},
            request_id=100,
            department_ids=(IT,),
            internal=True,
        ),
    ]
    # and changing only the agent-only value records only the internal event
    request.events.clear()
    request.update(IT_AGENT, now=LATER, fields={"notes": "urgent", "tag": "A-2"}, request_type=form)
    assert [(e.internal, e.payload) for e in request.events] == [(True, {"changes": {"fields": {"tag": "A-2"}}})]


def test_an_edit_that_repeats_the_current_values_changes_nothing():
    request = a_request()
    before = state(request)
    request.update(
        IT_AGENT,
        now=LATER,
        title=" My laptop is slow ",
        description=" It takes ages to boot. ",
        priority=Priority.MEDIUM,
        fields={},
    )
    assert state(request) == before


@pytest.mark.parametrize("status", [S.NEW, S.WAITING_ON_REQUESTER], ids=status_id)
def test_the_requester_edits_before_work_starts_or_while_asked(status):
    request = a_request(status=status)
    request.update(EMPLOYEE, now=LATER, title="Laptop will not boot", priority=Priority.MEDIUM)
    assert request.title == "Laptop will not boot"


@pytest.mark.parametrize("status", [S.TRIAGED, S.IN_PROGRESS, S.WAITING_ON_DEPARTMENT], ids=status_id)
def test_the_requester_may_not_edit_once_work_started(status):
    request = a_request(status=status)
    refused(Forbidden, "FORBIDDEN", lambda: request.update(EMPLOYEE, now=LATER, title="Changed"), request)


@pytest.mark.parametrize("status", sorted(DONE, key=lambda s: s.value), ids=status_id)
def test_a_finished_request_is_not_edited_even_by_its_owner(status):
    request = a_request(status=status)
    refused(
        DomainError, "REQUEST_FINISHED", lambda: request.update(IT_AGENT, now=LATER, priority=Priority.URGENT), request
    )


def test_waiting_on_a_department_needs_an_open_task():
    request = a_request(status=S.IN_PROGRESS)
    error = refused(
        DomainError, "NO_OPEN_TASKS", lambda: request.transition(IT_AGENT, S.WAITING_ON_DEPARTMENT, now=LATER), request
    )
    assert error.field == ("to",)


@pytest.mark.parametrize("status", [S.CLOSED, S.CANCELLED], ids=status_id)
def test_a_closed_request_takes_no_comments(status):
    request = a_request(status=status)
    refused(
        DomainError,
        "REQUEST_CLOSED",
        lambda: request.add_comment(EMPLOYEE, comment_id=1, body="Thanks", internal=False, now=LATER),
        request,
    )


def test_the_requester_may_not_set_the_priority():
    request = a_request()
    error = refused(
        Forbidden, "FORBIDDEN", lambda: request.update(EMPLOYEE, now=LATER, priority=Priority.URGENT), request
    )
    assert error.field == ("priority",)


def test_others_may_not_edit():
    request = a_request(with_desk_task=True)
    for actor in (OTHER, FAC_AGENT, HR_AGENT):
        refused(Forbidden, "FORBIDDEN", lambda actor=actor: request.update(actor, now=LATER, title="Mine now"), request)


def test_a_bad_edit_changes_nothing_even_when_other_values_were_fine():
    # given a request / when a good title comes with a too-long description
    request = a_request()
    error = refused(
        DomainError,
        "INVALID_INPUT",
        lambda: request.update(
            IT_AGENT, now=LATER, title="Better title", description="x" * (MAX_BODY + 1), priority=Priority.HIGH
        ),
        request,
    )
    # then the title was not changed either
    assert error.field == ("description",)


@pytest.mark.parametrize("title", ["  ", "x" * (MAX_TITLE + 1)], ids=["blank", "too-long"])
def test_a_bad_title_is_refused(title):
    request = a_request()
    error = refused(DomainError, "INVALID_INPUT", lambda: request.update(IT_AGENT, now=LATER, title=title), request)
    assert error.field == ("title",)


# -- versions -----------------------------------------------------------------------------
def test_a_stale_version_is_refused_and_the_current_one_accepted():
    request = a_request(status=S.IN_PROGRESS)
    error = refused(StaleVersion, "STALE_VERSION", lambda: request.check_version(request.version - 1), request)
    assert error.field == ("expectedVersion",)
    request.check_version(request.version)
    request.check_version(None)


def test_each_command_on_the_same_request_steps_the_version_once():
    # given a request at version 1
    request = a_request()
    assert request.version == 1
    # when four commands run one after the other on the same object
    request.transition(IT_AGENT, S.TRIAGED, now=NOW)
    request.assign(IT_AGENT, IT_AGENT, now=NOW)
    request.add_task(IT_AGENT, task_id=501, title="Image", department_id=IT, assignee=None, now=NOW)
    request.complete_task(IT_AGENT, 501, now=NOW)
    # then each stepped the version once
    assert request.version == 5


def test_a_command_that_moves_the_status_as_a_side_effect_still_steps_once():
    request = a_request(with_desk_task=True, status=S.WAITING_ON_DEPARTMENT)
    version = request.version
    request.complete_task(FAC_AGENT, 500, now=LATER)
    assert request.status is S.IN_PROGRESS
    assert request.version == version + 1


# -- events -------------------------------------------------------------------------------
def test_every_change_records_a_past_tense_event_for_the_departments_concerned():
    # given a request with a Facilities task, walked through a full life
    request = a_request(with_desk_task=True)
    request.watch(EMPLOYEE, EMPLOYEE, watching=True, now=NOW)
    request.update(IT_AGENT, now=NOW, title="Slow laptop")
    request.assign(IT_AGENT, IT_AGENT2, now=NOW)
    request.add_comment(IT_AGENT, comment_id=70, body="On it", internal=False, now=NOW)
    request.add_task(IT_AGENT, task_id=501, title="Contract", department_id=HR, assignee=None, now=NOW)
    request.transition(IT_AGENT, S.TRIAGED, now=NOW)
    request.transition(IT_AGENT, S.WAITING_ON_DEPARTMENT, now=NOW)
    request.complete_task(FAC_AGENT, 500, now=NOW)
    request.complete_task(HR_AGENT, 501, now=NOW)
    request.hand_off(IT_AGENT, HR, reason="HR finishes it", now=NOW)
    request.transition(HR_AGENT, S.RESOLVED, now=NOW)
    request.rate(EMPLOYEE, score=5, comment=None, now=NOW)
    request.watch(EMPLOYEE, EMPLOYEE, watching=False, now=NOW)
    # then every change left an event, all in the past tense, all about this request
    types = [e.type for e in request.events]
    assert types == [
        "WatcherAdded",
        "RequestUpdated",
        "RequestAssigned",
        "CommentAdded",
        "TaskAdded",
        "RequestTransitioned",
        "RequestTransitioned",
        "TaskCompleted",
        "TaskCompleted",
        "RequestTransitioned",
        "RequestHandedOff",
        "RequestTransitioned",
        "RequestRated",
        "WatcherRemoved",
    ]
    assert set(types) <= PAST_TENSE
    assert all(e.request_id == 100 and e.occurred_at == NOW for e in request.events)
    # and the departments follow the work: IT and Facilities, then HR once it has a task
    assert request.events[0].department_ids == (IT, FACILITIES)
    assert request.events[4].department_ids == (IT, HR, FACILITIES)
    assert request.events[-1].department_ids == (HR, FACILITIES)
