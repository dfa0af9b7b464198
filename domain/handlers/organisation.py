"""Departments and people."""

from __future__ import annotations

from datetime import datetime

from domain import commands
from domain.departments import new_department
from domain.errors import Conflict, Forbidden, NotFound
from domain.events import Event
from domain.people import Person, new_person
from domain.ports import UnitOfWork


def _require_admin(actor: Person) -> None:
    if not actor.is_admin:
        raise Forbidden("Only admins manage departments and people.")


async def create_department(cmd: commands.CreateDepartment, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    _require_admin(actor)
    async with uow:
        department = new_department(id=await uow.departments.next_id(), name=cmd.name, slug=cmd.slug, now=now)
        if await uow.departments.slug_taken(department.slug):
            raise Conflict(f"Slug '{department.slug}' is taken.", field=("slug",), code="SLUG_TAKEN")
        await uow.departments.add(department)
        uow.record(
            [Event("DepartmentCreated", now, actor.id, {"name": department.name}, department_ids=(department.id,))]
        )
        await uow.commit()
    return department.id


async def create_person(cmd: commands.CreatePerson, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    _require_admin(actor)
    async with uow:
        if cmd.department_id is not None and not await uow.departments.existing_ids([cmd.department_id]):
            raise NotFound("No such department.", field=("departmentId",))
        person = new_person(
            id=await uow.people.next_id(),
            name=cmd.name,
            email=cmd.email,
            role=cmd.role,
            department_id=cmd.department_id,
            now=now,
        )
        if await uow.people.email_taken(person.email):
            raise Conflict(f"Email '{person.email}' is taken.", field=("email",), code="EMAIL_TAKEN")
        await uow.people.add(person)
        departments = (person.department_id,) if person.department_id else ()
        uow.record(
            [
                Event(
                    "PersonCreated",
                    now,
                    actor.id,
                    {"name": person.name, "role": person.role.value},
                    department_ids=departments,
                )
            ]
        )
        await uow.commit()
    return person.id
