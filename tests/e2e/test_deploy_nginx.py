"""The deployment docs/deploy.md describes, started as it says: `tandem migrate`, then
`tandem serve --workers 2` on a database of its own, behind nginx configured with
docs/deploy/nginx.conf itself (only its ports and log path changed, so the guide and this test
cannot drift apart). A query, a mutation and a subscription go through the proxy.

Without nginx this is skipped, unless TANDEM_REQUIRE_NGINX=1 (as .ci/run sets it): then it fails.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from db.engine import create_engine
from tests.e2e.client import bearer
from tests.e2e.live import ws_url
from tests.support.database import create_database, drop_database, server_url
from tests.support.org import Org, build_org
from tests.support.server import ServedProcess, Server, clean_env, mint_token, tandem

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "docs" / "deploy" / "nginx.conf"
SECRET = "deploy-test-secret-of-at-least-32-bytes"
PROTOCOL = "graphql-transport-ws"
MAX_BODY_BYTES = 1_000_000  # TANDEM_MAX_BODY_BYTES's default, which the guide keeps

CREATE = """mutation($input: RequestCreateInput!) { requestCreate(input: $input) {
  request { id number } userErrors { code } } }"""
ACTIVITY = """query($id: ID!) { node(id: $id) {
  ... on Request { activity(last: 1) { edges { node { cursor } } } } } }"""
EVENTS = "subscription($after: String) { events(after: $after) { cursor type request { id number } } }"


def nginx_binary() -> str:
    # Debian installs it in /usr/sbin, which is not on every user's PATH.
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found is not None:
        return found
    reason = "nginx is not installed (Debian: apt-get install nginx)"
    if os.environ.get("TANDEM_REQUIRE_NGINX") == "1":
        pytest.fail(f"{reason}, and TANDEM_REQUIRE_NGINX=1 requires this test to run")
    pytest.skip(f"{reason}; set TANDEM_REQUIRE_NGINX=1 to make that a failure")


def render_site(*, port: int, upstream_port: int, access_log: Path) -> str:
    """docs/deploy/nginx.conf on loopback ports, logging into the test's folder."""
    text = SITE.read_text()
    for written, here in (
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
        ("/var/log/nginx/tandem.access.log", str(access_log)),
    ):
        assert text.count(written) == 1, f"docs/deploy/nginx.conf no longer has {written!r} once: update this test"
        text = text.replace(written, here)
    return text


class Nginx(ServedProcess):
    """nginx in the foreground, everything of its own (pid, logs, temporary files) in `folder`;
    the site is the guide's, included in the http block as Debian's nginx.conf includes conf.d/."""

    name = "nginx"

    def __init__(self, *, binary: str, upstream_port: int, folder: Path):
        super().__init__(log_path=folder / "nginx.out")  # makes the folder
        self.folder = folder
        self.access_log = folder / "tandem.access.log"
        site = folder / "tandem.conf"
        site.write_text(render_site(port=self.port, upstream_port=upstream_port, access_log=self.access_log))
        temporary = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi"))
        main = folder / "nginx.conf"
        main.write_text(
            # As root, nginx's workers would run as nobody, who cannot enter pytest's private folder.
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
            + "events { worker_connections 256; }\n"
            + f"http {{\n{temporary}\n    uwsgi_temp_path {folder / 'uwsgi'};\n    scgi_temp_path {folder / 'scgi'};\n"
            + f"    access_log {folder / 'other.access.log'};\n    include {site};\n}}\n"
        )
        self.start([binary, "-p", str(folder), "-c", str(main), "-e", str(folder / "error.log")])

    def probe(self) -> urllib.request.Request:
        return urllib.request.Request(f"{self.url}/readyz")

    def log_text(self) -> str:
        logs = [self.log_path, self.folder / "error.log"]
        return "\n".join(p.read_text(errors="replace") for p in logs if p.exists())


@dataclass
class Deployment:
    tandem: Server
    nginx: Nginx
    org: Org
    env: dict[str, str]

    def token(self, email: str) -> str:
        return mint_token(email, env=self.env, cwd=self.tandem.cwd)


@pytest.fixture(scope="module")
def nginx_path() -> str:
    return nginx_binary()


@pytest.fixture(scope="module")
async def database(nginx_path) -> AsyncIterator[str]:
    server = server_url()
    url, name = await create_database(server, prefix="tandem_deploy")
    yield url
    await drop_database(server, name)


@pytest.fixture(scope="module")
def migrated(database, tmp_path_factory) -> tuple[dict[str, str], Path]:
    # The guide's environment: an external PostgreSQL and a secret of its own; the rest defaults.
    env = clean_env(DATABASE_URL=database, TANDEM_SECRET=SECRET)
    folder = tmp_path_factory.mktemp("deploy")
    done = tandem("migrate", env=env, cwd=folder)
    assert done.returncode == 0, done.stderr
    return env, folder


