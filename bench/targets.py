"""Who the scenarios act as and which records they act on, read from the loaded database."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from api.auth import mint_token
from bench.database import asyncpg_dsn
from schema import ids

AGENT = "it.agent@example.com"  # works IT's queue
REQUESTER = "employee@example.com"  # the demo's busiest portal user
DEPARTMENT = "it"
# A request type whose form has one required field, so requestCreate stays about the write.
CREATE_TYPE = "Password reset"
CREATE_FIELDS = [{"key": "account", "value": "VPN"}]
SAMPLE = 200  # records a scenario rotates through, spread over the whole history


@dataclass(frozen=True)
class Targets:
    agent_token: str
    requester_token: str
    agent_id: str
    department_id: str
    service_id: str
    request_type_id: str
    detail_ids: list[str]  # the department's requests, open and closed
    open_ids: list[str]  # the department's requests that still take comments
    rows: RowIds  # the same records as table ids, for PostGraphile


@dataclass(frozen=True)
class RowIds:
    agent: int
    requester: int
    department: int
    service: int
    service_department: int
    request_type: int
    details: list[int]
    open: list[int]


async def read_targets(url: str, *, secret: str) -> Targets:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        people = {
            r["email"]: r["id"]
            for r in await conn.fetch("select id, email from people where email = any($1::text[])", [AGENT, REQUESTER])
        }
        department = await conn.fetchval("select id from departments where slug = $1", DEPARTMENT)
        kind = await conn.fetchrow(
            "select t.id, t.service_id, s.owner_department_id from request_types t "
            "join services s on s.id = t.service_id where t.name = $1",
            CREATE_TYPE,
        )
        owned = [
            r["id"]
            for r in await conn.fetch("select id from requests where owner_department_id = $1 order by id", department)
        ]
        still_open = [
            r["id"]
            for r in await conn.fetch(
                "select id from requests where owner_department_id = $1 and status not in ('CLOSED', 'CANCELLED') "
                "order by id",
                department,
            )
        ]
    finally:
        await conn.close()

    def token(email: str) -> str:
        return mint_token(person_id=people[email], email=email, secret=secret, hours=24)

    rows = RowIds(
        agent=people[AGENT],
        requester=people[REQUESTER],
        department=department,
        service=kind["service_id"],
        service_department=kind["owner_department_id"],
        request_type=kind["id"],
        details=_spread(owned),
        open=_spread(still_open),
    )
    return Targets(
        agent_token=token(AGENT),
        requester_token=token(REQUESTER),
        agent_id=ids.encode("Person", rows.agent),
        department_id=ids.encode("Department", department),
        service_id=ids.encode("Service", kind["service_id"]),
        request_type_id=ids.encode("RequestType", kind["id"]),
        detail_ids=[ids.encode("Request", i) for i in rows.details],
        open_ids=[ids.encode("Request", i) for i in rows.open],
        rows=rows,
    )


def _spread(values: list[int]) -> list[int]:
    """Up to SAMPLE values evenly spaced through `values` (a fixed choice, so runs compare)."""
    step = max(1, len(values) // SAMPLE)
    return values[::step][:SAMPLE]
