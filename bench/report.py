"""The results: Tandem and PostGraphile side by side with their ratio, the scale curve, and JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.load import Measurement
from bench.statements import Cost


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
    peer: Side | None  # PostGraphile, when the scenario has an equivalent
    cost: Cost | None
    vs_a: float | None = None  # Tandem's rate / GET /healthz's rate
    vs_b: float | None = None  # Tandem's rate / { __typename }'s rate

    @property
    def ratio(self) -> float | None:
        """Tandem's req/s over PostGraphile's, measured in the same run."""
        if self.peer is None or not self.peer.per_second:
            return None
        return self.tandem.per_second / self.peer.per_second

    @property
    def errors(self) -> int:
        return self.tandem.errors + (self.peer.errors if self.peer else 0)


@dataclass
class ScalePoint:
    requests: int
    scenario: str
    tandem: Side
    peer: Side | None


def add_ratios(rows: list[Row]) -> None:
    """Ratios to the first two rows, the baselines (A: HTTP floor, B: GraphQL floor)."""
    a, b = rows[0].tandem.per_second, rows[1].tandem.per_second
    for row in rows:
        row.vs_a = round(row.tandem.per_second / a, 4) if a else None
        row.vs_b = round(row.tandem.per_second / b, 4) if b else None


HEADERS = (
    "scenario",
    "Tandem req/s",
    "p50 ms",
    "p99 ms",
    "PostGraphile req/s",
    "p50 ms",
    "p99 ms",
    "Tandem/PG",
    "errors",
    "SQL/op",
    "SQL@5",
    "conns",
    "trips",
)


def table(rows: list[Row]) -> str:
    lines = [
        [
            row.name,
            *_side(row.tandem),
            *_side(row.peer),
            _ratio(row.ratio),
            f"{row.errors}/{row.tandem.ops + (row.peer.ops if row.peer else 0)}",
            *_costs(row.cost),
        ]
        for row in rows
    ]
    return _layout(HEADERS, lines)


SCALE_HEADERS = (
    "requests",
    "scenario",
    "Tandem req/s",
    "p50 ms",
    "p99 ms",
    "PostGraphile req/s",
    "p50 ms",
    "p99 ms",
    "Tandem/PG",
)


def scale_table(points: list[ScalePoint]) -> str:
    lines = [
        [
            f"{p.requests:,}",
            p.scenario,
            *_side(p.tandem),
            *_side(p.peer),
            _ratio(p.tandem.per_second / p.peer.per_second if p.peer and p.peer.per_second else None),
        ]
        for p in points
    ]
    return _layout(SCALE_HEADERS, lines)


def _layout(headers: tuple[str, ...], lines: list[list[str]]) -> str:
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
    results = [{**asdict(r), "ratio": None if r.ratio is None else round(r.ratio, 3)} for r in rows]
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
    return None if value is None else round(value, 2)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
