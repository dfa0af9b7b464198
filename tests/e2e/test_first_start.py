"""The first `tandem serve --demo`, as a person at a terminal sees it (TANDEM_LOG_FORMAT=text):
progress while the demo loads, then the URL to open and how to get a token; readable log lines."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.e2e.client import data
from tests.e2e.conftest import SECRET
from tests.support.database import create_database, drop_database, server_url
from tests.support.server import Server, clean_env, mint_token

# `2026-01-05 14:02:11.042 INFO    tandem.demo     creating …`
LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) +[\w.]+ +\S")
PERCENT = re.compile(r"creating the demo organisation: .* \((\d+)%\)$")


@pytest.fixture(scope="module")
async def demo_database() -> AsyncIterator[str]:
    server = server_url()
    url, name = await create_database(server)
    yield url
    await drop_database(server, name)


@pytest.fixture(scope="module")
def demo_server(demo_database, tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("first-start")
    env = clean_env(DATABASE_URL=demo_database, TANDEM_SECRET=SECRET, TANDEM_LOG_FORMAT="text")
    running = Server(env=env, cwd=folder, log_path=folder / "server.log", args=("--demo",))
    running.wait_ready(timeout=300)  # the demo plays a few thousand steps first
    yield running
    running.stop()


def wait_for_line(server: Server, text: str, *, timeout: float = 10) -> list[str]:
    """The log's lines once one contains `text` (the announcement follows readiness by a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = server.log_text().splitlines()
        if any(text in line for line in lines):
            return lines
        assert time.monotonic() < deadline, f"no line with {text!r} in:\n" + "\n".join(lines[-30:])
        time.sleep(0.05)


def test_the_demo_load_says_how_far_it_has_come(demo_server):
    lines = demo_server.log_text().splitlines()

    said = [int(m.group(1)) for line in lines if (m := PERCENT.search(line))]
    assert said[0] == 0 and said == sorted(set(said)) and len(said) >= 10
    assert any("demo organisation created (100%)" in line and "requests=" in line for line in lines)


def test_then_it_says_which_url_to_open_and_how_to_sign_in(demo_server):
    lines = wait_for_line(demo_server, "Tandem is ready")

    ready = next(i for i, line in enumerate(lines) if "Tandem is ready" in line)
    assert f"Tandem is ready: open {demo_server.url}/graphql in a browser (GraphiQL)" in lines[ready]
    assert ready > next(i for i, line in enumerate(lines) if "(100%)" in line)
    assert "`tandem token --email employee@example.com`" in lines[ready + 1]


def test_the_token_it_suggests_signs_in(demo_server):
    token = mint_token("employee@example.com", env=demo_server.env, cwd=demo_server.cwd)

    with httpx.Client(base_url=demo_server.url, timeout=30) as http:
        assert data(http, "{ viewer { email } }", token=token) == {"viewer": {"email": "employee@example.com"}}


def test_text_logs_are_one_line_per_event_without_the_migrations_chatter(demo_server):
    lines = wait_for_line(demo_server, "Tandem is ready")

    assert lines and all(LINE.match(line) or line.startswith("    ") for line in lines), lines
    for chatter in ("Context impl", "Will assume transactional DDL", "Running upgrade"):
        assert not [line for line in lines if chatter in line]


def test_an_access_line_reads_as_key_value_pairs(demo_server):
    request_id = f"text-{uuid.uuid4().hex}"

    httpx.get(f"{demo_server.url}/healthz", headers={"X-Request-ID": request_id}, timeout=30)

    (line,) = [line for line in wait_for_line(demo_server, request_id) if request_id in line]
    assert LINE.match(line) and " tandem.access " in line
    assert f"request_id={request_id}" in line and "status=200" in line


def test_sigterm_during_the_demo_load_stops_cleanly_and_says_what_is_left(tmp_path):
    # given a first start on the embedded PostgreSQL, loading the demo
    env = clean_env(TANDEM_DATA_DIR=str(tmp_path / "data"), TANDEM_SECRET=SECRET, TANDEM_LOG_FORMAT="text")
    server = Server(env=env, cwd=tmp_path, log_path=tmp_path / "server.log", args=("--demo",))
    try:
        wait_for_line(server, "(10%)", timeout=120)

        # when a process manager stops it
        code = server.stop()
    finally:
        pgdata = tmp_path / "data" / "pg"
        if (pgdata / "postmaster.pid").exists():  # a failure left it up: take it down
            import pgserver

            pgserver.get_server(pgdata, cleanup_mode="stop").cleanup()

    # then it says in one line what the interruption left, and its PostgreSQL stopped with it
    # (pgserver may warn as it stops it: warnings pass through, they are not chatter)
    (said,) = [line for line in server.log_text().splitlines() if line.startswith("tandem: ")]
    assert code == 130 and "Traceback" not in server.log_text()
    assert said.startswith("tandem: error: interrupted while loading the demo: the database holds part of it")
    assert not (pgdata / "postmaster.pid").exists()
