"""What a journey map's analytics show one reader: the rule of domain.goal_figures, on runs.

A run names a person, and a reader sees every run of a map or none of it: admins and the staff of
the departments taking part see them all (domain.journey_access; a sponsor's own runs are left out,
as a reader's own requests are for goals). For a reader who does not see them:

- a figure over 1 to MIN_SAMPLE - 1 runs is withheld (SMALL_SAMPLE): the map's times and on-time
  rate (over its completed runs), a stage's (over the runs that left it), a hand-off group's;
- counts of runs are sums of groups: a stage's runs still going, the runs stopped (cancelled) in
  a stage, the completed runs, and per stage the runs that left it without a hand-off shown. Two
  counts subtracted give a group, or several, away (runs that entered a stage less those that left
  it are the runs still in it or stopped there), so when any group holds 1 to MIN_SAMPLE - 1 runs
  every count is withheld: SMALL_SAMPLE where a count itself is that small, else COMPLEMENT.
  Times and rates over MIN_SAMPLE runs or more still show: a median is no sum.
A reader who sees the runs reads every figure, whatever its size: they could work it out themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from domain.goal_figures import Aggregate, Figure, Withheld, part_figure, singles_out


@dataclass(frozen=True)
class StageRuns:
    """How many runs entered a stage, left it, and are still going in it."""

    entered: int
    left: int
    going: int


@dataclass(frozen=True)
class HandOffRuns:
    from_position: int
    runs: int


def _runs(count: int, *, seen: bool) -> Aggregate:
    return Aggregate(float(count), count, 0 if seen else count)


def figure(value: float | None, runs: int, *, seen: bool) -> Figure:
    """A figure over `runs` runs (a time, a rate, a hand-off group's), as the reader may read it."""
    return part_figure(Aggregate(value, runs, 0 if seen else runs))


@dataclass(frozen=True)
class RunCounts:
    """A map's runs by status, and stage by stage."""

    started: int
    completed: int
    cancelled: int
    going: int
    stages: Mapping[int, StageRuns]


def count_groups(counts: RunCounts, *, hand_offs: Sequence[HandOffRuns], seen: bool) -> list[int]:
    """The groups of runs every count shown is a sum of; the counts themselves too, which holds
    however the run log reads (a count of 1 to 4 runs is a small group of its own)."""
    stages = counts.stages
    groups = [counts.started, counts.completed, counts.cancelled, counts.going]
    for stage in stages.values():
        groups += [stage.entered, stage.left, stage.going, stage.entered - stage.left - stage.going]
    if stages:  # 0 when a run starts in the first stage and completes leaving the last, as they do
        groups += [counts.started - stages[min(stages)].entered, stages[max(stages)].left - counts.completed]
    shown: dict[int, int] = defaultdict(int)
    for hand_off in hand_offs:
        if figure(None, hand_off.runs, seen=seen).withheld is None:
            shown[hand_off.from_position] += hand_off.runs
    # A stage's runs less its hand-off groups shown: those withheld, and those not measured.
    groups += [stages[p].left - runs for p, runs in shown.items() if p in stages]
    return [abs(g) for g in groups]


def counts_withheld(counts: Iterable[int], *, groups: Iterable[int], seen: bool) -> Withheld | None:
    """Why the counts of one object (the map's, or a stage's) are not shown; None when they are."""
    if any(singles_out(_runs(n, seen=seen)) for n in counts):
        return Withheld.SMALL_SAMPLE
    if any(singles_out(_runs(n, seen=seen)) for n in groups):
        return Withheld.COMPLEMENT
    return None
