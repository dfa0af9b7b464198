"""CPU per operation of the real app, called in this process: no network, no load generator, so
two checkouts compare within about 1% where the HTTP bench's rounds vary by 10% on a busy machine.

    python -m bench.cpu
    cp bench/cpu.py ../other/bench/ && (cd ../other && python -m bench.cpu)   # another checkout

Both use the same cached data set when their migrations, demo and loader are the same
(bench/cache.py names it).

Reads only (the cached data set is used as it is); every line is the same app, middlewares, access
log records and metrics included, the log lines formatted but written nowhere.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import time

from api.app import create_app
from api.settings import Settings
from bench import cache, database
from bench import operations as ops
from bench import page_operations as pages
from bench.http_client import Call
from bench.in_process import asgi_sender
from bench.load import Send
from bench.scenarios import COMMENTS_PREVIEW, graphql
from bench.targets import Targets, read_targets

WARMUP = 50


def calls(t: Targets) -> dict[str, Call]:
    return {
        "{ __typename } + token": graphql(ops.TYPENAME, token=t.agent_token),
        "portal list · agent": graphql(
            ops.PORTAL_LIST, {"first": 20, "comments": COMMENTS_PREVIEW}, token=t.agent_token
        ),
        "request detail (node)": graphql(ops.REQUEST_DETAIL, {"id": t.detail_ids[0], "page": 20}, token=t.agent_token),
        # the page scenarios (bench.page_scenarios), at their sizes
        "page · portal": graphql(
            pages.PORTAL_PAGE, {"first": 50, "comments": COMMENTS_PREVIEW}, token=t.requester_token
        ),
        "page · catalog": graphql(pages.CATALOG_PAGE, {"first": 50}, token=t.requester_token),
        "page · agent home": graphql(pages.AGENT_HOME, {"me": t.agent_id, "first": 20}, token=t.agent_token),
        "page · journey runs": graphql(pages.JOURNEY_RUNS_PAGE, {"first": 20}, token=t.agent_token),
        "page · goals board": graphql(pages.GOALS_BOARD, {"first": 10}, token=t.agent_token),
        "page · request": graphql(pages.REQUEST_PAGE, {"id": t.detail_ids[0], "page": 20}, token=t.agent_token),
    }


async def cpu_per_operation(send: Send, call: Call, operations: int) -> tuple[float, float]:
    """(CPU µs, wall µs) per operation, after a warm-up that fills the caches."""
    for _ in range(WARMUP):
        reply = await send(call)
        if reply.status != 200 or b'"errors"' in reply.body:
            # Said here: the app's logging (set up by create_app) would swallow a traceback.
            raise SystemExit(f"{call.body[:60]!r}: HTTP {reply.status}: {reply.body[:300]!r}")
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(operations):
        await send(call)
    return 1e6 * (time.process_time() - cpu) / operations, 1e6 * (time.perf_counter() - wall) / operations


async def main(args: argparse.Namespace) -> None:
    server_url, _ = await database.choose_server(args.database_url)
    cached = await cache.ensure(server_url, requests=args.requests, comments=args.requests * 4)
    secret = secrets.token_urlsafe(32)
    targets = await read_targets(cached.url, secret=secret)
    settings = Settings(database_url=cached.url, tandem_secret=secret, tandem_cost_per_minute=0)
    app = create_app(settings)
    # Formatted (INFO) as a server formats them, written nowhere.
    logging.basicConfig(level=logging.INFO, handlers=[logging.NullHandler()], force=True)
    send = asgi_sender(app)
    async with app.router.lifespan_context(app):
        for name, call in calls(targets).items():
            if args.only and args.only not in name:
                continue
            cpu, wall = await cpu_per_operation(send, call, args.operations)
            print(f"{name:24} {cpu:8,.0f} µs CPU/op  {wall:8,.0f} µs wall/op", flush=True)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__)
    p.add_argument("--requests", type=int, default=100_000, help="requests in the cached data set")
    p.add_argument("--operations", type=int, default=500, help="measured operations per scenario")
    p.add_argument("--only", help="only the operations whose name contains this")
    p.add_argument("--database-url", help="a PostgreSQL server where the bench keeps its data sets")
    return p


if __name__ == "__main__":
    asyncio.run(main(parser().parse_args()))
