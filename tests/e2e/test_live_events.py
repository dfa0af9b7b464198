"""The `events` subscription end to end: real servers, the `gql` websocket client, real HTTP."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.client import payload
from tests.e2e.live import Feed, live_session, until_live
from tests.support.org import Org
from tests.support.server import Server

CREATE = """mutation($input: RequestCreateInput!) { requestCreate(input: $input) {
  request { id number version } userErrors { code } } }"""
COMMENT = """mutation($input: CommentAddInput!) { commentAdd(input: $input) {
  comment { id } userErrors { code } } }"""


def create(http, token: str, org: Org, title: str) -> dict:
    return payload(http, CREATE, token=token, input={"serviceId": org.gid("Service", "laptops"), "title": title})[
        "request"
    ]


def comment(http, token: str, request_id: str, body: str, *, internal: bool = False) -> None:
    payload(http, COMMENT, token=token, input={"requestId": request_id, "body": body, "internal": internal})


def events_of(results: list[dict]) -> list[dict]:
    return [r["events"] for r in results]


@pytest.fixture
def second_server(server_env, tmp_path, e2e_org):
    """Another process on the same database: what it commits reaches the first one by NOTIFY."""
    other = Server(env=server_env, cwd=tmp_path, log_path=tmp_path / "second.log")
    other.wait_ready()
    yield other
    other.stop()


async def test_an_event_committed_on_one_process_reaches_a_subscriber_on_another(
    server, second_server, e2e_org: Org, token_for
):
    import httpx

    agent, employee = token_for("it.agent@example.com"), token_for("employee@example.com")
    async with live_session(server.url, agent) as session:
        # given an IT agent subscribed on process A
        feed = Feed(session)
        await asyncio.sleep(0.3)
        # when a requester raises a request through process B
        with httpx.Client(base_url=second_server.url, timeout=30) as http_b:
            request = await asyncio.to_thread(create, http_b, employee, e2e_org, "Dock is dead")
        # then it arrives on A
        (event,) = events_of(await feed.take(1))
        assert event["type"] == "RequestCreated"
        assert event["request"]["id"] == request["id"]
        assert event["actor"] == {"email": "employee@example.com"}
        await feed.stop()


async def test_a_reconnecting_client_gets_exactly_what_it_missed_then_live_events(
    server, http, e2e_org: Org, token_for
):
    agent, employee = token_for("it.agent@example.com"), token_for("employee@example.com")
    request = await asyncio.to_thread(create, http, employee, e2e_org, "Fan noise")
    # given a subscriber that saw one event and remembered its cursor
    async with live_session(server.url, agent) as session:
        feed = Feed(session, requestId=request["id"])
        await asyncio.sleep(0.3)
        await asyncio.to_thread(comment, http, employee, request["id"], "first")
        (seen,) = events_of(await feed.take(1))
        if seen["type"] == "RequestCreated":
            # A feed goes live at the broker's head: on a loaded machine the broker may read the
            # creation (committed before the feed started) after it, and deliver it live.
            (seen,) = events_of(await feed.take(1))
        assert seen["summary"] == "Commented: first"
        await feed.stop()
    # when, while it is away, three more changes commit
    for body in ("second", "third", "fourth"):
        await asyncio.to_thread(comment, http, employee, request["id"], body)
    # then on reconnecting after its cursor it receives exactly those three, in order, then live ones
    async with live_session(server.url, agent) as session:
        feed = Feed(session, requestId=request["id"], after=seen["cursor"])
        missed = events_of(await feed.take(3))
        assert [e["summary"] for e in missed] == ["Commented: second", "Commented: third", "Commented: fourth"]
        assert seen["cursor"] not in [e["cursor"] for e in missed]
        await asyncio.to_thread(comment, http, employee, request["id"], "fifth")
        (live,) = events_of(await feed.take(1))
        assert live["summary"] == "Commented: fifth"
        assert len({e["cursor"] for e in [seen, *missed, live]}) == 5
        assert await feed.nothing_more()
        await feed.stop()


async def test_resuming_after_a_server_restart_loses_nothing(server_env, http, e2e_org: Org, token_for, tmp_path):
    agent, employee = token_for("it.agent@example.com"), token_for("employee@example.com")
    own = Server(env=server_env, cwd=tmp_path, log_path=tmp_path / "restarted.log")
    try:
        own.wait_ready()
        request = await asyncio.to_thread(create, http, employee, e2e_org, "Restart me")
        async with live_session(own.url, agent) as session:
            feed = Feed(session, requestId=request["id"])
            await asyncio.sleep(0.3)
            await asyncio.to_thread(comment, http, employee, request["id"], "before the restart")
            (seen,) = events_of(await feed.take(1))
            await feed.stop()
        # when the server restarts and changes commit meanwhile (through another process)
        own.stop()
        await asyncio.to_thread(comment, http, employee, request["id"], "while it was down")
        own = Server(env=server_env, cwd=tmp_path, log_path=tmp_path / "restarted-again.log")
        own.wait_ready()
        # then resuming from the cursor gets what committed while it was down, then live events
        async with live_session(own.url, agent) as session:
            feed = Feed(session, requestId=request["id"], after=seen["cursor"])
            (missed,) = events_of(await feed.take(1))
            assert missed["summary"] == "Commented: while it was down"
            await asyncio.to_thread(comment, http, employee, request["id"], "after the restart")
            (live,) = events_of(await feed.take(1))
            assert live["summary"] == "Commented: after the restart"
            await feed.stop()
    finally:
        own.stop()


async def test_delivery_resumes_when_the_listening_database_connection_is_killed(
    server, second_server, server_database, e2e_org: Org, token_for
):
    import asyncpg
    import httpx

    from db.broker import LISTENER_NAME
    from tests.support.database import asyncpg_dsn

    agent, employee = token_for("it.agent@example.com"), token_for("employee@example.com")
    async with live_session(server.url, agent) as session:
        feed = Feed(session)
        await asyncio.sleep(0.3)
        # when every LISTEN connection to the database is terminated
        admin = await asyncpg.connect(asyncpg_dsn(server_database))
        try:
            killed = await admin.fetchval(
                """select count(pg_terminate_backend(pid)) from pg_stat_activity
                                             where datname = current_database() and application_name = $1""",
                LISTENER_NAME,
            )
        finally:
            await admin.close()
        assert killed >= 1
        # and a change commits through the other process right after
        with httpx.Client(base_url=second_server.url, timeout=30) as http_b:
            request = await asyncio.to_thread(create, http_b, employee, e2e_org, "After the kill")
        # then the subscriber on the first process still receives it
        (event,) = events_of(await feed.take(1, timeout=20))
        assert event["request"]["id"] == request["id"]
        await feed.stop()


async def test_a_requester_never_receives_what_they_may_not_see(server, http, e2e_org: Org, token_for):
    employee, other = token_for("employee@example.com"), token_for("other@example.com")
    agent = token_for("it.agent@example.com")
    async with live_session(server.url, employee) as session:
        feed = Feed(session)
        await asyncio.sleep(0.3)
        # when another requester raises a request, and an agent adds an internal note to the employee's
        mine = await asyncio.to_thread(create, http, employee, e2e_org, "Mine")
        await asyncio.to_thread(create, http, other, e2e_org, "Not yours")
        await asyncio.to_thread(comment, http, agent, mine["id"], "internal: check the warranty", internal=True)
        await asyncio.to_thread(comment, http, agent, mine["id"], "We are on it")
        # then the employee receives their request's creation and the public comment only
        received = events_of(await feed.take(2))
        assert [(e["type"], e["request"]["id"]) for e in received] == [
            ("RequestCreated", mine["id"]),
            ("CommentAdded", mine["id"]),
        ]
        assert received[1]["summary"] == "Commented: We are on it"
        assert await feed.nothing_more()
        await feed.stop()


async def test_a_subscription_to_a_request_the_viewer_may_not_see_is_refused(server, http, e2e_org: Org, token_for):
    from gql.transport.exceptions import TransportQueryError

    employee, other = token_for("employee@example.com"), token_for("other@example.com")
    hidden = await asyncio.to_thread(create, http, other, e2e_org, "Private")
    async with live_session(server.url, employee) as session:
        feed = Feed(session, requestId=hidden["id"])
        with pytest.raises(TransportQueryError) as refused:
            await feed.task
        assert refused.value.errors[0]["extensions"]["code"] == "NOT_FOUND"


async def test_every_worker_process_delivers_every_event(server_env, e2e_org: Org, token_for, tmp_path):
    import httpx

    agent, employee = token_for("it.agent@example.com"), token_for("employee@example.com")
    workers = Server(env=server_env, cwd=tmp_path, log_path=tmp_path / "workers.log", args=("--workers", "2"))
    try:
        workers.wait_ready()
        # given subscribers spread over the workers' connections
        sessions = [live_session(workers.url, agent) for _ in range(6)]
        opened = [await s.__aenter__() for s in sessions]
        feeds = [Feed(session) for session in opened]
        with httpx.Client(base_url=workers.url, timeout=30) as http:
            warm_up = await asyncio.to_thread(create, http, employee, e2e_org, "Warm-up")
            await until_live(feeds, lambda: asyncio.to_thread(comment, http, employee, warm_up["id"], "ping"))
            # when a request is raised through whichever worker answers
            request = await asyncio.to_thread(create, http, employee, e2e_org, "Workers")
        # then every subscriber receives it, whichever process wrote it
        for feed in feeds:
            (event,) = events_of(await feed.take(1))
            while event["request"]["id"] == warm_up["id"]:  # a warm-up still on its way
                (event,) = events_of(await feed.take(1))
            assert event["request"]["id"] == request["id"]
            await feed.stop()
        for session in sessions:
            await session.__aexit__(None, None, None)
        listening = [e for e in workers.log_entries() if e.get("message", "").startswith("listening for events")]
        assert len(listening) == 2
    finally:
        assert workers.stop() == 0


STATS = """subscription($id: ID!) { departmentStats(departmentId: $id) { open slaBreached oldestOpenMinutes
  byPriority { priority count } } }"""


async def test_a_wallboard_sees_its_department_queue_change(server, http, e2e_org: Org, token_for):
    agent, employee = token_for("it.agent@example.com"), token_for("employee@example.com")
    async with live_session(server.url, agent) as session:
        feed = Feed(session, STATS, id=e2e_org.gid("Department", "it"))
        (initial,) = await feed.take(1)
        await asyncio.to_thread(create, http, employee, e2e_org, "For the wallboard")
        (pushed,) = await feed.take(1)
        assert pushed["departmentStats"]["open"] == initial["departmentStats"]["open"] + 1
        await feed.stop()
