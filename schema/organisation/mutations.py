"""Admins shape the organisation: departments and people."""

from __future__ import annotations

import strawberry

from domain import commands
from domain.handlers import organisation as handle
from domain.people import Role as DomainRole
from schema.commands import reload, run_command
from schema.context import Info
from schema.enums import Role
from schema.errors import UserError
from schema.ids import decode_optional
from schema.organisation.types import DepartmentNode, PersonNode
from schema.permissions import root_mutation


@strawberry.input
class DepartmentCreateInput:
    name: str
    slug: str | None = None


@strawberry.input
class PersonCreateInput:
    name: str
    email: str
    role: Role
    department_id: strawberry.ID | None = None


@strawberry.type
class DepartmentPayload:
    department: DepartmentNode | None
    user_errors: list[UserError]


@strawberry.type
class PersonPayload:
    person: PersonNode | None
    user_errors: list[UserError]


@strawberry.type
class OrganisationMutations:
    @root_mutation(administration=True)
    async def department_create(self, info: Info, input: DepartmentCreateInput) -> DepartmentPayload:
        done = await run_command(
            info, handle.create_department, lambda: commands.CreateDepartment(name=input.name, slug=input.slug)
        )
        row = await reload(info.context.loaders.department, done.result)
        return DepartmentPayload(department=DepartmentNode.maybe(row), user_errors=done.user_errors)

    @root_mutation(administration=True)
    async def person_create(self, info: Info, input: PersonCreateInput) -> PersonPayload:
        done = await run_command(
            info,
            handle.create_person,
            lambda: commands.CreatePerson(
                name=input.name,
                email=input.email,
                role=DomainRole(input.role.value),
                department_id=decode_optional(input.department_id, "Department", field="departmentId"),
            ),
        )
        row = await reload(info.context.loaders.person, done.result)
        return PersonPayload(person=PersonNode.from_row(row) if row else None, user_errors=done.user_errors)
