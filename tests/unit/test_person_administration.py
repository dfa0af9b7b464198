"""The Person aggregate: admins change people; every change checks its rules first, so a refused
one changes nothing, and a change records one event and bumps the version."""

from __future__ import annotations

import copy

import pytest

from domain.errors import DomainError
from domain.people import KEEP, PersonChanges, PersonKind, Role, new_service_account
from tests.unit.example_org import ADMIN, EMPLOYEE, HR, IT, IT_AGENT, IT_MANAGER, LATER, NOW


def fresh(person):
    return copy.deepcopy(person)


def refused(person, change) -> DomainError:
    before = copy.deepcopy(person)
    with pytest.raises(DomainError) as raised:
        change(person)
    assert person == before and person.version == before.version and not person.take_events()
    return raised.value


def test_an_update_records_what_changed():
    agent = fresh(IT_AGENT)
    agent.update(ADMIN, PersonChanges(role=Role.MANAGER, department_id=HR), now=LATER, other_active_admins=0)

    assert (agent.role, agent.department_id, agent.version) == (Role.MANAGER, HR, 2)
    (event,) = agent.take_events()
    assert (event.type, event.actor_id, event.department_ids) == ("PersonUpdated", ADMIN.id, (IT, HR))
    assert event.payload == {
        "personId": IT_AGENT.id,
        "name": "Ian Agent",
        "changed": ["departmentId", "role"],
        "role": "MANAGER",
        "from": "AGENT",
    }
    assert agent.take_events() == []


def test_keep_leaves_the_department_and_none_clears_it():
    agent = fresh(IT_AGENT)
    agent.update(ADMIN, PersonChanges(name="Ian"), now=NOW, other_active_admins=0)
    assert agent.department_id == IT
    agent.update(ADMIN, PersonChanges(role=Role.REQUESTER, department_id=None), now=NOW, other_active_admins=0)
    assert (agent.role, agent.department_id, agent.version) == (Role.REQUESTER, None, 3)
    assert PersonChanges().department_id is KEEP


def test_a_change_to_nothing_records_nothing():
    agent = fresh(IT_AGENT)
    agent.update(
        ADMIN, PersonChanges(name="Ian Agent", role=Role.AGENT, department_id=IT), now=NOW, other_active_admins=0
    )
    assert agent.version == 1 and agent.take_events() == []


@pytest.mark.parametrize("actor", [IT_MANAGER, IT_AGENT, EMPLOYEE])
def test_only_admins_change_people(actor):
    error = refused(
        fresh(EMPLOYEE), lambda p: p.update(actor, PersonChanges(role=Role.ADMIN), now=NOW, other_active_admins=1)
    )
    assert error.code == "FORBIDDEN"
    assert refused(fresh(EMPLOYEE), lambda p: p.deactivate(actor, now=NOW, other_active_admins=1)).code == "FORBIDDEN"


@pytest.mark.parametrize(
    "changes, code",
    [
        (PersonChanges(department_id=None), "DEPARTMENT_REQUIRED"),
        (PersonChanges(name=" "), "INVALID_INPUT"),
        (PersonChanges(name="x" * 201), "INVALID_INPUT"),
    ],
)
def test_a_bad_change_is_refused(changes, code):
    assert refused(fresh(IT_AGENT), lambda p: p.update(ADMIN, changes, now=NOW, other_active_admins=1)).code == code


def test_the_last_active_admin_stays_one():
    other_admin = fresh(ADMIN)
    other_admin.id = 99
    error = refused(
        other_admin,
        lambda p: p.update(ADMIN, PersonChanges(role=Role.AGENT, department_id=IT), now=NOW, other_active_admins=0),
    )
    assert error.code == "LAST_ADMIN"
    assert (
        refused(fresh(other_admin), lambda p: p.deactivate(ADMIN, now=NOW, other_active_admins=0)).code == "LAST_ADMIN"
    )


def test_nobody_deactivates_themselves():
    assert (
        refused(fresh(ADMIN), lambda p: p.deactivate(ADMIN, now=NOW, other_active_admins=5)).code
        == "CANNOT_DEACTIVATE_SELF"
    )


def test_deactivation_and_reactivation():
    person = fresh(EMPLOYEE)
    person.deactivate(ADMIN, now=NOW, other_active_admins=0)
    person.deactivate(ADMIN, now=LATER, other_active_admins=0)  # again: nothing
    assert (person.is_active, person.deactivated_at, person.version) == (False, NOW, 2)
    person.reactivate(ADMIN, now=LATER)
    person.reactivate(ADMIN, now=LATER)
    assert (person.is_active, person.version) == (True, 3)
    assert [e.type for e in person.take_events()] == ["PersonDeactivated", "PersonReactivated"]


def test_a_stale_version_is_refused():
    assert refused(fresh(EMPLOYEE), lambda p: p.check_version(2)).code == "STALE_VERSION"
    fresh(EMPLOYEE).check_version(None)  # deactivation may come without one


def test_a_service_account_has_an_address_nobody_receives_mail_at():
    account = new_service_account(id=42, name=" CI bot ", role=Role.AGENT, department_id=IT, now=NOW)
    assert (account.name, account.kind, account.email) == (
        "CI bot",
        PersonKind.SERVICE_ACCOUNT,
        "service-account-42@service-accounts.invalid",
    )
    assert account.is_service_account and account.is_staff
