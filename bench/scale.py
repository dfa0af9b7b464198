"""The scale curve: the portal list at growing data sizes, one client at a time, so the
latency is the query's own (no queueing behind 15 others); it should stay flat."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bench import cache
from bench.contest import measure_rounds
from bench.postgraphile import PostGraphile
from bench.report import ScalePoint, side_of
from bench.scenarios import build_scenarios
from bench.server import SERVER_CPU, start_server
from bench.targets import read_targets

PORTAL = ("portal list · agent", "portal list · requester")
SCALE_CONCURRENCY = 1


async def scale_curve(
    server: str,
    sizes: list[int],
    *,
    secret: str,
    pinned: bool,
    with_peer: bool,
    results: Path,
    args: argparse.Namespace,
) -> list[ScalePoint]:
    points = []
    for size in sizes:
        cached = await cache.ensure(server, requests=size, comments=size * 4)
        if cached.built_seconds is not None:
            print(f"  built the {size:,}-request data set in {cached.built_seconds:.0f}s (cached for next runs)")
        points += await _measure_size(
            cached, size, secret=secret, pinned=pinned, with_peer=with_peer, results=results, args=args
        )
    return points


async def _measure_size(
    cached: cache.Cached,
    size: int,
    *,
    secret: str,
    pinned: bool,
    with_peer: bool,
    results: Path,
    args: argparse.Namespace,
) -> list[ScalePoint]:
    scenarios = [s for s in build_scenarios(await read_targets(cached.url, secret=secret)) if s.name in PORTAL]
    tandem = start_server(database_url=cached.url, secret=secret, log_path=results / "server-scale.log", pin=pinned)
    peer = (
        PostGraphile(
            database_url=cached.url, log_path=results / "postgraphile-scale.log", cpu=SERVER_CPU if pinned else None
        )
        if with_peer
        else None
    )
    try:
        await asyncio.to_thread(tandem.wait_ready)
        if peer is not None:
            await asyncio.to_thread(peer.wait_ready)
        run = argparse.Namespace(
            **{
                **vars(args),
                "concurrency": SCALE_CONCURRENCY,
                "seconds": args.scale_seconds,
                "warmup": min(args.warmup, 1.0),
            }
        )
        points = []
        for scenario in scenarios:
            sides = [(scenario.operate, None, tandem.port)]
            if peer is not None:
                sides.append((scenario.peer, None, peer.port))
            measured = await measure_rounds(sides, run)
            point = ScalePoint(
                requests=size,
                scenario=scenario.name,
                tandem=side_of(measured[0]),
                peer=side_of(measured[1]) if peer is not None else None,
            )
            print(
                f"  {size:,} requests, {scenario.name}: Tandem p50 {point.tandem.p50_ms} ms"
                + (f", PostGraphile p50 {point.peer.p50_ms} ms" if point.peer else ""),
                flush=True,
            )
            points.append(point)
        return points
    finally:
        tandem.stop()
        if peer is not None:
            peer.stop()
