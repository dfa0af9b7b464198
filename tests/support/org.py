"""A small organisation built through the real domain handlers, for tests to act in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from db import tables as t
from db.uow import SqlUnitOfWork
from domain import commands
from domain.catalog import FieldDefinition, FieldKind, SlaPolicy, TaskTemplate
from domain.handlers import catalog, organisation
from domain.handlers import requests as request_handlers
from domain.people import Person, Role
from domain.workflow import Priority
from schema import ids


@dataclass
class Org:
    engine: AsyncEngine
    departments: dict[str, int] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    services: dict[str, int] = field(default_factory=dict)
    request_types: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Person:
        try:
            return self.__dict__["people"][name]
        except KeyError:
            raise AttributeError(name) from None

    def gid(self, kind: str, key: str) -> str:
        table = {"Department": self.departments, "Service": self.services, "RequestType": self.request_types}
        if kind == "Person":
            return ids.encode("Person", self.people[key].id)
        return ids.encode(kind, table[kind][key])

    async def raise_request(
        self,
        requester: Person,
        *,
        service: str = "laptops",
        request_type: str | None = None,
        title: str = "My laptop is slow",
        priority: Priority = Priority.MEDIUM,
        fields: dict | None = None,
        now: datetime | None = None,
    ) -> int:
        async def refs(values: list[str]) -> set[str]:
            return set(values)

        return await request_handlers.create_request(
            commands.CreateRequest(
                service_id=self.services[service],
                title=title,
                priority=priority,
                request_type_id=self.request_types[request_type] if request_type else None,
                fields=fields or {},
            ),
            uow=SqlUnitOfWork(self.engine),
            actor=requester,
            now=now or datetime.now(UTC),
            person_refs=refs,
        )


async def _insert_admin(engine: AsyncEngine) -> Person:
    async with engine.begin() as conn:
        row = (
            await conn.execute(
                t.people.insert().values(name="Ada Admin", email="admin@example.com", role="ADMIN").returning(t.people)
            )
        ).one()
    return Person(id=row.id, name=row.name, email=row.email, role=Role.ADMIN, department_id=None)


async def build_org(engine: AsyncEngine) -> Org:
    """IT, HR and Facilities; an agent or two each; a laptop service whose request type
    fans a desk task out to Facilities."""
    now = datetime.now(UTC)
    org = Org(engine)
    admin = await _insert_admin(engine)
    org.people["admin"] = admin

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine)

    for key, name in (("it", "IT"), ("hr", "HR"), ("facilities", "Facilities")):
        org.departments[key] = await organisation.create_department(
            commands.CreateDepartment(name=name), uow=uow(), actor=admin, now=now
        )
    people = [
        ("it_agent", "Ian Agent", Role.AGENT, "it"),
        ("it_agent2", "Iris Agent", Role.AGENT, "it"),
        ("it_manager", "Ivan Manager", Role.MANAGER, "it"),
        ("hr_agent", "Hana Agent", Role.AGENT, "hr"),
        ("hr_manager", "Hugo Manager", Role.MANAGER, "hr"),
        ("fac_agent", "Fay Agent", Role.AGENT, "facilities"),
        ("employee", "Emma Employee", Role.REQUESTER, None),
        ("other", "Otto Other", Role.REQUESTER, None),
    ]
    for key, name, role, department in people:
        email = f"{key.replace('_', '.')}@example.com"
        department_id = org.departments[department] if department else None
        person_id = await organisation.create_person(
            commands.CreatePerson(name=name, email=email, role=role, department_id=department_id),
            uow=uow(),
            actor=admin,
            now=now,
        )
        org.people[key] = Person(id=person_id, name=name, email=email, role=role, department_id=department_id)
    org.services["laptops"] = await catalog.create_service(
        commands.CreateService(
            name="Laptops",
            owner_department_id=org.departments["it"],
            description="Laptops and accessories",
            collaborating_department_ids=(org.departments["facilities"],),
        ),
        uow=uow(),
        actor=admin,
        now=now,
    )
    org.services["payroll"] = await catalog.create_service(
        commands.CreateService(name="Payroll questions", owner_department_id=org.departments["hr"]),
        uow=uow(),
        actor=admin,
        now=now,
    )
    org.request_types["new_laptop"] = await catalog.create_request_type(
        commands.CreateRequestType(
            service_id=org.services["laptops"],
            name="New laptop",
            fields=(
                FieldDefinition("model", "Model", FieldKind.CHOICE, required=True, options=("13-inch", "15-inch")),
                FieldDefinition("needed_by", "Needed by", FieldKind.DATE),
                FieldDefinition("budget", "Budget", FieldKind.NUMBER),
                FieldDefinition("manager", "Manager", FieldKind.PERSON),
                FieldDefinition("notes", "Notes", FieldKind.TEXT),
            ),
            sla=SlaPolicy(response_minutes=60, resolution_minutes=480),
            task_templates=(TaskTemplate("Set up desk", org.departments["facilities"]),),
        ),
        uow=uow(),
        actor=admin,
        now=now,
    )
    org.request_types["payslip"] = await catalog.create_request_type(
        commands.CreateRequestType(service_id=org.services["payroll"], name="Payslip question"),
        uow=uow(),
        actor=admin,
        now=now,
    )
    return org
