"""A database restart (or a killed connection) costs no failed request: the pool replaces
broken connections before handing them out."""

import asyncpg
from sqlalchemy import select

from db import tables as t
from schema import ids
from tests.support.database import asyncpg_dsn
from tests.support.org import Org


async def _kill_pooled_connections(database_url: str) -> int:
    admin = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return await admin.fetchval(
            "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity "
            "where datname = current_database() and application_name = 'tandem' and pid <> pg_backend_pid()) k"
        )
    finally:
        await admin.close()


async def test_queries_and_writes_survive_killed_connections(api, org: Org, database_url):
    # given a warm pool
    await api.ok("{ requests(first: 5) { totalCount } departments { totalCount } }", org.it_agent)

    # when every pooled connection is killed, as a database restart would
    killed = await _kill_pooled_connections(database_url)

    # then the next read and write still succeed
    assert killed > 0
    data = await api.ok("{ departments { totalCount } }", org.it_agent)
    assert data["departments"]["totalCount"] == 3
    payload = await api.mutate(
        """mutation($i: RequestCreateInput!) { requestCreate(input: $i) {
        request { number } userErrors { code } } }""",
        org.employee,
        i={"serviceId": org.gid("Service", "payroll"), "title": "After the restart"},
    )
    assert payload["userErrors"] == [] and payload["request"]["number"].startswith("REQ-")


async def test_an_optimistic_write_survives_killed_connections_and_writes_once(api, org: Org, database_url):
    # given a request, and a pool warmed by comments on it (the optimistic path skips the checkout ping)
    request_id = await org.raise_request(org.employee)
    comment = """mutation($i: CommentAddInput!) { commentAdd(input: $i) { comment { body } userErrors { code } } }"""
    request = ids.encode("Request", request_id)
    for i in range(3):
        await api.mutate(comment, org.it_agent, i={"requestId": request, "body": f"warm {i}"})

    # when every pooled connection is killed, then the next comment is the first thing to run
    assert await _kill_pooled_connections(database_url) > 0
    payload = await api.mutate(comment, org.it_agent, i={"requestId": request, "body": "after the restart"})

    # then it landed, once: its read found the connection broken and ran again on a fresh one
    assert payload == {"comment": {"body": "after the restart"}, "userErrors": []}
    async with org.engine.connect() as conn:
        bodies = (await conn.execute(select(t.comments.c.body).where(t.comments.c.request_id == request_id))).scalars()
        assert sorted(bodies) == ["after the restart", "warm 0", "warm 1", "warm 2"]
