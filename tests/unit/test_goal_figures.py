"""What a goal shows of a figure (domain.goal_figures): small samples of unseen work are withheld,
and so is a total that would give a withheld part away."""

from __future__ import annotations

import pytest

from domain.goal_figures import Aggregate, Figure, Withheld, part_figure, total_figure

W = Withheld


@pytest.mark.parametrize(
    ("aggregate", "shown"),
    [
        (Aggregate(4.0, 1, unseen=1), Figure(None, None, W.SMALL_SAMPLE)),
        (Aggregate(4.0, 4, unseen=1), Figure(None, None, W.SMALL_SAMPLE)),
        (Aggregate(4.0, 5, unseen=5), Figure(4.0, 5)),  # five samples: an aggregate
        (Aggregate(4.0, 4, unseen=0), Figure(4.0, 4)),  # all seen: the reader could work it out
        (Aggregate(None, 0), Figure(None, 0)),  # nothing: nothing to single out
        (Aggregate(0.0, 0), Figure(0.0, 0)),
    ],
)
def test_a_part(aggregate, shown):
    assert part_figure(aggregate) == shown


def test_a_total_giving_away_one_withheld_part_is_withheld():
    parts = [Aggregate(4.0, 5, unseen=0), Aggregate(1.0, 1, unseen=1)]
    assert total_figure(Aggregate(3.5, 6, unseen=1), parts, runs=False) == Figure(None, None, W.COMPLEMENT)


def test_a_total_over_withheld_parts_of_five_samples_together_is_shown():
    parts = [Aggregate(4.0, 2, unseen=2), Aggregate(4.0, 3, unseen=3), Aggregate(None, 0)]
    assert total_figure(Aggregate(4.0, 5, unseen=5), parts, runs=False) == Figure(4.0, 5)


def test_a_small_total_of_unseen_work_is_withheld_as_such():
    assert total_figure(Aggregate(2.0, 1, unseen=1), [Aggregate(2.0, 1, unseen=1)], runs=False) == Figure(
        None, None, W.SMALL_SAMPLE
    )


def test_a_journey_total_is_withheld_with_any_withheld_part():
    # runs count once in the total and once per department: the parts do not add up to it
    parts = [Aggregate(0.5, 8, unseen=0), Aggregate(1.0, 2, unseen=2), Aggregate(1.0, 3, unseen=3)]
    assert total_figure(Aggregate(0.6, 10, unseen=2), parts, runs=True) == Figure(None, None, W.COMPLEMENT)
    assert total_figure(Aggregate(0.6, 10, unseen=2), parts[:1], runs=True) == Figure(0.6, 10)
