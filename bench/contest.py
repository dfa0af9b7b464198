"""Driving Tandem and PostGraphile with the same scenarios, side by side.

Every server runs for the whole contest, each pinned to the same CPU; only one is under load at
a time. Each scenario alternates between them in rounds (Tandem first, then PostGraphile 5
first, ...), so a disturbance on this shared machine lands on all of them rather than on one.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Sequence

from bench import load
from bench.http_client import KeepAliveConnection
from bench.load import Measurement, Operate, Send
from bench.peers import label
from bench.report import Row, side_of
from bench.scenarios import Scenario

Prepare = Callable[[Send, Sequence[int]], Awaitable[None]] | None


async def contest(
    scenarios: list[Scenario],
    *,
    tandem_port: int,
    peer_ports: dict[int, int],
    costs: dict,
    args: argparse.Namespace,
    normal_port: int | None = None,
) -> list[Row]:
    """One row per scenario, with a side per PostGraphile release running (`peer_ports`, by major
    version) that the scenario has a document for; with `normal_port` (a Tandem with both fast
    paths off: compiled reads and direct mutations) a second row per read, page and write,
    `… · normal`, measured in the same rounds. A write's second row shares its first's state (the
    requests each worker holds): the two servers write to the same database, one after the other."""
    rows = []
    for scenario in scenarios:
        sides = [(scenario.operate, scenario.prepare, tandem_port)]
        majors = [major for major in peer_ports if major in scenario.peers]
        sides += [(scenario.peers[m].operate, scenario.peers[m].prepare, peer_ports[m]) for m in majors]
        with_normal = normal_port is not None and scenario.kind != "baseline"
        if with_normal:
            sides.append((scenario.operate, None, normal_port))
        measured = await measure_rounds(sides, args)
        peers = {major: side_of(measured[1 + i]) for i, major in enumerate(majors)}
        new = [Row(scenario.name, scenario.kind, side_of(measured[0]), peers, costs.get(scenario.name))]
        if with_normal:
            new.append(Row(f"{scenario.name} · normal", scenario.kind, side_of(measured[-1]), peers, None))
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
    for major, side in row.peers.items():
        ratio = row.ratio(major)
        text += f", {label(major)} {side.per_second:,.0f} req/s" + (f" (×{ratio:.2f})" if ratio is not None else "")
    samples = row.tandem.error_samples + [s for side in row.peers.values() for s in side.error_samples]
    return text + (f"; {row.errors} errors ({samples[0]})" if samples else "")
