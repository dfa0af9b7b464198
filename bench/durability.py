"""What the group flush of db.durability buys: the writes against three servers that differ only in
how a write appending events commits, side by side in one run, in alternating rounds.

- `flushed`: this code. Asynchronous commit, then a tiny transaction that writes WAL and so
  commits synchronously; concurrent writers' flushes group into one.
- `synchronous`: a plain synchronous commit, the event log's ordering lock held through the flush.
- `xid only`: the code before, whose wait (`select pg_current_xact_id()`) flushed nothing: acknowledged
  writes could be lost in a crash. The ceiling: what a wait that costs no flush would give.

    python -m bench.durability [--seconds 12] [--rounds 4] [--concurrency 16]

First the database alone (`concurrency` connections, each appending one event per transaction, the
three ways), then the three servers under the writes.

The data set is the contest's (bench/cache.py); each server runs a copy of this checkout with
db/durability.py changed, from a temporary folder, and logs to bench/results/durability-*.log.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

from bench import cache, database
from bench.contest import measure_rounds
from bench.report import side_of
from bench.scenarios import build_scenarios
from bench.server import can_pin, pin_this_process_to_load_cpu, start_server
from bench.targets import read_targets
from db import durability

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"  # the servers' logs
SCENARIOS = ("commentAdd", "requestTransition", "requestCreate")
FLUSHED = re.compile(r"^FLUSHED = .*$", re.M)
ASYNC_COMMIT = re.compile(r"^ASYNC_COMMIT = .*$", re.M)
WAIT = re.compile(r"^async def wait_flushed.*", re.M | re.S)


XID_ONLY = "select pg_current_xact_id()"
APPEND = (
    "insert into events (type, occurred_at, department_ids, internal, payload) "
    "values ('BenchCommit', now(), '{}', false, '{}')"
)
COMMIT_WAYS = {  # (the write, the wait after it)
    "flushed": (f"{APPEND} returning {durability.ASYNC_COMMIT}", durability.FLUSHED),
    "synchronous": (APPEND, None),
    "xid only": (f"{APPEND} returning {durability.ASYNC_COMMIT}", XID_ONLY),
}


def _xid_only(source: str) -> str:
    return _sub(FLUSHED, f'FLUSHED = "{XID_ONLY}"', source)


def _synchronous(source: str) -> str:
    source = _sub(ASYNC_COMMIT, "ASYNC_COMMIT = \"current_setting('synchronous_commit')\"", source)
    return _sub(WAIT, "async def wait_flushed(driver: Any) -> None:\n    return None\n", source)


def _sub(pattern: re.Pattern, replacement: str, source: str) -> str:
    changed, count = pattern.subn(lambda _: replacement, source)
    assert count == 1, f"db/durability.py no longer has {pattern.pattern}"
    return changed


VARIANTS = {"flushed": None, "synchronous": _synchronous, "xid only": _xid_only}


def _checkout(folder: Path, change) -> Path:
    """A copy of this checkout's code with db/durability.py changed by `change`."""
    ignored = shutil.ignore_patterns(".git", ".cache", "results", "__pycache__", "*.egg-info")
    shutil.copytree(ROOT, folder, ignore=ignored)
    if change is not None:
        path = folder / "db" / "durability.py"
        path.write_text(change(path.read_text()))
    return folder


def _log(variant: str) -> Path:
    return RESULTS / f"durability-{variant.replace(' ', '-')}.log"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.durability", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--seconds", type=float, default=12, help="measured time per scenario and variant")
    p.add_argument("--rounds", type=int, default=4, help="alternating rounds the measured time is split into")
    p.add_argument("--warmup", type=float, default=2, help="unmeasured time per scenario and variant")
    p.add_argument("--concurrency", type=int, default=16, help="workers, each with its own connection")
    p.add_argument("--max-ops", type=int, default=500_000, help="most operations per round")
    p.add_argument("--only", action="append", default=[], help="only scenarios whose name contains this")
    p.add_argument("--database-url", help="a PostgreSQL server where the bench may create databases")
    return p


