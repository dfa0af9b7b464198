"""Every write the server acknowledged survives PostgreSQL crashing: 24 writers add comments through
the real `tandem serve` while its PostgreSQL (a cluster of this test's own, with its default
durability settings) is crashed mid-load and restarted, five times; then every comment id the
server answered is in the database.

Before the fix (a wait that flushed nothing, db.durability) 10 runs of 10 lost acknowledged
comments, in 36 of their 50 crashes: a crash loses only what was acknowledged since the WAL writer
last wrote, so one crash can miss; five make a miss of all of them rare (about 0.2%)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest

from db.engine import create_engine
from schema import ids
from tests.e2e.client import bearer
from tests.support.database import asyncpg_dsn, create_database
from tests.support.org import build_org
from tests.support.own_postgres import OwnPostgres
from tests.support.server import Server, clean_env, mint_token

SECRET = "crash-test-secret-not-the-default-32-bytes"
WRITERS = 24
CRASHES = 5
ACKNOWLEDGED_PER_ROUND = 100  # comments answered between a (re)start and the next crash
ROUND_TIMEOUT = 60.0  # a bound against hanging, not a speed requirement
COMMENT = """mutation($input: CommentAddInput!) { commentAdd(input: $input) {
  comment { id } userErrors { code } } }"""


@dataclass
class Served:
    server: Server
    database_url: str
    token: str
    request_ids: list[str]


@pytest.fixture
def postgres() -> Iterator[OwnPostgres]:
    cluster = OwnPostgres()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
async def served(postgres: OwnPostgres, tmp_path) -> AsyncIterator[Served]:
    """`tandem serve` on a fresh database of that cluster, with one request per writer."""
    database_url, _ = await create_database(postgres.url)
    env = clean_env(DATABASE_URL=database_url, TANDEM_SECRET=SECRET)
    server = Server(env=env, cwd=tmp_path, log_path=tmp_path / "server.log")
    try:
        server.wait_ready()  # it migrates the database itself
        engine = create_engine(database_url, pool_size=2)
        org = await build_org(engine)
        request_ids = [
            ids.encode("Request", await org.raise_request(org.employee, title=f"Crash {n}")) for n in range(WRITERS)
        ]
        await engine.dispose()
        yield Served(server, database_url, mint_token("it.agent@example.com", env=env, cwd=tmp_path), request_ids)
    finally:
        server.stop()


async def test_every_acknowledged_comment_survives_postgres_crashes(postgres: OwnPostgres, served: Served):
    acknowledged: list[int] = []
    stopping = asyncio.Event()
    writers = [
        asyncio.create_task(_write(served, request_id, acknowledged, stopping)) for request_id in served.request_ids
    ]
    try:
        for _ in range(CRASHES):
            # given writes being acknowledged, when PostgreSQL crashes mid-load, and comes back
            await _until_acknowledged(acknowledged, len(acknowledged) + ACKNOWLEDGED_PER_ROUND, served)
            await asyncio.to_thread(postgres.crash)
            await asyncio.to_thread(postgres.start)
        await _until_acknowledged(acknowledged, len(acknowledged) + ACKNOWLEDGED_PER_ROUND, served)
    finally:
        stopping.set()
        await asyncio.gather(*writers)

    # then every comment the server answered with its id is there
    lost = set(acknowledged) - await _present(served.database_url, acknowledged)
    assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged comments were lost: {sorted(lost)[:20]}"
    # (and the crashes were crashes: each start after one recovered from the WAL)
    assert postgres.log_text().count("automatic recovery in progress") == CRASHES


async def _write(served: Served, request_id: str, acknowledged: list[int], stopping: asyncio.Event) -> None:
    """Comment after comment on one request, recording the id of every one the server answered."""
    async with httpx.AsyncClient(base_url=served.server.url, headers=bearer(served.token), timeout=30) as http:
        number = 0
        while not stopping.is_set():
            number += 1
            comment_id = await _add_comment(http, request_id, f"comment {number}")
            if comment_id is None:
                await asyncio.sleep(0.05)  # PostgreSQL is down or recovering: try again soon
            else:
                acknowledged.append(comment_id)


async def _add_comment(http: httpx.AsyncClient, request_id: str, body: str) -> int | None:
    """The new comment's database id, or None when the server did not answer with one."""
    variables = {"input": {"requestId": request_id, "body": body}}
    try:
        response = await http.post("/graphql", json={"query": COMMENT, "variables": variables})
    except httpx.HTTPError:
        return None
    result = (response.json().get("data") or {}).get("commentAdd") if response.status_code == 200 else None
    if not result or result["userErrors"] or not result["comment"]:
        return None
    return ids.decode(result["comment"]["id"], "Comment", field="id")


async def _until_acknowledged(acknowledged: list[int], count: int, served: Served) -> None:
    deadline = time.monotonic() + ROUND_TIMEOUT
    while len(acknowledged) < count:
        assert time.monotonic() < deadline, (
            f"{len(acknowledged)} of {count} comments acknowledged in "
            f"{ROUND_TIMEOUT}s:\n{served.server.log_text()[-3000:]}"
        )
        await asyncio.sleep(0.02)


async def _present(database_url: str, comment_ids: list[int]) -> set[int]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await conn.fetch("select id from comments where id = any($1::bigint[])", comment_ids)
    finally:
        await conn.close()
    return {row["id"] for row in rows}
