"""`python -m bench.run`: load a fresh database, start `tandem serve`, drive every scenario for
the same time, print one table and write bench/results/latest.json."""
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
from datetime import datetime, timezone
from pathlib import Path

from bench import data, database, load, report
from bench.http_client import KeepAliveConnection
from bench.scenarios import Scenario, build_scenarios
from bench.server import can_pin, pin_this_process_to_load_cpu, start_server
from bench.statements import count_costs
from bench.targets import read_targets

RESULTS = Path(__file__).resolve().parent / "results"
SERVER_LOG = RESULTS / "server.log"
NORMAL_SERVER_LOG = RESULTS / "server-normal.log"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    p.add_argument("--requests", type=int, default=20_000, help="synthetic requests on top of the demo")
    p.add_argument("--comments", type=int, default=80_000, help="comments in all, the demo's included")
    p.add_argument("--seconds", type=float, default=10, help="measured time per scenario")
    p.add_argument("--warmup", type=float, default=2, help="unmeasured time per scenario before it")
    p.add_argument("--concurrency", type=int, default=16, help="workers, each with its own connection")
    p.add_argument("--max-ops", type=int, default=500_000, help="most operations per scenario")
    p.add_argument("--database-url", help="a PostgreSQL server where the bench may create a database "
                   f"(default {database.DEFAULT_SERVER}, else an embedded one)")
    p.add_argument("--only", action="append", default=[], help="run only scenarios whose name contains this "
                   "(repeatable; the two baselines always run)")
    p.add_argument("--compare-normal", action="store_true", help="also run each read against a second server "
                   "with compiled reads off (TANDEM_COMPILED_READS=false), right after the same read compiled")
    p.add_argument("--keep-database", action="store_true", help="do not drop the database afterwards")
    p.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    return p


async def bench(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    server_url, source = await database.choose_server(args.database_url)
    url, name = await database.create_database(server_url)
    print(f"database {name} on {source} (PostgreSQL {await database.server_version(server_url)})", flush=True)
    try:
        loaded, rows, pinned = await _load_and_measure(url, args)
    finally:
        if not args.keep_database:
            await database.drop_database(server_url, name)
    meta = _meta(args, source=source, pinned=pinned, loaded=loaded, took=time.perf_counter() - started)
    return _report(rows, meta=meta, output=args.output)


async def _load_and_measure(url: str, args: argparse.Namespace) -> tuple[data.Loaded, list[report.Row], bool]:
    loaded = await data.load(url, requests=args.requests, comments=args.comments)
    print(f"loaded in {loaded.demo_seconds:.1f}s (demo) + {loaded.volume_seconds:.1f}s (volume): "
          + ", ".join(f"{n:,} {t}" for t, n in loaded.counts.items()), flush=True)
    secret = secrets.token_urlsafe(32)  # the server's and our tokens'; a fresh one per run
    scenarios = _chosen(build_scenarios(await read_targets(url, secret=secret)), args.only)
    costs = await count_costs(url, secret=secret, scenarios=scenarios)
    rows, pinned = await _drive(url, secret, scenarios, costs, args)
    return loaded, rows, pinned


def _report(rows: list[report.Row], *, meta: dict, output: Path) -> int:
    """Print the table, write the JSON; the exit status says whether everything held."""
    report.add_ratios(rows)
    print()
    print(report.table(rows))
    dependent = report.page_size_dependent(rows)
    print("\nstatements per read: " + (f"DEPEND ON THE PAGE SIZE for {', '.join(dependent)}" if dependent
                                     else "independent of the page size (5 rows vs a full page)"))
    meta["statements_depend_on_page_size"] = dependent
    report.write_json(output, meta=meta, rows=rows)
    print(f"\n{meta['server_errors_logged']} error lines in the server log; took {meta['took_seconds']:.0f}s; "
          f"wrote {output}")
    return 0 if all(r.errors == 0 for r in rows) and not dependent else 1


async def _drive(url: str, secret: str, scenarios: list[Scenario], costs: dict, args: argparse.Namespace):
    pinned = can_pin()
    server = start_server(database_url=url, secret=secret, log_path=SERVER_LOG, pin=pinned)
    # Both servers on the same CPU, loaded one at a time: the same read compiled, then normally.
    normal = start_server(database_url=url, secret=secret, log_path=NORMAL_SERVER_LOG, pin=pinned,
                          settings={"TANDEM_COMPILED_READS": "false"}) if args.compare_normal else None
    rows = []
    try:
        for started in (server, normal):
            if started is not None:
                await asyncio.to_thread(started.wait_ready)
        if pinned:
            pin_this_process_to_load_cpu()
        for scenario in scenarios:
            rows.append(await _measured_row(scenario, scenario.name, server, costs, args))
            if normal is not None and scenario.kind == "read":
                rows.append(await _measured_row(scenario, f"{scenario.name} · normal", normal, costs, args))
    finally:
        server.stop()
        if normal is not None:
            normal.stop()
    return rows, pinned


async def _measured_row(scenario: Scenario, name: str, server, costs: dict, args: argparse.Namespace) -> report.Row:
    measured = await _run_scenario(scenario, port=server.port, args=args)
    print(f"  {name}: {measured.per_second:,.0f} req/s, {measured.errors} errors"
          + (f" ({measured.error_samples[0]})" if measured.error_samples else ""), flush=True)
    return report.row_of(name, scenario.kind, measured, costs.get(name))


async def _run_scenario(scenario: Scenario, *, port: int, args: argparse.Namespace) -> load.Measurement:
    if scenario.prepare is not None:
        connection = KeepAliveConnection("127.0.0.1", port)
        await scenario.prepare(connection.send, range(args.concurrency))
        connection.close()
    run = dict(host="127.0.0.1", port=port, concurrency=args.concurrency, max_ops=args.max_ops)
    await load.measure(scenario.operate, seconds=args.warmup, **run)  # opens connections, fills caches
    return await load.measure(scenario.operate, seconds=args.seconds, **run)


def _chosen(scenarios: list[Scenario], only: list[str]) -> list[Scenario]:
    if not only:
        return scenarios
    return scenarios[:2] + [s for s in scenarios[2:] if any(word in s.name for word in only)]


def _meta(args: argparse.Namespace, *, source: str, pinned: bool, loaded: data.Loaded, took: float) -> dict:
    log_text = SERVER_LOG.read_text(errors="replace") if SERVER_LOG.exists() else ""
    return {
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": shlex.join([Path(sys.executable).name, "-m", "bench.run", *sys.argv[1:]]),
        "git_commit": _git_commit(),
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": {"cpus": os.cpu_count(), "pinned": "server CPU 0, load CPU 1" if pinned else "not pinned",
                    "python": platform.python_version(), "database": source},
        "data": {"counts": loaded.counts, "demo_seconds": round(loaded.demo_seconds, 1),
                 "volume_seconds": round(loaded.volume_seconds, 1)},
        "server_errors_logged": log_text.count('"level": "ERROR"'),
        "took_seconds": round(took, 1),
    }


def _git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, check=True).stdout.strip()
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
