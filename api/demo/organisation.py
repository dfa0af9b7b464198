"""The demo organisation: four departments and the forty people who work in and with them."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from db import tables as t
from db.uow import SqlUnitOfWork
from domain import commands
from domain.handlers import organisation
from domain.people import Person, Role

DEPARTMENTS = {"it": "IT", "facilities": "Facilities", "hr": "HR", "finance": "Finance"}

# (name, department key, role, email). The role addresses are the accounts the README and
# the tests sign in with; everyone else gets first.last@example.com.
STAFF = (
    ("Grace Okafor", "it", Role.MANAGER, "it.manager@example.com"),
    ("Sam Patel", "it", Role.AGENT, "it.agent@example.com"),
    ("Lena Fischer", "it", Role.AGENT, None),
    ("Tomás García", "it", Role.AGENT, None),
    ("Yuki Tanaka", "it", Role.AGENT, None),
    ("Marco Rossi", "facilities", Role.MANAGER, "facilities.manager@example.com"),
    ("Aisha Bello", "facilities", Role.AGENT, "facilities.agent@example.com"),
    ("Piotr Nowak", "facilities", Role.AGENT, None),
    ("Claire Dubois", "hr", Role.MANAGER, "hr.manager@example.com"),
    ("Nadia Haddad", "hr", Role.AGENT, "hr.agent@example.com"),
    ("Ben Carter", "hr", Role.AGENT, None),
    ("Henrik Larsen", "finance", Role.MANAGER, "finance.manager@example.com"),
    ("Mei Chen", "finance", Role.AGENT, "finance.agent@example.com"),
    ("Oliver Grant", "finance", Role.AGENT, None),
)

REQUESTERS = (
    ("Emma Wilson", "employee@example.com"),
    *(
        (name, None)
        for name in (
            "Liam O'Connor",
            "Sofia Almeida",
            "Noah Schmidt",
            "Chloé Martin",
            "Arjun Mehta",
            "Hannah Kowalski",
            "Mateo Silva",
            "Zara Ahmed",
            "Lucas Brown",
            "Ingrid Johansson",
            "Kwame Mensah",
            "Elena Popescu",
            "Daniel Kim",
            "Fatima Zahra",
            "Jonas Weber",
            "Priscilla Adeyemi",
            "Ravi Kumar",
            "Olivia Novak",
            "Samuel Cohen",
            "Marta Lindqvist",
            "Diego Torres",
            "Amara Nwosu",
            "Felix Braun",
            "Isabel Costa",
        )
    ),
)

ADMIN = ("Alex Morgan", "admin@example.com")


@dataclass
class Directory:
    """Who is who, for the catalog and the request stories to pick actors from."""

    admin: Person
    departments: dict[str, int]
    people: list[Person]

    def agents(self, department: str) -> list[Person]:
        """The department's agents, its role account (e.g. it.agent@) first."""
        department_id = self.departments[department]
        return [p for p in self.people if p.role is Role.AGENT and p.department_id == department_id]

    def manager(self, department: str) -> Person:
        department_id = self.departments[department]
        return next(p for p in self.people if p.role is Role.MANAGER and p.department_id == department_id)

    @property
    def managers(self) -> list[Person]:
        return [self.manager(key) for key in self.departments]

    @property
    def requesters(self) -> list[Person]:
        return [p for p in self.people if p.role is Role.REQUESTER]

    def by_email(self, email: str) -> Person:
        return next(p for p in self.people if p.email == email)


def email_for(name: str) -> str:
    """'Chloé Martin' -> 'chloe.martin@example.com'."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return ".".join("".join(c for c in part if c.isalnum()) for part in plain.lower().split()) + "@example.com"


async def insert_first_admin(engine: AsyncEngine, *, at: datetime) -> Person:
    """The one row written directly: every handler needs an admin actor to exist first."""
    name, email = ADMIN
    async with engine.begin() as conn:
        row = (
            await conn.execute(
                t.people.insert()
                .values(name=name, email=email, role=Role.ADMIN.value, created_at=at)
                .returning(t.people.c.id)
            )
        ).one()
    return Person(id=row.id, name=name, email=email, role=Role.ADMIN, department_id=None, created_at=at)


async def build_directory(engine: AsyncEngine, *, at: datetime) -> Directory:
    """The admin sets the organisation up on one morning, a minute per entry."""
    admin = await insert_first_admin(engine, at=at)
    directory = Directory(admin=admin, departments={}, people=[admin])
    for key, name in DEPARTMENTS.items():
        at += timedelta(minutes=1)
        directory.departments[key] = await organisation.create_department(
            commands.CreateDepartment(name=name, slug=key), uow=SqlUnitOfWork(engine), actor=admin, now=at
        )
    wanted = [(name, directory.departments[dept], role, email or email_for(name)) for name, dept, role, email in STAFF]
    wanted += [(name, None, Role.REQUESTER, email or email_for(name)) for name, email in REQUESTERS]
    for name, department_id, role, email in wanted:
        at += timedelta(minutes=1)
        command = commands.CreatePerson(name=name, email=email, role=role, department_id=department_id)
        person_id = await organisation.create_person(command, uow=SqlUnitOfWork(engine), actor=admin, now=at)
        directory.people.append(
            Person(id=person_id, name=name, email=email, role=role, department_id=department_id, created_at=at)
        )
    return directory
