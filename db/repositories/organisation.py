"""Departments and people."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.mapping import department_from_row, person_from_row
from domain.departments import Department
from domain.people import Person


async def next_value(conn: AsyncConnection, sequence: str) -> int:
    value: int = (await conn.execute(text(f"select nextval('{sequence}')"))).scalar_one()
    return value


async def next_values(conn: AsyncConnection, sequence: str, count: int) -> list[int]:
    if count == 0:
        return []
    rows = await conn.execute(text(f"select nextval('{sequence}') from generate_series(1, :n)"), {"n": count})
    return [r[0] for r in rows]


async def existing(conn: AsyncConnection, table: Table, ids: Iterable[int]) -> set[int]:
    ids = list(set(ids))
    if not ids:
        return set()
    rows = await conn.execute(select(table.c.id).where(table.c.id.in_(ids)))
    return {r.id for r in rows}


class DepartmentRepository:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def next_id(self) -> int:
        return await next_value(self.conn, "departments_id_seq")

    async def get(self, department_id: int) -> Department | None:
        row = (await self.conn.execute(select(t.departments).where(t.departments.c.id == department_id))).first()
        return department_from_row(row) if row else None

    async def existing_ids(self, ids: Iterable[int]) -> set[int]:
        return await existing(self.conn, t.departments, ids)

    async def slug_taken(self, slug: str) -> bool:
        query = select(func.count()).select_from(t.departments).where(t.departments.c.slug == slug)
        return (await self.conn.execute(query)).scalar_one() > 0

    async def add(self, department: Department) -> None:
        await self.conn.execute(
            t.departments.insert().values(
                id=department.id, name=department.name, slug=department.slug, created_at=department.created_at
            )
        )


class PersonRepository:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def next_id(self) -> int:
        return await next_value(self.conn, "people_id_seq")

    async def get(self, person_id: int) -> Person | None:
        row = (await self.conn.execute(select(t.people).where(t.people.c.id == person_id))).first()
        return person_from_row(row) if row else None

    async def existing_ids(self, ids: Iterable[int]) -> set[int]:
        return await existing(self.conn, t.people, ids)

    async def email_taken(self, email: str) -> bool:
        query = select(func.count()).select_from(t.people).where(func.lower(t.people.c.email) == email.lower())
        return (await self.conn.execute(query)).scalar_one() > 0

    async def add(self, person: Person) -> None:
        await self.conn.execute(
            t.people.insert().values(
                id=person.id,
                name=person.name,
                email=person.email,
                role=person.role.value,
                department_id=person.department_id,
                created_at=person.created_at,
                kind=person.kind.value,
                deactivated_at=person.deactivated_at,
                version=person.version,
            )
        )

    async def get_for_update(self, person_id: int) -> Person | None:
        row = (await self.conn.execute(select(t.people).where(t.people.c.id == person_id).with_for_update())).first()
        return person_from_row(row) if row else None

    async def get_by_email(self, email: str) -> Person | None:
        query = select(t.people).where(func.lower(t.people.c.email) == email.strip().lower()).with_for_update()
        row = (await self.conn.execute(query)).first()
        return person_from_row(row) if row else None

    async def save(self, person: Person) -> None:
        await self.conn.execute(
            t.people.update()
            .where(t.people.c.id == person.id)
            .values(
                name=person.name,
                role=person.role.value,
                department_id=person.department_id,
                deactivated_at=person.deactivated_at,
                version=person.version,
            )
        )

    async def count_active_admins(self, *, excluding: int | None = None) -> int:
        p = t.people.c
        query = (
            select(func.count())
            .select_from(t.people)
            .where(p.role == "ADMIN", p.kind == "PERSON", p.deactivated_at.is_(None))
        )
        if excluding is not None:
            query = query.where(p.id != excluding)
        return (await self.conn.execute(query)).scalar_one()

    async def lock_administration(self) -> None:
        await self.conn.execute(text("select pg_advisory_xact_lock(hashtext('tandem.people.administration'))"))
