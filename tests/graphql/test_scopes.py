"""An API token's scopes: what each operation needs, worked out from the document once."""

from __future__ import annotations

import pytest

from domain.api_tokens import ALL_SCOPES, Scope
from schema.scopes import OutOfScope, _administration_fields, check_scopes
from tests.support.api import SCHEMA

READ, WRITE, EVENTS, ADMIN = Scope.READ, Scope.WRITE, Scope.EVENTS, Scope.ADMIN
ADMINISTRATION = {
    "departmentCreate",
    "personCreate",
    "personUpdate",
    "personDeactivate",
    "personReactivate",
    "serviceAccountCreate",
    "apiTokenCreate",
    "apiTokenRevoke",
    "apiTokens",
}


def missing(scopes, query: str, operation_name: str | None = None) -> frozenset[Scope]:
    try:
        check_scopes(SCHEMA, frozenset(scopes), query, operation_name)
    except OutOfScope as error:
        assert error.extensions == {"code": "FORBIDDEN"}
        return error.missing
    return frozenset()


def test_the_administration_fields_are_marked_so():
    marked = set().union(*_administration_fields(SCHEMA._schema).values())
    assert marked == ADMINISTRATION


@pytest.mark.parametrize(
    "query, needed",
    [
        ("{ viewer { email } }", {READ}),
        ("query { requests { totalCount } }", {READ}),
        ('mutation { commentAdd(input: {requestId: "x", body: "b"}) { userErrors { code } } }', {WRITE}),
        ("subscription { events { type } }", {EVENTS}),
        ("{ apiTokens { totalCount } }", {READ, ADMIN}),
        ('mutation { personDeactivate(input: {id: "x"}) { userErrors { code } } }', {WRITE, ADMIN}),
        # an administration field behind fragments counts as much as one in plain sight
        (
            "query { ...A } fragment A on Query { ... on Query { ...B } }"
            " fragment B on Query { apiTokens { totalCount } }",
            {READ, ADMIN},
        ),
    ],
)
def test_each_operation_needs_its_kinds_scope_and_admin_for_administration(query, needed):
    assert missing(set(), query) == needed
    assert missing(needed, query) == frozenset()
    for scope in needed:
        assert missing(needed - {scope}, query) == {scope}


def test_the_operation_named_is_the_one_checked():
    document = (
        "query Q { viewer { id } }"
        ' mutation M { personCreate(input: {name: "n", email: "e", role: ADMIN}) { userErrors { code } } }'
    )
    assert missing({READ}, document, "Q") == frozenset()
    assert missing({READ}, document, "M") == {WRITE, ADMIN}


def test_interactive_sign_ins_and_all_scope_tokens_are_not_checked():
    check_scopes(SCHEMA, None, "mutation { personCreate }", None)
    check_scopes(SCHEMA, ALL_SCOPES, "mutation { personCreate }", None)


@pytest.mark.parametrize("query", ["{", "query A { viewer { id } } query B { viewer { id } }"])
def test_a_document_execution_refuses_anyway_is_left_to_it(query):
    assert missing(set(), query) == frozenset()
