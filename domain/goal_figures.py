"""What a shared goal shows of its figures to one reader.

A figure (a key result's value, or one department's part of it) is computed for each reader over
the work they may count: the work they could see anyway, and the work of departments that
accepted the goal (domain.goal_participation). Work a reader could not see is shared only as an
aggregate of several samples, never as one request's (or run's) own value:

- a figure that counts work the reader could not see, over fewer than MIN_SAMPLE samples (but
  some), is withheld (SMALL_SAMPLE): no value and no sample size, only the reason. A figure over
  work the reader sees all of is shown whatever its size: they could work it out themselves.
- a key result's total is withheld too (COMPLEMENT) when, shown next to the departments' parts,
  it would give away a withheld part: for requests, each credited to one department, when the
  withheld parts together hold fewer than MIN_SAMPLE samples (the total less the parts shown
  would be their aggregate); for journey runs, which count once in the total and once for each
  department they involve, whenever any part is withheld.
A withheld value counts as no value for progress and status, which would give it away too.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

MIN_SAMPLE = 5


class Withheld(enum.Enum):
    SMALL_SAMPLE = "SMALL_SAMPLE"
    COMPLEMENT = "COMPLEMENT"


@dataclass(frozen=True)
class Aggregate:
    """A figure as computed for a reader: `unseen` of its samples are work they could not see."""

    value: float | None
    sample_size: int
    unseen: int = 0


@dataclass(frozen=True)
class Figure:
    """A figure as shown: value and sample size, or neither and why."""

    value: float | None
    sample_size: int | None
    withheld: Withheld | None = None


def singles_out(aggregate: Aggregate) -> bool:
    return aggregate.unseen > 0 and 0 < aggregate.sample_size < MIN_SAMPLE


def part_figure(aggregate: Aggregate) -> Figure:
    if singles_out(aggregate):
        return Figure(None, None, Withheld.SMALL_SAMPLE)
    return Figure(aggregate.value, aggregate.sample_size)


def total_figure(total: Aggregate, parts: Iterable[Aggregate], *, runs: bool) -> Figure:
    if singles_out(total):
        return Figure(None, None, Withheld.SMALL_SAMPLE)
    withheld = [p for p in parts if singles_out(p)]
    if withheld and (runs or sum(p.sample_size for p in withheld) < MIN_SAMPLE):
        return Figure(None, None, Withheld.COMPLEMENT)
    return Figure(total.value, total.sample_size)
