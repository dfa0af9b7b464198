"""Departments and their slugs."""

from __future__ import annotations

import pytest

from domain.departments import Department, new_department, slugify
from domain.errors import DomainError
from tests.unit.example_org import NOW


def test_a_slug_is_derived_from_the_name_when_not_given():
    department = new_department(id=3, name="  Facilities & Workplace ", slug=None, now=NOW)
    assert department == Department(id=3, name="Facilities & Workplace", slug="facilities-workplace", created_at=NOW)


def test_a_given_slug_is_kept():
    assert new_department(id=1, name="Information Technology", slug="it", now=NOW).slug == "it"


@pytest.mark.parametrize("slug", ["IT", "it_ops", "-it", "it-", "it--ops", "x" * 61])
def test_a_bad_slug_is_refused(slug):
    with pytest.raises(DomainError) as raised:
        new_department(id=1, name="IT", slug=slug, now=NOW)
    assert raised.value.code == "INVALID_SLUG"
    assert raised.value.field == ("slug",)


def test_a_name_with_nothing_to_slug_needs_an_explicit_slug():
    with pytest.raises(DomainError) as raised:
        new_department(id=1, name="???", slug=None, now=NOW)
    assert raised.value.code == "INVALID_SLUG"
    assert new_department(id=1, name="???", slug="mystery", now=NOW).slug == "mystery"


def test_a_name_must_not_be_blank():
    with pytest.raises(DomainError) as raised:
        new_department(id=1, name="  ", slug="it", now=NOW)
    assert raised.value.field == ("name",)


def test_slugify_joins_words_with_single_dashes():
    assert slugify("  Human  Resources (EMEA) ") == "human-resources-emea"
