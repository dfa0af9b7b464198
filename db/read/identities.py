"""The person an OpenID Connect sign-in is linked to, read once per new token (api.oidc)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import fetch_one
from domain.people import Role

LINKED_PERSON = """
    select p.id, p.role, d.slug as department_slug, p.deactivated_at is null and p.kind = 'PERSON' as may_sign_in
    from person_identities i join people p on p.id = i.person_id
    left join departments d on d.id = p.department_id
    where i.issuer = $1 and i.subject = $2"""


@dataclass(frozen=True, slots=True)
class LinkedPerson:
    person_id: int
    role: Role
    department_slug: str | None
    may_sign_in: bool = True  # active, and not a service account


async def linked_person(engine: AsyncEngine, *, issuer: str, subject: str) -> LinkedPerson | None:
    record = await fetch_one(engine, LINKED_PERSON, issuer, subject)
    if record is None:
        return None
    return LinkedPerson(record["id"], Role(record["role"]), record["department_slug"], record["may_sign_in"])
