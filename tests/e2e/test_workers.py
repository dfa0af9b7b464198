"""`tandem serve --workers N`: stateless worker processes behind one port, one database."""

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.e2e.client import bearer
from tests.support.org import Org
from tests.support.server import Server


def test_several_workers_serve_the_same_api(server_env, e2e_org: Org, token_for, tmp_path):
    # given the server started with two worker processes on the already migrated database
    workers = Server(env=server_env, cwd=tmp_path, log_path=tmp_path / "workers.log", args=("--workers", "2"))
    try:
        workers.wait_ready()
        token = token_for("employee@example.com")

        # when forty calls arrive at once
        def ask(_: int) -> httpx.Response:
            return httpx.post(
                f"{workers.url}/graphql", json={"query": "{ viewer { email } }"}, headers=bearer(token), timeout=30
            )

        with ThreadPoolExecutor(max_workers=8) as pool:
            responses = list(pool.map(ask, range(40)))

        # then every one is answered, by two distinct worker processes
        assert [r.status_code for r in responses] == [200] * 40
        assert {r.json()["data"]["viewer"]["email"] for r in responses} == {"employee@example.com"}
        # (each worker logs its start once it is up; on a loaded machine the second may be a
        # moment behind the first, which can have answered everything by itself meanwhile)
        assert _started_processes(workers) == 2
    finally:
        assert workers.stop() == 0


def _started_processes(server: Server, *, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while True:
        started = [e for e in server.log_entries() if "Started server process" in e.get("message", "")]
        if len(started) >= 2 or time.monotonic() > deadline:
            return len(started)
        time.sleep(0.1)
