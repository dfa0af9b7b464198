"""Driving Tandem and PostGraphile with the same scenarios, side by side.

Both servers run for the whole contest, each pinned to the same CPU; only one is under load
at a time. Each scenario alternates between them in rounds (Tandem first, then PostGraphile
first, ...), so a disturbance on this shared machine lands on both rather than on one.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Sequence

from bench import load
from bench.http_client import KeepAliveConnection
from bench.load import Measurement, Operate, Send
from bench.report import Row, side_of
from bench.scenarios import Scenario

Prepare = Callable[[Send, Sequence[int]], Awaitable[None]] | None


async def contest(
    scenarios: list[Scenario],
    *,
    tandem_port: int,
    peer_port: int | None,
    costs: dict,
    args: argparse.Namespace,
    normal_port: int | None = None,
) -> list[Row]:
    """One row per scenario; with `normal_port` (a Tandem with both fast paths off: compiled reads
    and direct mutations) a second row per read and write, `… · normal`, measured in the same
    rounds. A write's second row shares its first's state (the requests each worker holds): the
    two servers write to the same database, one after the other."""
    rows = []
    for scenario in scenarios:
        sides = [(scenario.operate, scenario.prepare, tandem_port)]
        has_peer = scenario.peer is not None and peer_port is not None
        if has_peer:
            sides.append((scenario.peer, scenario.peer_prepare, peer_port))
        if normal_port is not None and scenario.kind in ("read", "write"):
            sides.append((scenario.operate, None, normal_port))
        measured = await measure_rounds(sides, args)
        peer = side_of(measured[1]) if has_peer else None
        new = [
            Row(
                name=scenario.name,
                kind=scenario.kind,
                tandem=side_of(measured[0]),
                peer=peer,
                cost=costs.get(scenario.name),
            )
        ]
        if len(measured) > 1 + has_peer:
            new.append(
                Row(
                    name=f"{scenario.name} · normal",
                    kind=scenario.kind,
                    tandem=side_of(measured[-1]),
                    peer=peer,
                    cost=None,
                )
            )
        for row in new:
            print(f"  {_summary(row)}", flush=True)
        rows += new
    return rows


async def measure_rounds(sides: list[tuple[Operate, Prepare, int]], args: argparse.Namespace) -> list[Measurement]:
    for operate, prepare, port in sides:
        if prepare is not None:
            connection = KeepAliveConnection("127.0.0.1", port)
            await prepare(connection.send, range(args.concurrency))
            connection.close()
        await _measure(operate, port, args.warmup, args)  # opens connections, fills caches, JIT-compiles
    parts: list[list[Measurement]] = [[] for _ in sides]
    for round_number in range(args.rounds):
        order = list(range(len(sides)))
        order = order[round_number % len(order) :] + order[: round_number % len(order)]  # each goes first in turn
        for index in order:
            operate, _, port = sides[index]
            parts[index].append(await _measure(operate, port, args.seconds / args.rounds, args))
    return [load.combined(p) for p in parts]


async def _measure(operate: Operate, port: int, seconds: float, args: argparse.Namespace) -> Measurement:
    return await load.measure(
        operate, host="127.0.0.1", port=port, concurrency=args.concurrency, seconds=seconds, max_ops=args.max_ops
    )


def _summary(row: Row) -> str:
    text = f"{row.name}: Tandem {row.tandem.per_second:,.0f} req/s"
    if row.peer is not None:
        text += f", PostGraphile {row.peer.per_second:,.0f} req/s"
        text += f" (ratio {row.ratio:.2f})" if row.ratio is not None else ""
    samples = row.tandem.error_samples + (row.peer.error_samples if row.peer else [])
    return text + (f"; {row.errors} errors ({samples[0]})" if samples else "")
