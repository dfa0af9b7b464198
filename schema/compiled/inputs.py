"""A root field's arguments, from graphql-core's coerced values to strawberry's input objects, by a
converter built once per field.

strawberry's `convert_arguments` walks the argument types on every call (isinstance chains, name
conversion per field): a tenth of a direct mutation's time. This builds the same conversion as a
tree of closures when the plan is made, following `strawberry.types.arguments.convert_argument`
case by case: optional and lazy types unwrap, leaves and enums pass as they are (graphql-core has
coerced them), lists of leaves are copied and lists of inputs converted item by item, input
objects get None for fields without a default and then what was sent. A type it does not follow
(`Maybe`, `GlobalID`, an input with its own `from_input`) makes it return None: the caller uses
strawberry's own conversion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING
from typing import Any

from strawberry import UNSET, LazyType
from strawberry.relay import GlobalID
from strawberry.types import get_object_definition, has_object_definition

from compat import (
    StrawberryEnumDefinition,
    StrawberryField,
    StrawberryList,
    StrawberryMaybe,
    StrawberryOptional,
    has_enum_definition,
    is_scalar,
)

Convert = Callable[[Any], Any]


class NotFollowed(Exception):
    """A type this module does not convert: strawberry's conversion must."""


def argument_converter(schema: Any, field: StrawberryField) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    """Coerced arguments (by GraphQL name) -> the resolver's keyword arguments; None: not followed."""
    config, registry = schema.config, schema.schema_converter.scalar_registry
    try:
        parts = [
            (config.name_converter.from_argument(a), a.python_name, _converter(a.type, config, registry))
            for a in field.arguments
        ]
    except NotFollowed:
        return None

    def convert(values: dict[str, Any]) -> dict[str, Any]:
        return {python: to_python(values[name]) for name, python, to_python in parts if name in values}

    return convert


def _converter(type_: Any, config: Any, registry: Any) -> Convert:
    if isinstance(type_, StrawberryMaybe) or type_ is GlobalID:
        raise NotFollowed(type_)
    if isinstance(type_, StrawberryOptional):
        return _converter(type_.of_type, config, registry)
    if isinstance(type_, LazyType):
        return _converter(type_.resolve_type(), config, registry)
    if isinstance(type_, StrawberryList):
        if _leaf(type_.of_type, registry):
            return _absent_or(list)  # copied: graphql-core shares one default list among requests
        item = _converter(type_.of_type, config, registry)
        return _absent_or(lambda values: [item(v) for v in values])
    if _leaf(type_, registry):
        return _absent_or(lambda value: value)
    if has_object_definition(type_):
        return _input_object(type_, config, registry)
    raise NotFollowed(type_)


def _leaf(type_: Any, registry: Any) -> bool:
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    if isinstance(type_, LazyType):
        type_ = type_.resolve_type()
    if type_ is GlobalID:
        return False
    return is_scalar(type_, registry) or isinstance(type_, StrawberryEnumDefinition) or has_enum_definition(type_)


def _input_object(type_: Any, config: Any, registry: Any) -> Convert:
    definition = get_object_definition(type_, strict=True)
    if definition.from_input is not None or not definition.is_input:
        raise NotFollowed(type_)
    # Fields without a default are None unless sent (graphql-core has checked the required ones).
    unset = {
        f.python_name: None for f in definition.fields if f.default_value is MISSING and f.default_factory is MISSING
    }
    fields = [
        (
            config.name_converter.from_field(f),
            f.python_name,
            _converter(f.resolve_type(type_definition=definition), config, registry),
        )
        for f in definition.fields
    ]

    def convert(value: dict[str, Any]) -> Any:
        kwargs = dict(unset)
        for name, python, to_python in fields:
            if name in value:
                kwargs[python] = to_python(value[name])
        return type_(**kwargs)

    return _absent_or(convert)


def _absent_or(convert: Convert) -> Convert:
    def or_absent(value: Any) -> Any:
        return value if value is None or value is UNSET else convert(value)

    return or_absent
