"""The results: one table, rates as ratios to the two floors measured in the same run; and JSON."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.load import Measurement
from bench.statements import Cost


@dataclass
class Row:
    name: str
    kind: str
    ops: int
    errors: int
    seconds: float
    per_second: float
    p50_ms: float | None
    p99_ms: float | None
    cost: Cost | None
    error_samples: list[str] = field(default_factory=list)
    vs_a: float | None = None  # this rate / GET /healthz's rate
    vs_b: float | None = None  # this rate / { __typename }'s rate


def row_of(name: str, kind: str, measured: Measurement, cost: Cost | None) -> Row:
    return Row(name=name, kind=kind, ops=measured.ops, errors=measured.errors, seconds=round(measured.seconds, 2),
               per_second=round(measured.per_second, 1), p50_ms=_round(measured.percentile_ms(0.50)),
               p99_ms=_round(measured.percentile_ms(0.99)), cost=cost, error_samples=measured.error_samples)


def add_ratios(rows: list[Row]) -> None:
    """Ratios to the first two rows, the baselines (A: HTTP floor, B: GraphQL floor)."""
    a, b = rows[0].per_second, rows[1].per_second
    for row in rows:
        row.vs_a = round(row.per_second / a, 4) if a else None
        row.vs_b = round(row.per_second / b, 4) if b else None


HEADERS = ("scenario", "req/s", "vs A", "vs B", "p50 ms", "p99 ms", "errors", "SQL/op", "SQL@5", "conns", "trips")


def table(rows: list[Row]) -> str:
    lines = [[row.name, f"{row.per_second:,.0f}", _ratio(row.vs_a), _ratio(row.vs_b), _ms(row.p50_ms),
              _ms(row.p99_ms), f"{row.errors}/{row.ops}", *_costs(row.cost)] for row in rows]
    widths = [max(len(str(x)) for x in column) for column in zip(HEADERS, *lines)]

    def fmt(cells) -> str:
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(HEADERS), rule, *(fmt(line) for line in lines)])


def page_size_dependent(rows: list[Row]) -> list[str]:
    """Reads whose statement count moves with the page size: more than the one statement a small
    page may save (a relation none of its rows has, people its rows already loaded)."""
    return [r.name for r in rows if r.cost and r.cost.statements_small_page is not None
            and abs(r.cost.statements - r.cost.statements_small_page) > 1]


def write_json(path: Path, *, meta: dict[str, Any], rows: list[Row]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**meta, "results": [asdict(r) for r in rows]}, indent=2, default=str) + "\n")


def _costs(cost: Cost | None) -> list[str]:
    if cost is None:
        return ["-", "-", "-", "-"]
    small = "" if cost.statements_small_page is None else str(cost.statements_small_page)
    return [str(cost.statements), small, str(cost.checkouts), str(cost.round_trips)]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
