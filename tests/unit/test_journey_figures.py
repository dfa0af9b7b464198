"""What a journey map's analytics show a reader (domain.journey_figures): no figure over 1 to 4
runs they do not see, and no counts whose difference would give such a group away."""

from __future__ import annotations

import pytest

from domain.goal_figures import Figure, Withheld
from domain.journey_figures import HandOffRuns, RunCounts, StageRuns, count_groups, counts_withheld, figure

W = Withheld


def funnel(*stages: tuple[int, int, int], cancelled: int = 0) -> RunCounts:
    """Runs through stages given as (entered, left, going)."""
    by_position = {p: StageRuns(*s) for p, s in enumerate(stages, start=1)}
    completed = stages[-1][1]
    going = sum(s[2] for s in stages)
    return RunCounts(started=stages[0][0], completed=completed, cancelled=cancelled, going=going, stages=by_position)


@pytest.mark.parametrize(
    ("runs", "seen", "shown"),
    [
        (1, False, Figure(None, None, W.SMALL_SAMPLE)),
        (4, False, Figure(None, None, W.SMALL_SAMPLE)),
        (5, False, Figure(12.0, 5)),
        (1, True, Figure(12.0, 1)),  # a reader who sees the runs could work it out
        (0, False, Figure(12.0, 0)),
    ],
)
def test_a_figure_over_runs(runs, seen, shown):
    assert figure(12.0, runs, seen=seen) == shown


def test_counts_of_groups_of_5_or_more_show():
    counts = funnel((10, 10, 0), (10, 5, 5))
    groups = count_groups(counts, hand_offs=[HandOffRuns(1, 10)], seen=False)
    assert counts_withheld([10, 5], groups=groups, seen=False) is None


def test_one_run_going_in_a_stage_withholds_every_count():
    # 10 entered Paperwork, 9 left it: shown, the two counts would say one run is still there
    counts = funnel((10, 9, 1), (9, 9, 0))
    groups = count_groups(counts, hand_offs=[], seen=False)
    assert counts_withheld([10, 9], groups=groups, seen=False) is W.COMPLEMENT
    assert counts_withheld([9, 9], groups=groups, seen=False) is W.COMPLEMENT
    assert counts_withheld([10, 9, 0, 1], groups=groups, seen=False) is W.SMALL_SAMPLE
    assert counts_withheld([10, 9], groups=groups, seen=True) is None


def test_runs_cancelled_in_a_stage_are_a_group_too():
    counts = funnel((10, 10, 0), (10, 7, 0), cancelled=3)
    assert counts_withheld([10, 10], groups=count_groups(counts, hand_offs=[], seen=False), seen=False) is W.COMPLEMENT


def test_a_stage_less_its_hand_off_groups_shown_is_a_group():
    counts = funnel((10, 10, 0), (10, 10, 0))
    # 10 left Paperwork; hand-off groups of 6 (shown) and 4 (withheld): 10 - 6 gives the 4 away
    groups = count_groups(counts, hand_offs=[HandOffRuns(1, 6), HandOffRuns(1, 4)], seen=False)
    assert counts_withheld([10, 10], groups=groups, seen=False) is W.COMPLEMENT
    # groups of 5 and 5, both shown: nothing left over
    groups = count_groups(counts, hand_offs=[HandOffRuns(1, 5), HandOffRuns(1, 5)], seen=False)
    assert counts_withheld([10, 10], groups=groups, seen=False) is None
