"""People and roles."""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from domain.people import Person, Role, new_person
from tests.unit.example_org import ADMIN, EMPLOYEE, HR, HR_AGENT, IT, IT_AGENT, IT_MANAGER, NOW


def test_a_new_person_is_trimmed_and_their_email_lowercased():
    person = new_person(
        id=7, name="  Jane Doe ", email=" Jane.Doe@Example.COM ", role=Role.AGENT, department_id=IT, now=NOW
    )
    assert person == Person(
        id=7, name="Jane Doe", email="jane.doe@example.com", role=Role.AGENT, department_id=IT, created_at=NOW
    )


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.ADMIN])
def test_requesters_and_admins_need_no_department(role):
    assert (
        new_person(id=1, name="Jo", email="jo@example.com", role=role, department_id=None, now=NOW).department_id
        is None
    )


@pytest.mark.parametrize("role", [Role.AGENT, Role.MANAGER])
def test_agents_and_managers_belong_to_a_department(role):
    with pytest.raises(DomainError) as raised:
        new_person(id=1, name="Jo", email="jo@example.com", role=role, department_id=None, now=NOW)
    assert raised.value.code == "DEPARTMENT_REQUIRED"
    assert raised.value.field == ("departmentId",)


@pytest.mark.parametrize("email", ["", "jo", "jo@example", "jo @example.com", "@example.com", "jo@@example.com"])
def test_an_email_must_look_like_an_address(email):
    with pytest.raises(DomainError) as raised:
        new_person(id=1, name="Jo", email=email, role=Role.REQUESTER, department_id=None, now=NOW)
    assert raised.value.code == "INVALID_EMAIL"
    assert raised.value.field == ("email",)


def test_a_name_must_not_be_blank():
    with pytest.raises(DomainError) as raised:
        new_person(id=1, name="   ", email="jo@example.com", role=Role.REQUESTER, department_id=None, now=NOW)
    assert raised.value.field == ("name",)


def test_staff_are_agents_and_managers_with_a_department():
    assert IT_AGENT.is_staff and IT_MANAGER.is_staff
    assert not ADMIN.is_staff and not EMPLOYEE.is_staff
    assert not Person(99, "Stray", "s@example.com", Role.AGENT, None).is_staff


def test_only_admins_are_admins():
    assert ADMIN.is_admin
    assert not any(p.is_admin for p in (IT_AGENT, IT_MANAGER, EMPLOYEE))


def test_working_in_a_department_takes_staff_of_that_department():
    assert IT_AGENT.works_in(IT) and IT_MANAGER.works_in(IT)
    assert not IT_AGENT.works_in(HR)
    assert not IT_AGENT.works_in(None)
    assert not ADMIN.works_in(IT)
    # a requester recorded against a department still does not work its queue
    assert not Person(98, "Rita", "r@example.com", Role.REQUESTER, IT).works_in(IT)


def test_managing_a_department_takes_a_manager_of_that_department():
    assert IT_MANAGER.manages(IT)
    assert not IT_MANAGER.manages(HR)
    assert not IT_AGENT.manages(IT)
    assert not HR_AGENT.manages(HR)
    assert not ADMIN.manages(IT)
