"""The results: Tandem and each PostGraphile release side by side with their ratios, the page
targets, the scale curve, and JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.load import Measurement
from bench.peers import label
from bench.statements import Cost

PORTAL_LIST = ("portal list · agent", "portal list · requester")  # the pages' yardstick, the first run
PAGE_TARGET_VS_PEER = 1.5  # issue 20: every page at least 1.5× PostGraphile 5's rate,
PAGE_TARGET_VS_PORTAL = 0.5  # and none below half the portal list's rate in the same run
TARGET_PEER = 5


@dataclass
class Side:
    """One contender's measurement of one scenario."""

    ops: int
    errors: int
    seconds: float
    per_second: float
    p50_ms: float | None
    p99_ms: float | None
    error_samples: list[str] = field(default_factory=list)


def side_of(measured: Measurement) -> Side:
    return Side(
        ops=measured.ops,
        errors=measured.errors,
        seconds=round(measured.seconds, 2),
        per_second=round(measured.per_second, 1),
        p50_ms=_round(measured.percentile_ms(0.50)),
        p99_ms=_round(measured.percentile_ms(0.99)),
        error_samples=measured.error_samples,
    )


@dataclass
class Row:
    name: str
    kind: str
    tandem: Side
    peers: dict[int, Side]  # by PostGraphile major version, where the scenario has an equivalent
    cost: Cost | None
    vs_a: float | None = None  # Tandem's rate / GET /healthz's rate
    vs_b: float | None = None  # Tandem's rate / { __typename }'s rate

    def ratio(self, major: int) -> float | None:
        """Tandem's req/s over PostGraphile `major`'s, measured in the same run."""
        return _ratio_of(self.tandem, self.peers.get(major))

    @property
    def errors(self) -> int:
        return self.tandem.errors + sum(side.errors for side in self.peers.values())

    @property
    def ops(self) -> int:
        return self.tandem.ops + sum(side.ops for side in self.peers.values())


@dataclass
class ScalePoint:
    requests: int
    scenario: str
    tandem: Side
    peers: dict[int, Side]


def add_ratios(rows: list[Row]) -> None:
    """Ratios to the first two rows, the baselines (A: HTTP floor, B: GraphQL floor)."""
    a, b = rows[0].tandem.per_second, rows[1].tandem.per_second
    for row in rows:
        row.vs_a = round(row.tandem.per_second / a, 4) if a else None
        row.vs_b = round(row.tandem.per_second / b, 4) if b else None


def table(rows: list[Row]) -> str:
    """The contest: Tandem, then per PostGraphile release its rate, latencies and Tandem's ratio."""
    majors = _majors(row.peers for row in rows)
    headers = ["scenario", "Tandem req/s", "p50 ms", "p99 ms"]
    for major in majors:
        headers += [f"{label(major)} req/s", "p50 ms", "p99 ms", f"Tandem/{label(major)}"]
    headers += ["errors", "SQL/op", "SQL@5", "conns", "trips"]
    lines = [
        [
            row.name,
            *_side(row.tandem),
            *(cell for major in majors for cell in [*_side(row.peers.get(major)), _ratio(row.ratio(major))]),
            f"{row.errors}/{row.ops}",
            *_costs(row.cost),
        ]
        for row in rows
    ]
    return _layout(headers, lines)


def page_targets(rows: list[Row]) -> str | None:
    """Each page against issue 20's targets: Tandem/PG5 (none without a counterpart) and its rate
    over the portal list's in the same run; None without pages or a portal list in the run."""
    portal = next((row for name in PORTAL_LIST for row in rows if row.name == name), None)
    pages = [row for row in rows if row.kind == "page" and not row.name.endswith(" · normal")]
    if portal is None or not pages or not portal.tandem.per_second:
        return None
    headers = ["page", "Tandem req/s", f"Tandem/{label(TARGET_PEER)}", f"÷ {portal.name}", "targets"]
    ran = any(TARGET_PEER in row.peers for row in rows)
    lines = []
    for row in pages:
        vs_peer, vs_portal = row.ratio(TARGET_PEER), row.tandem.per_second / portal.tandem.per_second
        met = vs_portal >= PAGE_TARGET_VS_PORTAL and (vs_peer is None or vs_peer >= PAGE_TARGET_VS_PEER)
        lines.append([row.name, f"{row.tandem.per_second:,.0f}", _peer_cell(row, ran), f"{vs_portal:.2f}", _met(met)])
    return _layout(headers, lines)


def _peer_cell(row: Row, ran: bool) -> str:
    if TARGET_PEER in row.peers:
        return _ratio(row.ratio(TARGET_PEER))
    return "no counterpart" if ran else "not run"


def _met(met: bool) -> str:
    return "met" if met else "NOT MET"


def scale_table(points: list[ScalePoint]) -> str:
    majors = _majors(p.peers for p in points)
    headers = ["requests", "scenario", "Tandem req/s", "p50 ms", "p99 ms"]
    for major in majors:
        headers += [f"{label(major)} req/s", "p50 ms", "p99 ms", f"Tandem/{label(major)}"]
    lines = [
        [
            f"{p.requests:,}",
            p.scenario,
            *_side(p.tandem),
            *(
                cell
                for major in majors
                for cell in [*_side(p.peers.get(major)), _ratio(_ratio_of(p.tandem, p.peers.get(major)))]
            ),
        ]
        for p in points
    ]
    return _layout(headers, lines)


def _majors(peer_sets) -> list[int]:
    return sorted({major for peers in peer_sets for major in peers}, reverse=True)


def _ratio_of(tandem: Side, peer: Side | None) -> float | None:
    return tandem.per_second / peer.per_second if peer is not None and peer.per_second else None


def _layout(headers: list[str], lines: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *lines, strict=False)]

    def fmt(cells) -> str:
        aligned = (
            str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=False))
        )
        return "  ".join(aligned)

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(headers), rule, *(fmt(line) for line in lines)])


def page_size_dependent(rows: list[Row]) -> list[str]:
    """Reads whose statement count moves with the page size: more than the one statement a small
    page may save (a relation none of its rows has, people its rows already loaded)."""
    return [
        r.name
        for r in rows
        if r.cost
        and r.cost.statements_small_page is not None
        and abs(r.cost.statements - r.cost.statements_small_page) > 1
    ]


def write_json(path: Path, *, meta: dict[str, Any], rows: list[Row], scale: list[ScalePoint]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    results = [{**asdict(r), "ratios": {m: _rounded(r.ratio(m), 3) for m in r.peers}} for r in rows]
    document = {**meta, "results": results, "scale": [asdict(p) for p in scale]}
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")


def _side(side: Side | None) -> list[str]:
    if side is None:
        return ["-", "-", "-"]
    return [f"{side.per_second:,.0f}", _ms(side.p50_ms), _ms(side.p99_ms)]


def _costs(cost: Cost | None) -> list[str]:
    if cost is None:
        return ["-", "-", "-", "-"]
    small = "" if cost.statements_small_page is None else str(cost.statements_small_page)
    return [str(cost.statements), small, str(cost.checkouts), str(cost.round_trips)]


def _round(value: float | None) -> float | None:
    return _rounded(value, 2)


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
