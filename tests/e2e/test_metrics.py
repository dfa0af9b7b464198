"""/metrics and the access log of a real `tandem serve`: operations, errors, the pool, subscriptions
and the delay from commit to delivery; and several workers adding up through the shared folder."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from schema import ids
from tests.e2e.client import bearer, post
from tests.e2e.live import EVENTS, Feed, live_session
from tests.e2e.metered import scrape, until, value
from tests.support.org import Org
from tests.support.server import Server

CREATE = """mutation MetricsCreate($input: RequestCreateInput!) { requestCreate(input: $input) {
  request { id } userErrors { code } } }"""
STATS = "subscription MetricsStats($id: ID!) { departmentStats(departmentId: $id) { open } }"
FEED = EVENTS.replace("subscription(", "subscription MetricsFeed(", 1)


@pytest.fixture(scope="module")
def metered(server_env, tmp_path_factory, e2e_org) -> Server:
    """A server of its own: no other test's operations or subscriptions in its numbers."""
    folder = tmp_path_factory.mktemp("metered")
    running = Server(env=server_env, cwd=folder, log_path=folder / "server.log")
    running.wait_ready()
    yield running
    running.stop()


def _access(server: Server, name: str, **fields) -> dict:
    return server.wait_for_log(
        lambda e: (
            e.get("logger") == "tandem.access"
            and e.get("operation_name") == name
            and all(e.get(k) == v for k, v in fields.items())
        )
    )


def test_operations_errors_and_the_pool_are_counted(metered: Server, e2e_org: Org, token_for):
    token = token_for("employee@example.com")
    with httpx.Client(base_url=metered.url, timeout=30) as http:
        # given a query, a query naming a field that does not exist, a mutation and an unsigned call
        ok = post(http, "query MetricsViewer { viewer { email } }", token=token)
        broken = post(http, "query MetricsBroken { viewer { nope } }", token=token)
        created = post(
            http, CREATE, token=token, input={"serviceId": e2e_org.gid("Service", "laptops"), "title": "Counted"}
        )
        unsigned = post(http, "query MetricsUnsigned { viewer { email } }")
    assert (ok.status_code, broken.status_code, created.status_code, unsigned.status_code) == (200, 200, 200, 401)
    assert created.json()["data"]["requestCreate"]["userErrors"] == []

    # when Prometheus scrapes
    samples = scrape(metered.url)

    # then each operation is counted under its type and name, with its duration
    for kind, name in [
        ("query", "MetricsViewer"),
        ("query", "MetricsBroken"),
        ("mutation", "MetricsCreate"),
        ("query", "MetricsUnsigned"),
    ]:
        assert value(samples, "tandem_operations_total", type=kind, name=name) == 1
        assert value(samples, "tandem_operation_duration_seconds_count", type=kind, name=name) == 1
        assert value(samples, "tandem_operation_duration_seconds_bucket", type=kind, name=name, le="+Inf") == 1
    # errors by code
    assert value(samples, "tandem_operation_errors_total", code="GRAPHQL_VALIDATION_FAILED") >= 1
    assert value(samples, "tandem_operation_errors_total", code="UNAUTHENTICATED") >= 1
    # the pool: none in use between calls, none waiting, 20 + 10 overflow at most
    assert value(samples, "tandem_db_pool_connections_in_use") == 0
    assert value(samples, "tandem_db_pool_waiting_calls") == 0
    assert value(samples, "tandem_db_pool_connections_max") == 30
    # the event log's head has the request's creation
    assert value(samples, "tandem_event_log_head") >= 1
    assert value(samples, "tandem_subscriptions_open") == 0


