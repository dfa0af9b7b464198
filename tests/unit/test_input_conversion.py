"""The direct path's argument conversion (schema.compiled.inputs) builds exactly the input objects
strawberry's own conversion builds: nested inputs, lists of inputs and of IDs, enums, floats,
dates, defaults, explicit nulls and fields left out."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.types.arguments import convert_arguments

from schema.compiled.inputs import argument_converter
from schema.schema import build_schema

SCHEMA = build_schema()
MUTATIONS = SCHEMA._schema.mutation_type
CASES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "requestCreate",
        "RequestCreateInput",
        {
            "serviceId": "U2VydmljZTox",
            "title": "Laptop",
            "priority": "HIGH",
            "fields": [{"key": "model", "value": "13-inch"}, {"key": "notes"}],
            "requesterId": None,
            "idempotencyKey": "k",
        },
    ),
    ("requestCreate", "RequestCreateInput", {"serviceId": "U2VydmljZTox", "title": "Bare"}),
    ("requestUpdate", "RequestUpdateInput", {"id": "UmVxdWVzdDox", "expectedVersion": 3, "title": None, "fields": []}),
    ("commentAdd", "CommentAddInput", {"requestId": "UmVxdWVzdDox", "body": "é ✓"}),
    ("commentAdd", "CommentAddInput", {"requestId": "UmVxdWVzdDox", "body": "x", "internal": True}),
    (
        "requestTransition",
        "RequestTransitionInput",
        {"id": "UmVxdWVzdDox", "to": "RESOLVED", "expectedVersion": 1, "reason": None},
    ),
    (
        "requestTypeCreate",
        "RequestTypeCreateInput",
        {
            "serviceId": "U2VydmljZTox",
            "name": "New laptop",
            "fields": [
                {"key": "model", "label": "Model", "kind": "CHOICE", "options": ["13", "15"]},
                {"key": "notes", "label": "Notes", "kind": "TEXT", "required": True},
            ],
            "sla": {"responseMinutes": 60, "resolutionMinutes": 480},
            "taskTemplates": [{"title": "Desk", "departmentId": "RGVwYXJ0bWVudDox"}],
        },
    ),
    (
        "sharedGoalCreate",
        "SharedGoalCreateInput",
        {
            "title": "Onboarding",
            "periodStart": "2026-01-01T00:00:00+00:00",
            "periodEnd": "2026-12-31T00:00:00Z",
            "departmentIds": ["RGVwYXJ0bWVudDox", "RGVwYXJ0bWVudDoy"],
            "keyResults": [
                {
                    "title": "SLA",
                    "metric": "SLA_COMPLIANCE_RATE",
                    "target": 0.9,
                    "scope": {"serviceIds": ["U2VydmljZTox"], "journeyMapId": None},
                },
                {"title": "Fast", "metric": "MEDIAN_RESOLUTION_HOURS", "target": 8, "direction": "AT_MOST"},
            ],
        },
    ),
]


def _coerced(field: str, input_type: str, value: dict[str, Any]) -> dict[str, Any]:
    document = parse(f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ __typename }} }}")
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    variables = get_variable_values(SCHEMA._schema, operation.variable_definitions, {"input": value})
    assert not isinstance(variables, list), variables
    node = operation.selection_set.selections[0]
    return get_argument_values(MUTATIONS.fields[field], node, variables)


def _strawberry_field(name: str) -> Any:
    return MUTATIONS.fields[name].extensions["strawberry-definition"]


@pytest.mark.parametrize(("field", "input_type", "value"), CASES)
def test_the_converter_builds_what_strawberry_builds(field: str, input_type: str, value: dict[str, Any]):
    # given what graphql-core coerced
    coerced = _coerced(field, input_type, value)
    definition = _strawberry_field(field)
    # when both convert it
    theirs = convert_arguments(
        coerced, definition.arguments, scalar_registry=SCHEMA.schema_converter.scalar_registry, config=SCHEMA.config
    )
    convert = argument_converter(SCHEMA, definition)
    assert convert is not None
    ours = convert(coerced)
    # then the same input objects, field for field, the same types all the way down
    assert ours == theirs
    assert repr(ours) == repr(theirs)


def test_every_mutation_of_the_schema_has_a_converter():
    missing = [name for name in MUTATIONS.fields if argument_converter(SCHEMA, _strawberry_field(name)) is None]
    assert missing == []