@pytest.fixture(scope="module")
async def org(migrated, database) -> Org:
    engine = create_engine(database, pool_size=2)
    try:
        return await build_org(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def deployment(nginx_path, migrated, org) -> Iterator[Deployment]:
    env, folder = migrated
    served = Server(env=env, cwd=folder, log_path=folder / "tandem.log", args=("--workers", "2"))
    proxy = None
    try:
        served.wait_ready()
        proxy = Nginx(binary=nginx_path, upstream_port=served.port, folder=folder / "nginx")
        proxy.wait_ready()
        yield Deployment(tandem=served, nginx=proxy, org=org, env=env)
    finally:
        if proxy is not None:
            proxy.stop()
        assert served.stop() == 0, served.log_text()[-3000:]


async def _call(client: httpx.AsyncClient, query: str, token: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def _create(client: httpx.AsyncClient, token: str, org: Org, title: str) -> dict[str, Any]:
    service = org.gid("Service", "laptops")
    data = await _call(client, CREATE, token, input={"serviceId": service, "title": title})
    assert data["requestCreate"]["userErrors"] == []
    return data["requestCreate"]["request"]


async def _next_event_about(ws: Any, request_id: str, *, messages: int = 20) -> dict[str, Any]:
    for _ in range(messages):
        message = json.loads(await asyncio.wait_for(ws.recv(), 30))
        assert message["type"] == "next", message
        event = message["payload"]["data"]["events"]
        if (event["request"] or {}).get("id") == request_id:
            return event
    raise AssertionError(f"no event about {request_id} in {messages} messages")


async def test_a_query_a_mutation_and_a_subscription_go_through_nginx(deployment: Deployment):
    employee, agent = deployment.token("employee@example.com"), deployment.token("it.agent@example.com")
    async with httpx.AsyncClient(base_url=deployment.nginx.url, timeout=30) as client:
        # given a request, and the cursor of its last event (a mutation, then a query, via nginx)
        first = await _create(client, employee, deployment.org, "Screen flickers")
        data = await _call(client, ACTIVITY, agent, id=first["id"])
        (edge,) = data["node"]["activity"]["edges"]
        cursor = edge["node"]["cursor"]

        # and an agent subscribed from that cursor, over a websocket upgraded through nginx
        async with websockets.connect(ws_url(deployment.nginx.url), subprotocols=[PROTOCOL]) as ws:
            assert ws.subprotocol == PROTOCOL  # the subprotocol passed through both ways
            await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {agent}"}}))
            assert json.loads(await ws.recv()) == {"type": "connection_ack"}
            subscribe = {"query": EVENTS, "variables": {"after": cursor}}
            await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": subscribe}))

            # when the requester raises another request
            second = await _create(client, employee, deployment.org, "Docking station is dead")

            # then the subscription pushes its creation
            event = await _next_event_about(ws, second["id"])
            assert event["type"] == "RequestCreated"
            assert event["request"]["number"] == second["number"]


def test_bodies_over_the_limit_get_the_same_coded_413_from_tandem_and_from_nginx(deployment: Deployment):
    with httpx.Client(base_url=deployment.nginx.url, timeout=30) as client:
        for size in (MAX_BODY_BYTES + 1_000, 2 * MAX_BODY_BYTES):  # Tandem's limit; then nginx's (1 MiB)
            # when a body over the limit is posted
            body = json.dumps({"query": "{ __typename }", "padding": "x" * size})
            response = client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
            # then it is refused with a coded JSON error, whoever refused it
            assert response.status_code == 413, (size, response.text)
            assert response.headers["content-type"].startswith("application/json")
            assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["PAYLOAD_TOO_LARGE"]


def test_metrics_are_not_served_through_nginx(deployment: Deployment):
    # when the metrics are asked for through nginx, and on Tandem's own address
    through_nginx = httpx.get(f"{deployment.nginx.url}/metrics", timeout=30)
    direct = httpx.get(f"{deployment.tandem.url}/metrics", timeout=30)
    # then only the scrape on Tandem's address gets them
    assert through_nginx.status_code == 404 and "tandem_" not in through_nginx.text
    assert direct.status_code == 200 and "tandem_operations_total" in direct.text


def test_nginx_and_tandem_log_one_request_id(deployment: Deployment):
    with httpx.Client(base_url=deployment.nginx.url, timeout=30) as client:
        # when a call comes without an X-Request-ID, and one with its own
        made = client.get("/healthz").headers["x-request-id"]
        given = client.get("/healthz", headers={"X-Request-ID": "portal-4711"}).headers["x-request-id"]
    # then nginx's id is Tandem's, and the caller's is kept; both logs have them
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert given == "portal-4711"
    for request_id in (made, given):
        assert f"id={request_id}" in _eventually(deployment.nginx.access_log, f"id={request_id}")
        assert request_id in _eventually(deployment.tandem.log_path, request_id)


def _eventually(path: Path, text: str, *, attempts: int = 100) -> str:
    """The file's text once it holds `text` (logs are written just after the response)."""
    content = ""
    for _ in range(attempts):
        content = path.read_text(errors="replace") if path.exists() else ""
        if text in content:
            break
        time.sleep(0.05)
    return content


@pytest.mark.parametrize(("required", "outcome"), [(None, pytest.skip.Exception), ("1", pytest.fail.Exception)])
def test_without_nginx_it_is_skipped_unless_required(monkeypatch, required, outcome):
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    if required is None:
        monkeypatch.delenv("TANDEM_REQUIRE_NGINX", raising=False)
    else:
        monkeypatch.setenv("TANDEM_REQUIRE_NGINX", required)

    with pytest.raises(outcome, match="nginx is not installed"):
        nginx_binary()
