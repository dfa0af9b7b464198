"""`python -m bench.run`: Tandem and PostGraphile (5, and 4 beside it) side by side on the same
seeded database, each pinned to one CPU, driven by the same logical operations from the other
CPU; then the portal list's scale curve. Prints the tables and writes bench/results/latest.json."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import shlex
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench import cache, database, peers, report
from bench.contest import contest
from bench.page_scenarios import build_pages
from bench.scale import scale_curve
from bench.scenarios import Scenario, build_scenarios
from bench.server import SERVER_CPU, can_pin, pin_this_process_to_load_cpu, start_server
from bench.statements import count_costs
from bench.targets import read_targets

RESULTS = Path(__file__).resolve().parent / "results"
SERVER_LOG = RESULTS / "server.log"
PEER_NOTE = (
    "PostGraphile applies no visibility rules: its documents fetch the same data with plain "
    "conditions (agent: the department's requests; requester: their own, public comments only; "
    "viewer: the person by primary key). Pages with figures Tandem computes (department stats, "
    "goal progress) have no PostGraphile counterpart and no PG column."
)


def _sizes(text: str) -> list[int]:
    return [] if text in ("", "none") else [int(part.replace("_", "")) for part in text.split(",")]


def _majors(text: str) -> list[int]:
    chosen = _sizes(text)
    unknown = [m for m in chosen if m not in peers.RELEASES]
    if unknown:
        raise argparse.ArgumentTypeError(f"no PostGraphile {unknown}; known: {sorted(peers.RELEASES)}")
    return chosen


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    p.add_argument("--requests", type=int, default=100_000, help="requests in the data set")
    p.add_argument("--comments", type=int, help="comments in the data set (default: 4 per request)")
    p.add_argument("--seconds", type=float, default=10, help="measured time per scenario and contender")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds the measured time is split into")
    p.add_argument("--warmup", type=float, default=2, help="unmeasured time per scenario and contender")
    p.add_argument("--concurrency", type=int, default=16, help="workers, each with its own connection")
    p.add_argument("--max-ops", type=int, default=500_000, help="most operations per round")
    p.add_argument(
        "--scale",
        type=_sizes,
        default=_sizes("10000,100000,1000000"),
        help="request counts for the portal list's scale curve, comma-separated, or 'none'",
    )
    p.add_argument("--scale-seconds", type=float, default=4, help="measured time per scale point and contender")
    p.add_argument(
        "--peers",
        type=_majors,
        default=list(peers.DEFAULT),
        help="PostGraphile major versions to run beside Tandem, comma-separated (default 5,4), or 'none'",
    )
    p.add_argument("--no-peer", action="store_true", help="Tandem only, no PostGraphile (--peers none)")
    p.add_argument(
        "--compare-normal",
        action="store_true",
        help="also run each read and write against a Tandem with both fast paths off "
        "(TANDEM_COMPILED_READS=false, TANDEM_DIRECT_MUTATIONS=false), in the same rounds",
    )
    p.add_argument(
        "--database-url",
        help="a PostgreSQL server where the bench may create databases "
        f"(default {database.DEFAULT_SERVER}, else an embedded one)",
    )
    p.add_argument(
        "--only",
        action="append",
        default=[],
        help="run only scenarios whose name contains this (repeatable; the two baselines always run)",
    )
    p.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    return p


async def bench(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    args.comments = args.comments if args.comments is not None else args.requests * 4
    args.peers = [] if args.no_peer else args.peers
    server_url, source = await database.choose_server(args.database_url)
    print(f"PostgreSQL {await database.server_version(server_url)} ({source})", flush=True)
    args.peer_versions = await asyncio.to_thread(peers.install, args.peers)
    for major, version in args.peer_versions.items():
        print(f"PostGraphile {version} ({peers.label(major)}, installed in bench/.cache)", flush=True)
    cached = await cache.ensure(server_url, requests=args.requests, comments=args.comments)
    print(
        ("built" if cached.built_seconds else "cached")
        + f" data set {cached.name}: "
        + ", ".join(f"{n:,} {t}" for t, n in cached.counts.items()),
        flush=True,
    )
    secret = secrets.token_urlsafe(32)  # the server's and our tokens'; a fresh one per run
    pinned = can_pin()
    name = f"tandem_bench_{uuid.uuid4().hex[:10]}"
    url = await cache.copy_of(server_url, cached, name=name)  # writes land in this copy
    try:
        rows = await _side_by_side(url, secret=secret, pinned=pinned, args=args)
    finally:
        await database.drop_database(server_url, name)
    scale = []
    if args.scale:
        print("scale curve (one client):", flush=True)
        scale = await scale_curve(
            server_url, args.scale, secret=secret, pinned=pinned, majors=args.peers, results=RESULTS, args=args
        )
    meta = _meta(args, source=source, pinned=pinned, cached=cached, took=time.perf_counter() - started)
    return _report(rows, scale, meta=meta, output=args.output)


async def _side_by_side(url: str, *, secret: str, pinned: bool, args: argparse.Namespace) -> list[report.Row]:
    targets = await read_targets(url, secret=secret)
    scenarios = _chosen(build_scenarios(targets) + build_pages(targets), args.only)
    costs = await count_costs(url, secret=secret, scenarios=scenarios)
    tandem = start_server(database_url=url, secret=secret, log_path=SERVER_LOG, pin=pinned)
    peer_servers = peers.start(args.peers, database_url=url, log_dir=RESULTS, cpu=SERVER_CPU if pinned else None)
    normal = (
        start_server(
            database_url=url,
            secret=secret,
            log_path=RESULTS / "server-normal.log",
            pin=pinned,
            settings={"TANDEM_COMPILED_READS": "false", "TANDEM_DIRECT_MUTATIONS": "false"},
        )
        if args.compare_normal
        else None
    )
    started = [s for s in (tandem, *peer_servers.values(), normal) if s is not None]
    try:
        for server in started:
            await asyncio.to_thread(server.wait_ready)
        if pinned:
            pin_this_process_to_load_cpu()
        return await contest(
            scenarios,
            tandem_port=tandem.port,
            peer_ports={major: server.port for major, server in peer_servers.items()},
            normal_port=normal.port if normal else None,
            costs=costs,
            args=args,
        )
    finally:
        for server in started:
            server.stop()


def _report(rows: list[report.Row], scale: list[report.ScalePoint], *, meta: dict, output: Path) -> int:
    """Print the tables, write the JSON; the exit status says whether everything held."""
    report.add_ratios(rows)
    print()
    print(report.table(rows))
    print(f"\n{PEER_NOTE}")
    targets = report.page_targets(rows)
    if targets:
        print("\nThe pages against issue 20's targets (≥1.5× PG5, ≥0.5× the portal list, same run):\n")
        print(targets)
    if scale:
        print("\nThe portal list as the data grows (one client, so latency without queueing):\n")
        print(report.scale_table(scale))
    dependent = report.page_size_dependent(rows)
    print(
        "\nstatements per read: "
        + (
            f"DEPEND ON THE PAGE SIZE for {', '.join(dependent)}"
            if dependent
            else "independent of the page size (5 rows vs a full page)"
        )
    )
    meta["statements_depend_on_page_size"] = dependent
    report.write_json(output, meta=meta, rows=rows, scale=scale)
    print(
        f"\n{meta['server_errors_logged']} error lines in the server log; took {meta['took_seconds']:.0f}s; "
        f"wrote {output}"
    )
    failed = any(r.errors for r in rows) or any(
        p.tandem.errors or any(side.errors for side in p.peers.values()) for p in scale
    )
    return 1 if failed or dependent else 0


def _chosen(scenarios: list[Scenario], only: list[str]) -> list[Scenario]:
    if not only:
        return scenarios
    return scenarios[:2] + [s for s in scenarios[2:] if any(word in s.name for word in only)]


def _meta(args: argparse.Namespace, *, source: str, pinned: bool, cached: cache.Cached, took: float) -> dict:
    log_text = SERVER_LOG.read_text(errors="replace") if SERVER_LOG.exists() else ""
    return {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": shlex.join([Path(sys.executable).name, "-m", "bench.run", *sys.argv[1:]]),
        "git_commit": _git_commit(),
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": {
            "cpus": os.cpu_count(),
            "pinned": "servers CPU 0, load CPU 1" if pinned else "not pinned",
            "python": platform.python_version(),
            "database": source,
            "load_average": os.getloadavg(),
            "postgraphile": {str(major): version for major, version in args.peer_versions.items()},
        },
        "data": {"database": cached.name, "counts": cached.counts, "built_seconds": cached.built_seconds},
        "peer_note": PEER_NOTE,
        "server_errors_logged": log_text.count('"level": "ERROR"'),
        "took_seconds": round(took, 1),
    }


def _git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        import uvloop

        loop_factory = uvloop.new_event_loop  # installed with uvicorn[standard]; a faster load generator
    except ImportError:
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        return runner.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
