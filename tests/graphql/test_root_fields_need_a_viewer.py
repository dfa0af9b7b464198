"""Every root field, query, mutation and subscription alike, needs a signed-in viewer: a field
added without the permission fails here instead of answering anonymous callers."""

from __future__ import annotations

import pytest

from schema.permissions import SignedIn
from tests.support.api import SCHEMA

ROOTS = [t.__strawberry_definition__ for t in (SCHEMA.query, SCHEMA.mutation, SCHEMA.subscription)]
FIELDS = [(root.name, field) for root in ROOTS for field in root.fields]


def test_the_schema_has_root_fields_of_every_kind():
    assert {name for name, _ in FIELDS} == {"Query", "Mutation", "Subscription"}
    assert len(FIELDS) > 30


@pytest.mark.parametrize("root, field", FIELDS, ids=[f"{root}.{field.name}" for root, field in FIELDS])
def test_every_root_field_needs_a_signed_in_viewer(root, field):
    assert SignedIn in field.permission_classes, f"{root}.{field.name} answers anonymous callers"
