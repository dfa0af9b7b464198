"""A sign-in's writes: linking (issuer, subject) to a person, provisioning one just in time,
and applying a role from the provider's groups.

Race-safe without locks: two first sign-ins at once (two tabs, two devices) both insert, the
unique constraints with ON CONFLICT DO NOTHING keep one person and one link, and each reads back
what was kept (read committed: a statement sees what committed before it began)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import event_log
from db import tables as t
from domain.events import Event
from domain.identities import REQUESTER, RoleRule, SignIn
from domain.people import STAFF_ROLES, Role, new_person

log = logging.getLogger("tandem.oidc")


class NoPerson(Exception):
    """No person has the sign-in's email, and provisioning is off."""


class MayNotSignIn(Exception):
    """The person with the sign-in's email is deactivated, or a service account."""


async def link(engine: AsyncEngine, sign_in: SignIn, *, provision: bool, rule: RoleRule | None, now: datetime) -> int:
    """The id of the person (issuer, subject) is now linked to. `engine` writes (not the autocommit
    reader); the caller has checked that the sign-in's email is verified. DomainError when
    provisioning finds the claims unusable (a malformed email address)."""
    email = sign_in.email
    assert email is not None, "the caller refuses a sign-in without an email"
    async with engine.begin() as conn:
        person_id = await _person_by_email(conn, email)
        if person_id is not None and not await _may_sign_in(conn, person_id):
            raise MayNotSignIn()
        if person_id is None:
            if not provision:
                raise NoPerson()
            person_id = await _provision(conn, sign_in, email=email, rule=rule or REQUESTER, now=now)
        await conn.execute(
            insert(t.person_identities)
            .values(issuer=sign_in.issuer, subject=sign_in.subject, person_id=person_id)
            .on_conflict_do_nothing()
        )
        kept = select(t.person_identities.c.person_id).where(
            t.person_identities.c.issuer == sign_in.issuer, t.person_identities.c.subject == sign_in.subject
        )
        linked: int = (await conn.execute(kept)).scalar_one()
        return linked


async def apply_role(engine: AsyncEngine, person_id: int, rule: RoleRule, *, now: datetime) -> None:
    """Give the person the rule's role and department, recording the change (if any)."""
    async with engine.begin() as conn:
        role, department_id = await _resolve(conn, rule)
        before = (
            await conn.execute(
                select(t.people.c.role, t.people.c.department_id).where(t.people.c.id == person_id).with_for_update()
            )
        ).one()
        if (before.role, before.department_id) == (role.value, department_id):
            return
        name = (
            await conn.execute(
                t.people.update()
                .where(t.people.c.id == person_id)
                .values(role=role.value, department_id=department_id)
                .returning(t.people.c.name)
            )
        ).scalar_one()
        departments = tuple(d for d in {before.department_id, department_id} if d is not None)
        await event_log.append(
            conn,
            [
                Event(
                    "PersonRoleChanged",
                    now,
                    person_id,
                    {"name": name, "role": role.value, "from": before.role},
                    department_ids=departments,
                )
            ],
        )


async def _provision(conn: AsyncConnection, sign_in: SignIn, *, email: str, rule: RoleRule, now: datetime) -> int:
    role, department_id = await _resolve(conn, rule)
    name = (sign_in.name or "").strip() or email.partition("@")[0]
    person = new_person(id=0, name=name[:200], email=email, role=role, department_id=department_id, now=now)
    inserted: int | None = (
        await conn.execute(
            insert(t.people)
            .values(name=person.name, email=person.email, role=role.value, department_id=department_id, created_at=now)
            .on_conflict_do_nothing(index_elements=["email"])
            .returning(t.people.c.id)
        )
    ).scalar_one_or_none()
    if inserted is None:  # another first sign-in with this email committed meanwhile
        winner = await _person_by_email(conn, person.email)
        assert winner is not None, "the conflicting row has committed, so this statement sees it"
        return winner
    await event_log.append(
        conn,
        [
            Event(
                "PersonCreated",
                now,
                inserted,
                {"name": person.name, "role": role.value, "via": "sign-in"},
                department_ids=(department_id,) if department_id else (),
            )
        ],
    )
    return inserted


async def _resolve(conn: AsyncConnection, rule: RoleRule) -> tuple[Role, int | None]:
    """The rule's role and department id. A department slug that names no department leaves a
    staff role without a department, which Tandem does not allow: a requester, then."""
    if rule.department_slug is None:
        return rule.role, None
    department_id = (
        await conn.execute(select(t.departments.c.id).where(t.departments.c.slug == rule.department_slug))
    ).scalar_one_or_none()
    if department_id is None:
        log.warning("the role mapping names an unknown department", extra={"department": rule.department_slug})
        return (Role.REQUESTER if rule.role in STAFF_ROLES else rule.role), None
    return rule.role, department_id


async def _person_by_email(conn: AsyncConnection, email: str) -> int | None:
    query = (
        select(t.people.c.id)
        .where(func.lower(t.people.c.email) == email.strip().lower())
        .order_by(t.people.c.id)
        .limit(1)
    )
    return (await conn.execute(query)).scalar_one_or_none()


async def _may_sign_in(conn: AsyncConnection, person_id: int) -> bool:
    p = t.people.c
    query = select(p.id).where(p.id == person_id, p.deactivated_at.is_(None), p.kind == "PERSON")
    return (await conn.execute(query)).scalar_one_or_none() is not None
