"""The scale curve: the portal list at growing data sizes, one client at a time, so the
latency is the query's own (no queueing behind 15 others); it should stay flat."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bench import cache, peers
from bench.contest import measure_rounds
from bench.peers import label
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
    majors: list[int],
    results: Path,
    args: argparse.Namespace,
) -> list[ScalePoint]:
    """The portal lists on each size's kept data set: Tandem and each PostGraphile in `majors`."""
    points = []
    for size in sizes:
        cached = await cache.ensure(server, requests=size, comments=size * 4)
        if cached.built_seconds is not None:
            print(f"  built the {size:,}-request data set in {cached.built_seconds:.0f}s (cached for next runs)")
        points += await _measure_size(
            cached, size, secret=secret, pinned=pinned, majors=majors, results=results, args=args
        )
    return points


async def _measure_size(
    cached: cache.Cached,
    size: int,
    *,
    secret: str,
    pinned: bool,
    majors: list[int],
    results: Path,
    args: argparse.Namespace,
) -> list[ScalePoint]:
    scenarios = [s for s in build_scenarios(await read_targets(cached.url, secret=secret)) if s.name in PORTAL]
    tandem = start_server(database_url=cached.url, secret=secret, log_path=results / "server-scale.log", pin=pinned)
    peer_servers = peers.start(
        majors, database_url=cached.url, log_dir=results, cpu=SERVER_CPU if pinned else None, tag="-scale"
    )
    try:
        for server in (tandem, *peer_servers.values()):
            await asyncio.to_thread(server.wait_ready)
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
            sides += [(scenario.peers[m].operate, None, server.port) for m, server in peer_servers.items()]
            measured = await measure_rounds(sides, run)
            point = ScalePoint(
                requests=size,
                scenario=scenario.name,
                tandem=side_of(measured[0]),
                peers={major: side_of(measured[1 + i]) for i, major in enumerate(peer_servers)},
            )
            print(
                f"  {size:,} requests, {scenario.name}: Tandem p50 {point.tandem.p50_ms} ms"
                + "".join(f", {label(m)} p50 {side.p50_ms} ms" for m, side in point.peers.items()),
                flush=True,
            )
            points.append(point)
        return points
    finally:
        for server in (tandem, *peer_servers.values()):
            server.stop()
