"""Statements that wait too long are cancelled and answered `TIMEOUT`, writing nothing; a pool
with every connection taken and calls waiting makes /readyz say so. Real servers with small
timeouts; the waits are made by another session holding a lock."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from schema import ids
from tests.e2e.client import bearer
from tests.support.database import asyncpg_dsn, snapshot
from tests.support.org import Org
from tests.support.server import Server

EVENTS_ORDERING_LOCK = 7416321  # the advisory lock every event append takes (migration 0002)
TRANSITION = """mutation($input: RequestTransitionInput!) { requestTransition(input: $input) {
  request { status version } userErrors { code } } }"""
# A payload field with arguments: graphql-core executes it, not the direct path.
TRANSITION_EXECUTED = """mutation($input: RequestTransitionInput!) { requestTransition(input: $input) {
  request { status comments(first: 1) { totalCount } } userErrors { code } } }"""
COMMENT_ADD = """mutation($input: CommentAddInput!) { commentAdd(input: $input) {
  comment { body } userErrors { code } } }"""
TASK_ADD = """mutation($input: TaskAddInput!) { taskAdd(input: $input) { task { title } userErrors { code } } }"""
LIST = "query($first: Int) { requests(first: $first) { totalCount edges { node { id title } } } }"
COUNT = "{ requests { totalCount } }"
# A mixed operation: `departments` compiled; `node` left to normal execution (a page asked both ways
# is refused there), which waits for the locked request and times out.
DEPARTMENTS_AND_NODE = """query($id: ID!) { departments { totalCount }
  node(id: $id) { ... on Request { title comments(first: 1, last: 1) { totalCount } } } }"""


def _served(server_env: dict[str, str], folder, **settings: str) -> Server:
    running = Server(env={**server_env, **settings}, cwd=folder, log_path=folder / "server.log")
    running.wait_ready()
    return running


@pytest.fixture(scope="module")
def lock_limited(server_env, e2e_org: Org, tmp_path_factory):
    running = _served(
        server_env, tmp_path_factory.mktemp("lock-timeout"), TANDEM_LOCK_TIMEOUT="0.5", TANDEM_STATEMENT_TIMEOUT="30"
    )
    yield running
    running.stop()


@contextlib.asynccontextmanager
async def holding(database_url: str, sql: str) -> AsyncIterator[None]:
    """Another session runs `sql` in a transaction and keeps what it locked until the block ends."""
    session = await asyncpg.connect(asyncpg_dsn(database_url))
    transaction = session.transaction()
    await transaction.start()
    try:
        await session.execute(sql)
        yield
    finally:
        await transaction.rollback()
        await session.close()


async def _post(server: Server, query: str, token: str, **variables) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        return await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={**bearer(token), "X-Request-ID": f"timeout-{uuid.uuid4().hex}"},
        )


def _assert_timed_out(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"].isdigit()
    assert response.headers["x-request-id"].startswith("timeout-")
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["TIMEOUT"]


async def test_writes_that_wait_too_long_for_a_lock_time_out_and_write_nothing(
    lock_limited, e2e_org: Org, server_database, token_for
):
    # given requests, a transition already run once (so the view runs it directly from now on),
    # and another session holding the lock every event append waits for
    agent = token_for("it.agent@example.com")
    warmed, request = await _raised(e2e_org), await _raised(e2e_org)
    assert (await _post(lock_limited, TRANSITION, agent, input=_move(warmed))).status_code == 200
    before = await snapshot(e2e_org.engine)
    async with holding(server_database, f"select pg_advisory_xact_lock({EVENTS_ORDERING_LOCK})"):
        # when an agent moves a request (run directly, and through graphql-core), comments on it
        # (run directly, a document new to the server) and adds a task (the locking unit of work)
        answers = [
            await _post(lock_limited, TRANSITION, agent, input=_move(request)),
            await _post(lock_limited, TRANSITION_EXECUTED, agent, input=_move(request)),
            await _post(lock_limited, COMMENT_ADD, agent, input={"requestId": request, "body": "On it"}),
            await _post(
                lock_limited,
                TASK_ADD,
                agent,
                input={
                    "requestId": request,
                    "title": "Check the dock",
                    "expectedVersion": 1,
                    "departmentId": e2e_org.gid("Department", "it"),
                },
            ),
        ]
        during = await snapshot(e2e_org.engine)

    # then each waited its lock timeout and was answered TIMEOUT, and nothing was written
    for answer in answers:
        _assert_timed_out(answer)
    assert during == before == await snapshot(e2e_org.engine)
    assert "lock timeout" in lock_limited.wait_for_log(lambda e: e.get("code") == "TIMEOUT")["message"]

    # and once the lock is gone, the same transition lands
    landed = await _post(lock_limited, TRANSITION, agent, input=_move(request))
    assert landed.json()["data"]["requestTransition"]["request"]["status"] == "TRIAGED"


def _move(request: str) -> dict:
    return {"id": request, "to": "TRIAGED", "expectedVersion": 1}


async def test_a_statement_running_too_long_times_out_and_writes_nothing(
    server_env, e2e_org: Org, server_database, token_for, tmp_path
):
    # given a server with a statement timeout and no lock timeout
    server = _served(server_env, tmp_path, TANDEM_LOCK_TIMEOUT="0", TANDEM_STATEMENT_TIMEOUT="1")
    try:
        request = await _raised(e2e_org)
        before = await snapshot(e2e_org.engine)
        async with holding(server_database, f"select pg_advisory_xact_lock({EVENTS_ORDERING_LOCK})"):
            # when a transition waits for the lock
            answer = await _post(server, TRANSITION, token_for("it.agent@example.com"), input=_move(request))

        # then the statement timeout cancelled it, and nothing was written
        _assert_timed_out(answer)
        assert await snapshot(e2e_org.engine) == before
        assert "statement timeout" in server.wait_for_log(lambda e: e.get("code") == "TIMEOUT")["message"]
    finally:
        server.stop()


async def test_reads_that_wait_too_long_time_out(lock_limited, e2e_org: Org, server_database, token_for):
    agent = token_for("it.agent@example.com")
    request = await _raised(e2e_org)
    warm = await _post(lock_limited, LIST, agent, first=5)  # answered by a compiled read: answered so again
    assert warm.status_code == 200 and "errors" not in warm.json()

    async with holding(server_database, "lock table requests in access exclusive mode"):
        repeated, first_time = await _post(lock_limited, LIST, agent, first=5), await _post(lock_limited, COUNT, agent)
        partial = await _post(lock_limited, DEPARTMENTS_AND_NODE, agent, id=request)

    # compiled reads, the first time (inside strawberry) and once validated (straight from the view)
    _assert_timed_out(repeated)
    _assert_timed_out(first_time)
    # a query that got some data keeps its status; the field that timed out says why it is null
    assert partial.status_code == 200
    body = partial.json()
    assert body["data"]["node"] is None and body["data"]["departments"]["totalCount"] >= 3
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [(["node"], "TIMEOUT")]
    # and a compiled read that timed out was not run again field by field (it would wait as long again)
    assert not [e for e in lock_limited.log_entries() if "executing normally" in e.get("message", "")]


async def test_a_sign_in_that_waits_too_long_is_a_coded_503(lock_limited, e2e_org: Org, server_database, token_for):
    # given a person this server has not seen yet (so the sign-in reads them)
    newcomer = token_for("hr.manager@example.com")
    async with holding(server_database, "lock table people in access exclusive mode"):
        answer = await _post(lock_limited, "{ viewer { email } }", newcomer)

    _assert_timed_out(answer)
    assert answer.json()["errors"][0]["message"] == "The database did not answer in time; try again shortly."


async def test_readyz_says_when_the_pool_is_exhausted(server_env, e2e_org: Org, server_database, token_for, tmp_path):
    # given a server with one pooled connection and no lock timeout
    server = _served(
        server_env,
        tmp_path,
        TANDEM_DB_POOL_SIZE="1",
        TANDEM_DB_POOL_TIMEOUT="3",
        TANDEM_LOCK_TIMEOUT="0",
        TANDEM_STATEMENT_TIMEOUT="60",
    )
    agent = token_for("it.agent@example.com")
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            assert (await _post(server, COUNT, agent)).status_code == 200
            async with holding(server_database, "lock table requests in access exclusive mode"):
                # when one call holds the connection (waiting for the lock) and another waits for it
                holder = asyncio.create_task(_post(server, COUNT, agent))
                await _until_a_statement_waits_for_a_lock(server_database)
                waiter = asyncio.create_task(_post(server, COUNT, agent))
                exhausted = await _readyz_until(http, 503)
                # then /readyz says so; the waiting call gives up after the pool timeout
                assert "pool is exhausted" in exhausted["reason"]
                _assert_timed_out(await waiter)
                assert not holder.done()
            # and once the lock is gone, the held call is answered and the server is ready again
            assert (await holder).status_code == 200
            assert (await _readyz_until(http, 200)) == {"status": "ready"}
    finally:
        server.stop()


async def _until_a_statement_waits_for_a_lock(database_url: str) -> None:
    session = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        for _ in range(200):
            if await session.fetchval(
                "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'"
            ):
                return
            await asyncio.sleep(0.05)
        raise AssertionError("no statement came to wait for the lock")
    finally:
        await session.close()


async def _readyz_until(http: httpx.AsyncClient, status: int) -> dict:
    for _ in range(100):
        answer = await http.get("/readyz", timeout=5)
        if answer.status_code == status:
            return answer.json()
        await asyncio.sleep(0.05)
    raise AssertionError(f"/readyz never answered {status}: {answer.status_code} {answer.text}")


async def _raised(org: Org) -> str:
    return ids.encode("Request", await org.raise_request(org.employee, title=f"Dock {uuid.uuid4().hex[:6]}"))
