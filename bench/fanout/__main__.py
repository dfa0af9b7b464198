"""`python -m bench.fanout`: one event to N websocket subscribers, Tandem beside a bare strawberry
subscription (one queue per subscriber), each server pinned to CPU 0 and the load generator to
CPU 1, in one run. Prints delivery latency (p50/p99/max over every delivery) and the server's
resident memory per idle subscriber; writes bench/results/fanout.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from api.auth import mint_token
from bench import database
from bench.server import LOAD_CPU, SERVER_CPU, can_pin, start_server
from db.engine import create_engine
from schema import ids
from tests.support.org import build_org
from tests.support.server import ServedProcess, Server

RESULTS = Path(__file__).resolve().parent.parent / "results"
# Who subscribes to Tandem's feed: staff and admins who all may see the published comment,
# several people per audience (IT agents, IT managers, admins), as on a real service desk.
SUBSCRIBERS = ("it_agent", "it_agent2", "it_manager", "admin")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__)
    p.add_argument("--sizes", default="1000,5000,10000", help="subscriber counts, comma-separated")
    p.add_argument("--events", type=int, default=5, help="events published per size")
    p.add_argument("--only", choices=("tandem", "baseline"), help="run one contender only")
    p.add_argument("--database-url", help="a PostgreSQL server where the bench may create a database")
    p.add_argument("--output", type=Path, default=RESULTS / "fanout.json")
    return p


class TandemTarget:
    name = "Tandem events (shared rendering)"
    publish = "tandem"

    def __init__(self, url: str, secret: str):
        self.database_url, self.secret = url, secret

    async def prepare(self) -> None:
        engine = create_engine(self.database_url, pool_size=2)
        try:
            self.org = await build_org(engine)
        finally:
            await engine.dispose()

        def token(key):
            return mint_token(
                person_id=self.org.people[key].id,
                email=self.org.people[key].email,  # noqa: E731
                secret=self.secret,
                hours=2,
            )

        self.tokens = [token(k) for k in SUBSCRIBERS]
        self.publisher_token = token("employee")

    def start(self) -> Server:
        server = start_server(
            database_url=self.database_url, secret=self.secret, log_path=RESULTS / "fanout-server.log", pin=can_pin()
        )
        server.wait_ready()
        if not hasattr(self, "request_id"):
            self.request_id = _raise_request(server.url, self.publisher_token, self.org)
        return server

    def load_args(self) -> list[str]:
        return [
            "--tokens",
            ",".join(self.tokens),
            "--publisher-token",
            self.publisher_token,
            "--request-id",
            self.request_id,
        ]


class BaselineTarget:
    name = "bare strawberry (queue per subscriber)"
    publish = "baseline"

    async def prepare(self) -> None:
        pass

    def start(self) -> BaselineServer:
        server = BaselineServer(RESULTS / "fanout-baseline.log")
        server.wait_ready()
        return server

    def load_args(self) -> list[str]:
        return []


class BaselineServer(ServedProcess):
    """The baseline app under plain uvicorn (same websocket implementation as `tandem serve`)."""

    name = "baseline server"

    def __init__(self, log_path: Path):
        super().__init__(log_path=log_path, log_mode="wb")
        pin = ["taskset", "-c", str(SERVER_CPU)] if can_pin() else []
        self.start(
            [
                *pin,
                sys.executable,
                "-m",
                "uvicorn",
                "bench.fanout.baseline:app",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--ws",
                "websockets-sansio",
            ]
        )

    def probe(self) -> urllib.request.Request:
        return urllib.request.Request(f"{self.url}/healthz")


def _raise_request(url: str, token: str, org) -> str:
    body = {
        "query": "mutation($input: RequestCreateInput!) { requestCreate(input: $input) { request { id } } }",
        "variables": {
            "input": {"serviceId": ids.encode("Service", org.services["laptops"]), "title": "Benchmark request"}
        },
    }
    request = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["data"]["requestCreate"]["request"]["id"]


def measure(target, size: int, events: int) -> dict:
    server = target.start()
    try:
        pin = ["taskset", "-c", str(LOAD_CPU)] if can_pin() else []
        done = subprocess.run(
            [
                *pin,
                sys.executable,
                "-m",
                "bench.fanout.load",
                "--url",
                server.url,
                "--subscribers",
                str(size),
                "--events",
                str(events),
                "--server-pid",
                str(server.process.pid),
                "--publish",
                target.publish,
                *target.load_args(),
            ],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode != 0:
            raise RuntimeError(f"load generator failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout)
    finally:
        server.stop()


def summarise(name: str, size: int, raw: dict) -> dict:
    latencies = sorted(x for e in raw["events"] for x in e["latencies_ms"])
    expected = raw["subscribers"] * len(raw["events"])

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")

    return {
        "contender": name,
        "subscribers": size,
        "delivered": len(latencies),
        "expected": expected,
        "first_ms": latencies[0] if latencies else float("nan"),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] if latencies else float("nan"),
        "kb_per_subscriber": (raw["rss_after_kb"] - raw["rss_before_kb"]) / max(1, raw["subscribers"]),
    }


def print_table(rows: list[dict]) -> None:
    print(
        f"\n{'contender':40} {'subs':>6} {'delivered':>13} {'first ms':>8} {'p50 ms':>8}"
        f" {'p99 ms':>8} {'max ms':>8} {'KB/sub':>7}"
    )
    print("-" * 105)
    for r in rows:
        print(
            f"{r['contender']:40} {r['subscribers']:>6} {r['delivered']:>6}/{r['expected']:<6} {r['first_ms']:>8.1f} "
            f"{r['p50_ms']:>8.1f} "
            f"{r['p99_ms']:>8.1f} {r['max_ms']:>8.1f} {r['kb_per_subscriber']:>7.1f}"
        )


async def run(args: argparse.Namespace) -> int:
    RESULTS.mkdir(exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    server_url, source = await database.choose_server(args.database_url)
    url, name = await database.create_database(server_url)
    print(f"database {name} on {source}; sizes {sizes}; {args.events} events each; pinned: {can_pin()}", flush=True)
    rows = []
    try:
        targets = [TandemTarget(url, secrets.token_urlsafe(32)), BaselineTarget()]
        for target in targets:
            if args.only and target.publish != args.only:
                continue
            await target.prepare()
            for size in sizes:
                row = summarise(target.name, size, await asyncio.to_thread(measure, target, size, args.events))
                rows.append(row)
                print_table([row])
    finally:
        await database.drop_database(server_url, name)
    print_table(rows)
    args.output.write_text(json.dumps({"at": datetime.now(UTC).isoformat(), "rows": rows}, indent=2))
    return 0 if all(r["delivered"] == r["expected"] for r in rows) else 1


def main() -> None:
    sys.exit(asyncio.run(run(parser().parse_args())))


if __name__ == "__main__":
    main()