async def bench(args: argparse.Namespace) -> int:
    server_url, source = await database.choose_server(args.database_url)
    print(f"PostgreSQL {await database.server_version(server_url)} ({source})", flush=True)
    cached = await cache.ensure(server_url, requests=100_000, comments=400_000)
    name = f"tandem_bench_durability_{uuid.uuid4().hex[:8]}"
    url = await cache.copy_of(server_url, cached, name=name)
    try:
        await _commit_rates(database.asyncpg_dsn(url), args)
        with tempfile.TemporaryDirectory(prefix="tandem-durability-") as folder:
            return await _side_by_side(url, Path(folder), args)
    finally:
        await database.drop_database(server_url, name)


async def _commit_rates(dsn: str, args: argparse.Namespace) -> None:
    connections = [await asyncpg.connect(dsn) for _ in range(args.concurrency)]
    try:
        totals = {way: [0, 0.0] for way in COMMIT_WAYS}
        for round_number in range(args.rounds):
            ways = list(COMMIT_WAYS)
            for way in ways[round_number % len(ways) :] + ways[: round_number % len(ways)]:
                commits, seconds = await _appending(connections, *COMMIT_WAYS[way], args.seconds / args.rounds)
                totals[way][0] += commits
                totals[way][1] += seconds
    finally:
        for connection in connections:
            await connection.close()
    base = totals["flushed"][0] / totals["flushed"][1]
    print(f"\nthe database alone: {args.concurrency} connections, one event appended per transaction")
    for way, (commits, seconds) in totals.items():
        print(f"  {way:<12} {commits / seconds:>7,.0f} commits/s  {commits / seconds / base:5.2f}x", flush=True)


async def _appending(connections: list, write: str, wait: str | None, seconds: float) -> tuple[int, float]:
    started = time.perf_counter()
    counts = [0]

    async def append(connection: asyncpg.Connection) -> None:
        while time.perf_counter() - started < seconds:
            await connection.execute(write)
            if wait is not None:
                await connection.execute(wait)
            counts[0] += 1

    await asyncio.gather(*(append(c) for c in connections))
    return counts[0], time.perf_counter() - started


async def _side_by_side(url: str, folder: Path, args: argparse.Namespace) -> int:
    secret, pinned = uuid.uuid4().hex * 2, can_pin()
    scenarios = [
        s
        for s in build_scenarios(await read_targets(url, secret=secret))
        if s.name in SCENARIOS and (not args.only or any(word in s.name for word in args.only))
    ]
    servers = {
        variant: start_server(
            database_url=url,
            secret=secret,
            log_path=_log(variant),
            pin=pinned,
            settings={"PYTHONPATH": str(_checkout(folder / str(i), change))},
        )
        for i, (variant, change) in enumerate(VARIANTS.items())
    }
    try:
        for server in servers.values():
            await asyncio.to_thread(server.wait_ready)
        if pinned:
            pin_this_process_to_load_cpu()
        failed = False
        for scenario in scenarios:
            sides = [(scenario.operate, scenario.prepare, server.port) for server in servers.values()]
            measured = [side_of(m) for m in await measure_rounds(sides, args)]
            failed |= any(m.errors for m in measured)
            _print(scenario.name, dict(zip(servers, measured, strict=False)))
        return 1 if failed else 0
    finally:
        for server in servers.values():
            server.stop()


def _print(scenario: str, sides: dict) -> None:
    base = sides["flushed"].per_second or 1
    print(f"\n{scenario}")
    for variant, side in sides.items():
        print(
            f"  {variant:<12} {side.per_second:>7,.0f} req/s  {side.per_second / base:5.2f}x  "
            f"p50 {side.p50_ms:6.1f} ms  p99 {side.p99_ms:6.1f} ms  errors {side.errors}/{side.ops}"
            + (f" ({side.error_samples[0]})" if side.error_samples else ""),
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(bench(parser().parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
