"""The labels metrics name operations with: client-chosen, so bounded per process."""

from api.metrics import ANONYMOUS, OTHER, Labels


def test_the_first_names_are_kept_and_the_rest_are_other():
    labels = Labels(3, max_length=10)

    assert [labels(n) for n in ("A", "B", "A", "C", "D", "B")] == ["A", "B", "A", "C", OTHER, "B"]


def test_an_unnamed_operation_is_anonymous_and_takes_no_place():
    labels = Labels(1)

    assert labels(None) == ANONYMOUS
    assert labels("Only") == "Only"
    assert labels("Second") == OTHER


def test_a_name_too_long_to_be_a_label_is_other_and_takes_no_place():
    labels = Labels(2, max_length=5)

    assert labels("TooLong") == OTHER
    assert labels("Short") == "Short"
    assert labels("Fits") == "Fits"
