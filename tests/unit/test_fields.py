"""Custom field values, checked and normalised against a request type's definitions."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.catalog import FieldDefinition, FieldKind
from domain.errors import Forbidden, InvalidField
from domain.fields import MAX_TEXT, refuse_agent_only, validate_field_values
from tests.unit.example_org import new_laptop

KNOWN_PEOPLE = {"8", "emma@example.com"}


def validate(values, request_type="default"):
    rt = new_laptop() if request_type == "default" else request_type
    return validate_field_values(rt, values, person_exists=KNOWN_PEOPLE.__contains__)


def test_valid_values_are_normalised_and_blank_optionals_dropped():
    # given a complete, slightly messy input
    values = {
        "model": " 13-inch ",
        "needed_by": "2025-01-06",
        "budget": " 1200.50 ",
        "manager": "8",
        "notes": "  please hurry  ",
    }
    # when validated / then each value is trimmed and in canonical form
    assert validate(values) == {
        "model": "13-inch",
        "needed_by": "2025-01-06",
        "budget": "1200.50",
        "manager": "8",
        "notes": "please hurry",
    }


def test_optional_fields_left_out_or_blank_are_omitted():
    assert validate({"model": "15-inch", "notes": "   ", "budget": None}) == {"model": "15-inch"}


@pytest.mark.parametrize(
    "missing", [{}, {"model": None}, {"model": ""}, {"model": "   "}], ids=["absent", "none", "empty", "blank"]
)
def test_a_required_field_must_be_given(missing):
    with pytest.raises(InvalidField) as raised:
        validate(missing)
    assert raised.value.code == "REQUIRED_FIELD"
    assert raised.value.field == ("fields", "model")


def test_an_unknown_key_is_refused_by_name():
    with pytest.raises(InvalidField) as raised:
        validate({"model": "13-inch", "colour": "red"})
    assert raised.value.code == "UNKNOWN_FIELD"
    assert raised.value.field == ("fields", "colour")


def test_an_unknown_key_is_refused_even_when_blank():
    with pytest.raises(InvalidField) as raised:
        validate({"model": "13-inch", "colour": None})
    assert raised.value.code == "UNKNOWN_FIELD"


def test_without_a_request_type_no_field_is_known():
    assert validate({}, request_type=None) == {}
    with pytest.raises(InvalidField) as raised:
        validate({"model": "13-inch"}, request_type=None)
    assert raised.value.code == "UNKNOWN_FIELD"


@pytest.mark.parametrize(("raw", "clean"), [("42", "42"), ("-3.5", "-3.5"), ("1_000", "1000"), ("0.10", "0.10")])
def test_numbers_are_decimal(raw, clean):
    assert validate({"model": "13-inch", "budget": raw})["budget"] == clean


@pytest.mark.parametrize("raw", ["abc", "12,5", "NaN", "Infinity", "-inf", "1e"])
def test_a_number_field_refuses_what_is_not_a_finite_number(raw):
    with pytest.raises(InvalidField) as raised:
        validate({"model": "13-inch", "budget": raw})
    assert raised.value.code == "INVALID_FIELD"
    assert raised.value.field == ("fields", "budget")


def test_a_date_is_normalised_to_iso():
    assert validate({"model": "13-inch", "needed_by": "20250106"})["needed_by"] == "2025-01-06"


@pytest.mark.parametrize("raw", ["2025-02-30", "06/01/2025", "tomorrow"])
def test_a_date_field_refuses_non_dates(raw):
    with pytest.raises(InvalidField) as raised:
        validate({"model": "13-inch", "needed_by": raw})
    assert raised.value.field == ("fields", "needed_by")


def test_a_choice_must_be_one_of_the_options_exactly():
    with pytest.raises(InvalidField) as raised:
        validate({"model": "13-INCH"})
    assert raised.value.field == ("fields", "model")
    assert "13-inch, 15-inch" in raised.value.message


def test_a_person_field_must_name_an_existing_person():
    assert validate({"model": "13-inch", "manager": "emma@example.com"})["manager"] == "emma@example.com"
    with pytest.raises(InvalidField) as raised:
        validate({"model": "13-inch", "manager": "nobody@example.com"})
    assert raised.value.field == ("fields", "manager")


def test_the_person_lookup_is_asked_only_about_person_fields():
    # given a lookup that records what it is asked
    asked = []

    def person_exists(ref: str) -> bool:
        asked.append(ref)
        return True

    # when validating values for several kinds
    validate_field_values(new_laptop(), {"model": "13-inch", "notes": "8", "manager": "9"}, person_exists=person_exists)
    # then only the PERSON value was looked up
    assert asked == ["9"]


def test_text_is_limited_in_length():
    assert len(validate({"model": "13-inch", "notes": "x" * MAX_TEXT})["notes"]) == MAX_TEXT
    with pytest.raises(InvalidField) as raised:
        validate({"model": "13-inch", "notes": "x" * (MAX_TEXT + 1)})
    assert raised.value.field == ("fields", "notes")


def test_the_input_mapping_is_left_untouched():
    values = {"model": " 13-inch ", "notes": None}
    validate(values)
    assert values == {"model": " 13-inch ", "notes": None}


def test_a_value_for_an_agent_only_field_is_refused_by_name():
    # given a form with an agent-only field
    request_type = new_laptop()
    request_type = replace(
        request_type,
        fields=[*request_type.fields, FieldDefinition("asset_tag", "Asset tag", FieldKind.TEXT, agent_only=True)],
    )
    # then naming it at all is refused; other keys, known or not, are left to validation
    with pytest.raises(Forbidden) as raised:
        refuse_agent_only(request_type, ["model", "asset_tag"])
    assert (raised.value.code, raised.value.field) == ("AGENT_ONLY_FIELD", ("fields", "asset_tag"))
    refuse_agent_only(request_type, ["model", "colour"])
    refuse_agent_only(None, ["asset_tag"])
