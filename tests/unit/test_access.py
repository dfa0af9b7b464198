"""Who may see and do what on a request."""

from __future__ import annotations

import pytest

from domain import access
from tests.unit.example_org import (
    ADMIN,
    EMPLOYEE,
    FAC_AGENT,
    FACILITIES,
    HR,
    HR_AGENT,
    HR_MANAGER,
    IT,
    IT_AGENT,
    IT_MANAGER,
    OTHER,
    a_request,
)


@pytest.fixture
def request_with_desk_task():
    """Owned by IT, with a Facilities task, raised by Emma."""
    return a_request(with_desk_task=True)


def test_working_departments_are_the_owner_and_every_task_department(request_with_desk_task):
    assert access.working_departments(request_with_desk_task) == {IT, FACILITIES}
    assert access.working_departments(a_request()) == {IT}


def names(people):
    return {p.name for p in people}


def test_who_may_view_a_request(request_with_desk_task):
    # given Otto watches Emma's request
    request_with_desk_task.watcher_ids.add(OTHER.id)
    # then admins, the requester, watchers and staff of working departments see it; HR does not
    everyone = [ADMIN, EMPLOYEE, OTHER, IT_AGENT, IT_MANAGER, FAC_AGENT, HR_AGENT, HR_MANAGER]
    viewers = [p for p in everyone if access.can_view_request(p, request_with_desk_task)]
    assert names(viewers) == names([ADMIN, EMPLOYEE, OTHER, IT_AGENT, IT_MANAGER, FAC_AGENT])


def test_a_stranger_may_not_view_a_request(request_with_desk_task):
    assert not access.can_view_request(OTHER, request_with_desk_task)


def test_internal_notes_are_for_the_working_departments_never_the_requester(request_with_desk_task):
    # given the requester also watches / then still no internal notes for them
    request_with_desk_task.watcher_ids.add(EMPLOYEE.id)
    assert not access.can_see_internal(EMPLOYEE, request_with_desk_task)
    assert access.can_see_internal(IT_AGENT, request_with_desk_task)
    assert access.can_see_internal(FAC_AGENT, request_with_desk_task)
    assert access.can_see_internal(ADMIN, request_with_desk_task)
    assert not access.can_see_internal(HR_AGENT, request_with_desk_task)


def test_a_watching_agent_of_another_department_sees_the_request_but_not_internal_notes(request_with_desk_task):
    request_with_desk_task.watcher_ids.add(HR_AGENT.id)
    assert access.can_view_request(HR_AGENT, request_with_desk_task)
    assert not access.can_see_internal(HR_AGENT, request_with_desk_task)


def test_agent_only_values_follow_internal_notes(request_with_desk_task):
    request_with_desk_task.watcher_ids.update({EMPLOYEE.id, HR_AGENT.id})
    seeing = [
        p
        for p in (ADMIN, EMPLOYEE, IT_AGENT, FAC_AGENT, HR_AGENT)
        if access.can_see_agent_only_fields(p, request_with_desk_task)
    ]
    assert names(seeing) == names([ADMIN, IT_AGENT, FAC_AGENT])


def test_requesters_see_only_their_own_contact_details_staff_and_admins_everyones():
    assert access.can_see_contact_details(EMPLOYEE, EMPLOYEE.id)
    assert not access.can_see_contact_details(EMPLOYEE, IT_AGENT.id)
    assert not access.can_see_contact_details(EMPLOYEE, OTHER.id)
    assert all(access.can_see_contact_details(p, OTHER.id) for p in (ADMIN, IT_AGENT, HR_MANAGER))


def test_decision_rights_stay_with_the_owning_department_and_admins(request_with_desk_task):
    deciders = [
        p
        for p in (ADMIN, EMPLOYEE, IT_AGENT, IT_MANAGER, FAC_AGENT, HR_AGENT)
        if access.can_decide(p, request_with_desk_task)
    ]
    assert names(deciders) == names([ADMIN, IT_AGENT, IT_MANAGER])


def test_decision_rights_move_with_ownership(request_with_desk_task):
    # when ownership moves to HR
    request_with_desk_task.owner_department_id = HR
    # then HR decides and IT no longer does
    assert access.can_decide(HR_AGENT, request_with_desk_task)
    assert not access.can_decide(IT_AGENT, request_with_desk_task)


def test_a_task_is_worked_by_its_department_or_an_admin(request_with_desk_task):
    task = request_with_desk_task.tasks[0]
    assert access.can_work_task(FAC_AGENT, task)
    assert access.can_work_task(ADMIN, task)
    assert not access.can_work_task(IT_AGENT, task)
    assert not access.can_work_task(EMPLOYEE, task)


def test_the_catalog_is_managed_by_the_departments_managers_and_admins():
    assert access.can_manage_catalog(IT_MANAGER, IT)
    assert access.can_manage_catalog(ADMIN, HR)
    assert not access.can_manage_catalog(IT_MANAGER, HR)
    assert not access.can_manage_catalog(IT_AGENT, IT)
    assert not access.can_manage_catalog(EMPLOYEE, IT)


# -- events (the live feed decides with these; db.read.visibility.event_visible mirrors them) --------------


def _event_about_emmas_request(*, internal: bool = False, watchers: frozenset[int] = frozenset()):
    return access.EventAudience(
        request_id=1,
        internal=internal,
        department_ids=frozenset({IT, FACILITIES}),
        requester_id=EMPLOYEE.id,
        watcher_ids=watchers,
        working_department_ids=frozenset({IT, FACILITIES}),
    )


@pytest.mark.parametrize(
    "viewer, sees",
    [(EMPLOYEE, True), (OTHER, False), (IT_AGENT, True), (FAC_AGENT, True), (HR_AGENT, False), (ADMIN, True)],
)
def test_a_public_event_follows_its_request(viewer, sees):
    assert access.can_see_event(viewer, _event_about_emmas_request()) is sees


@pytest.mark.parametrize(
    "viewer, sees", [(EMPLOYEE, False), (IT_AGENT, True), (FAC_AGENT, True), (HR_MANAGER, False), (ADMIN, True)]
)
def test_an_internal_event_is_for_the_working_departments_only(viewer, sees):
    assert access.can_see_event(viewer, _event_about_emmas_request(internal=True)) is sees


def test_a_watcher_sees_public_events_but_not_internal_ones():
    assert access.can_see_event(HR_AGENT, _event_about_emmas_request(watchers=frozenset({HR_AGENT.id})))
    assert not access.can_see_event(
        HR_AGENT, _event_about_emmas_request(internal=True, watchers=frozenset({HR_AGENT.id}))
    )


def test_an_event_about_a_deleted_request_is_for_admins_only():
    gone = access.EventAudience(request_id=1, internal=False, department_ids=frozenset({IT}))
    assert not access.can_see_event(IT_AGENT, gone)
    assert access.can_see_event(ADMIN, gone)


def test_an_organisation_event_is_for_the_departments_it_names():
    event = access.EventAudience(request_id=None, internal=False, department_ids=frozenset({HR}))
    assert access.can_see_event(HR_MANAGER, event)
    assert not access.can_see_event(IT_MANAGER, event)
    assert not access.can_see_event(EMPLOYEE, event)
