"""Admins manage people: change their name, role and department, deactivate and reactivate them,
and make service accounts for integrations. Each change is an event on the timeline, and takes
effect on every sign-in at once (open websockets included: api.ws_watch)."""

from __future__ import annotations

from collections.abc import Callable

import strawberry

from domain import commands
from domain.handlers import people as handle
from domain.people import KEEP, PersonChanges
from domain.people import Role as DomainRole
from schema.commands import Handler, reload, run_command
from schema.context import Info
from schema.enums import Role
from schema.ids import decode, decode_optional
from schema.organisation.mutations import PersonPayload
from schema.organisation.types import PersonNode
from schema.permissions import root_mutation


@strawberry.input
class PersonUpdateInput:
    id: strawberry.ID
    expected_version: int
    name: str | None = None
    role: Role | None = None
    department_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Absent: unchanged; null: no department (requesters and admins)."
    )


@strawberry.input
class PersonDeactivateInput:
    id: strawberry.ID
    expected_version: int | None = None


@strawberry.input
class PersonReactivateInput:
    id: strawberry.ID
    expected_version: int | None = None


@strawberry.input
class ServiceAccountCreateInput:
    name: str
    role: Role
    department_id: strawberry.ID | None = None


def _department(value: strawberry.ID | None) -> int | None:
    if value is strawberry.UNSET:
        return KEEP
    return decode_optional(value, "Department", field="departmentId")


async def _payload(info: Info, handler: Handler, make_command: Callable[[], object]) -> PersonPayload:
    done = await run_command(info, handler, make_command)
    if not done.user_errors and info.context.on_identity_change is not None:
        info.context.on_identity_change()  # this process's next call sees the change at once
    row = await reload(info.context.loaders.person, done.result)
    return PersonPayload(person=PersonNode.from_row(row) if row else None, user_errors=done.user_errors)


async def _set_active(
    info: Info, input: PersonDeactivateInput | PersonReactivateInput, *, active: bool
) -> PersonPayload:
    return await _payload(
        info,
        handle.set_person_active,
        lambda: commands.SetPersonActive(
            person_id=decode(input.id, "Person", field="id"), active=active, expected_version=input.expected_version
        ),
    )


@strawberry.type
class PeopleMutations:
    @root_mutation(
        administration=True, description="Change a person's name, role or department (admins); carries expectedVersion."
    )
    async def person_update(self, info: Info, input: PersonUpdateInput) -> PersonPayload:
        return await _payload(
            info,
            handle.update_person,
            lambda: commands.UpdatePerson(
                person_id=decode(input.id, "Person", field="id"),
                expected_version=input.expected_version,
                changes=PersonChanges(
                    name=input.name,
                    role=DomainRole(input.role.value) if input.role else None,
                    department_id=_department(input.department_id),
                ),
            ),
        )

    @root_mutation(
        administration=True,
        description="Stop a person from signing in (admins; not yourself): "
        "their tokens stop working and their websockets close.",
    )
    async def person_deactivate(self, info: Info, input: PersonDeactivateInput) -> PersonPayload:
        return await _set_active(info, input, active=False)

    @root_mutation(
        administration=True,
        description="Let a deactivated person sign in again (admins). Tokens revoked meanwhile stay revoked.",
    )
    async def person_reactivate(self, info: Info, input: PersonReactivateInput) -> PersonPayload:
        return await _set_active(info, input, active=True)

    @root_mutation(
        administration=True,
        description="An identity for an integration (admins): it signs in only "
        "with API tokens, which admins make for it (apiTokenCreate).",
    )
    async def service_account_create(self, info: Info, input: ServiceAccountCreateInput) -> PersonPayload:
        return await _payload(
            info,
            handle.create_service_account,
            lambda: commands.CreateServiceAccount(
                name=input.name,
                role=DomainRole(input.role.value),
                department_id=decode_optional(input.department_id, "Department", field="departmentId"),
            ),
        )