def test_each_operation_has_one_access_line(metered: Server, e2e_org: Org, token_for):
    token = token_for("employee@example.com")
    with httpx.Client(base_url=metered.url, timeout=30) as http:
        ok = post(http, "query AccessViewer { viewer { id email } }", token=token)
        post(http, "query AccessBroken { nope }", token=token)
        post(http, "{ viewer { email } }", token=token, headers={"X-Request-ID": "access-anonymous"})
    _, person_id = ids.parse(ok.json()["data"]["viewer"]["id"])

    line = _access(metered, "AccessViewer")
    assert line["message"].startswith("query AccessViewer 200 ")
    assert f"ms cost={line['cost']}" in line["message"]
    assert line["operation_type"] == "query"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["cost"] >= 1
    assert line["error_codes"] == []
    assert line["person_id"] == person_id
    assert "employee@example.com" not in str(line)  # an id, never an email
    broken = _access(metered, "AccessBroken")
    assert broken["error_codes"] == ["GRAPHQL_VALIDATION_FAILED"]
    assert broken["message"].endswith("errors=GRAPHQL_VALIDATION_FAILED")
    anonymous = metered.wait_for_log(
        lambda e: e.get("request_id") == "access-anonymous" and e.get("logger") == "tandem.access"
    )
    assert anonymous["message"].startswith("query anonymous 200 ")
    # one line per operation: the plain request line is not written beside it
    mine = [e for e in metered.log_entries() if e.get("request_id") == "access-anonymous"]
    assert len(mine) == 1


async def test_subscriptions_open_and_the_delay_from_commit_to_delivery(metered: Server, e2e_org: Org, token_for):
    agent, employee = token_for("it.agent@example.com"), token_for("employee@example.com")
    before = scrape(metered.url)
    delivered_before = value(before, "tandem_event_delivery_seconds_count") or 0
    async with live_session(metered.url, agent) as session:
        # given an events feed and a wallboard subscribed over one websocket
        feed = Feed(session, FEED)
        stats = Feed(session, STATS, id=e2e_org.gid("Department", "it"))
        # then both are open
        samples = await asyncio.to_thread(until, metered.url, lambda s: value(s, "tandem_subscriptions_open") == 2)
        assert value(samples, "tandem_subscriptions_open") == 2
        assert value(samples, "tandem_operations_total", type="subscription", name="MetricsFeed") == 1
        assert value(samples, "tandem_operations_total", type="subscription", name="MetricsStats") == 1
        _access(metered, "MetricsFeed", status="subscribed")

        # when a request is raised, its event reaches the feed
        with httpx.Client(base_url=metered.url, timeout=30) as http:
            response = await asyncio.to_thread(
                post,
                http,
                CREATE,
                token=employee,
                input={"serviceId": e2e_org.gid("Service", "laptops"), "title": "Delivered"},
            )
        assert response.status_code == 200
        (result,) = await feed.take(1)
        assert result["events"]["type"] == "RequestCreated"

        # then the delay from its commit to its delivery was observed
        samples = scrape(metered.url)
        assert value(samples, "tandem_event_delivery_seconds_count") >= delivered_before + 1
        assert value(samples, "tandem_event_delivery_seconds_bucket", le="+Inf") >= delivered_before + 1
        await feed.stop()
        await stats.stop()

    # and once the client has gone, nothing is open
    samples = await asyncio.to_thread(until, metered.url, lambda s: value(s, "tandem_subscriptions_open") == 0)
    assert value(samples, "tandem_subscriptions_open") == 0
    ended = metered.wait_for_log(
        lambda e: e.get("operation_name") == "MetricsFeed" and e.get("status") in ("stopped", "closed")
    )
    assert ended["duration_ms"] > 0


def test_several_workers_add_up(server_env, e2e_org: Org, token_for, tmp_path):
    # given two worker processes, whose metrics go to one folder (`tandem serve` makes it)
    workers = Server(env=server_env, cwd=tmp_path, log_path=tmp_path / "workers.log", args=("--workers", "2"))
    try:
        workers.wait_ready()
        token = token_for("employee@example.com")

        # when thirty calls are spread over them
        def ask(_: int) -> int:
            return httpx.post(
                f"{workers.url}/graphql",
                json={"query": "query WorkersViewer { viewer { email } }"},
                headers=bearer(token),
                timeout=30,
            ).status_code

        with ThreadPoolExecutor(max_workers=6) as pool:
            assert list(pool.map(ask, range(30))) == [200] * 30

        # then whichever worker answers the scrape counts all of them, and both pools
        for _ in range(4):
            samples = until(workers.url, lambda s: value(s, "tandem_db_pool_connections_max") == 60)
            assert value(samples, "tandem_operations_total", type="query", name="WorkersViewer") == 30
            assert value(samples, "tandem_db_pool_connections_max") == 60
    finally:
        assert workers.stop() == 0
