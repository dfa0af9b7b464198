"""People administration: admins change people, deactivate and reactivate them, and make
service accounts; `tandem init` makes the first admin."""

from __future__ import annotations

from datetime import datetime

from domain import commands
from domain.errors import Conflict, Forbidden, NotFound
from domain.events import Event
from domain.people import KEEP, Person, Role, new_person, new_service_account
from domain.ports import UnitOfWork


def require_admin(actor: Person) -> None:
    if not actor.is_admin:
        raise Forbidden("Only admins manage departments and people.")


async def update_person(cmd: commands.UpdatePerson, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    require_admin(actor)
    async with uow:
        person = await _load(uow, cmd.person_id, expected_version=cmd.expected_version)
        department_id = cmd.changes.department_id
        if (
            department_id is not KEEP
            and department_id is not None
            and not await uow.departments.existing_ids([department_id])
        ):
            raise NotFound("No such department.", field=("departmentId",))
        person.update(actor, cmd.changes, now=now, other_active_admins=await _other_admins(uow, person))
        await _save(uow, person)
    return person.id


async def set_person_active(cmd: commands.SetPersonActive, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    require_admin(actor)
    async with uow:
        person = await _load(uow, cmd.person_id, expected_version=cmd.expected_version)
        if cmd.active:
            person.reactivate(actor, now=now)
        else:
            person.deactivate(actor, now=now, other_active_admins=await _other_admins(uow, person))
        await _save(uow, person)
    return person.id


async def create_service_account(
    cmd: commands.CreateServiceAccount, *, uow: UnitOfWork, actor: Person, now: datetime
) -> int:
    require_admin(actor)
    async with uow:
        if cmd.department_id is not None and not await uow.departments.existing_ids([cmd.department_id]):
            raise NotFound("No such department.", field=("departmentId",))
        account = new_service_account(
            id=await uow.people.next_id(), name=cmd.name, role=cmd.role, department_id=cmd.department_id, now=now
        )
        await uow.people.add(account)
        uow.record(
            [
                Event(
                    "ServiceAccountCreated",
                    now,
                    actor.id,
                    {"personId": account.id, "name": account.name, "role": account.role.value},
                    department_ids=(account.department_id,) if account.department_id else (),
                )
            ]
        )
        await uow.commit()
    return account.id


async def create_first_admin(cmd: commands.CreateFirstAdmin, *, uow: UnitOfWork, now: datetime) -> tuple[int, bool]:
    """(the admin's id, whether anything was written). Only into a database with no active
    admin; the person with that email, if there is one, becomes it. Run twice with the same
    email, the second run writes nothing."""
    async with uow:
        await uow.people.lock_administration()  # two first runs at once make one admin
        existing = await uow.people.get_by_email(cmd.email)
        if existing is not None and existing.is_admin and existing.is_active:
            return existing.id, False
        if await uow.people.count_active_admins():
            raise Conflict(
                "The database already has an admin; `tandem init` only sets up a new one. "
                "Ask an admin to add you (personCreate).",
                code="ADMIN_EXISTS",
            )
        if existing is not None:
            existing.become_first_admin(now=now)
            await _save(uow, existing)
            return existing.id, True
        admin = new_person(
            id=await uow.people.next_id(),
            name=cmd.name or cmd.email.partition("@")[0],
            email=cmd.email,
            role=Role.ADMIN,
            department_id=None,
            now=now,
        )
        await uow.people.add(admin)
        uow.record(
            [
                Event(
                    "PersonCreated",
                    now,
                    None,
                    {"personId": admin.id, "name": admin.name, "role": admin.role.value, "via": "init"},
                )
            ]
        )
        await uow.commit()
    return admin.id, True


async def _load(uow: UnitOfWork, person_id: int, *, expected_version: int | None) -> Person:
    person = await uow.people.get_for_update(person_id)
    if person is None:
        raise NotFound("No person has this ID.", field=("id",))
    person.check_version(expected_version)
    return person


async def _other_admins(uow: UnitOfWork, person: Person) -> int:
    """Counted only when it matters; under a lock, so two admins demoting each other at once
    cannot both succeed."""
    if not person.is_admin:
        return 0
    await uow.people.lock_administration()
    return await uow.people.count_active_admins(excluding=person.id)


async def _save(uow: UnitOfWork, person: Person) -> None:
    """Writes only what changed: a change to nothing writes nothing, not even the version."""
    events = person.take_events()
    if events:
        await uow.people.save(person)
        uow.record(events)
        await uow.commit()
