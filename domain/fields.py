"""Custom field values, checked against the definitions of a request type."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from domain.catalog import FieldDefinition, FieldKind, RequestType
from domain.errors import Forbidden, InvalidField

MAX_TEXT = 4000


def refuse_agent_only(request_type: RequestType | None, keys: Iterable[str]) -> None:
    """For someone who does not work on the request: any value for an agent-only field (clearing
    one included) is refused, naming the first such key."""
    for key in keys:
        definition = request_type.field_by_key(key) if request_type else None
        if definition is not None and definition.agent_only:
            raise Forbidden(
                f"'{definition.label}' is filled in by the departments working on the request.",
                field=("fields", key),
                code="AGENT_ONLY_FIELD",
            )


def validate_field_values(
    request_type: RequestType | None, values: Mapping[str, str | None], *, person_exists: Callable[[str], bool]
) -> dict[str, str]:
    """Return the normalised values, or raise InvalidField naming the offending key.

    `person_exists` answers whether a PERSON value names a real person; the caller
    resolves it so this module stays free of storage.
    """
    definitions = {f.key: f for f in (request_type.fields if request_type else [])}
    for key in values:
        if key not in definitions:
            raise InvalidField(f"Unknown field '{key}'.", field=("fields", key), code="UNKNOWN_FIELD")
    clean: dict[str, str] = {}
    for key, definition in definitions.items():
        raw = values.get(key)
        if raw is None or str(raw).strip() == "":
            if definition.required:
                raise InvalidField(f"'{definition.label}' is required.", field=("fields", key), code="REQUIRED_FIELD")
            continue
        clean[key] = _normalise(definition, str(raw).strip(), person_exists)
    return clean


def _normalise(definition: FieldDefinition, raw: str, person_exists: Callable[[str], bool]) -> str:
    path = ("fields", definition.key)
    kind = definition.kind
    if kind is FieldKind.TEXT:
        if len(raw) > MAX_TEXT:
            raise InvalidField(f"'{definition.label}' is longer than {MAX_TEXT} characters.", field=path)
        return raw
    if kind is FieldKind.NUMBER:
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise InvalidField(f"'{definition.label}' must be a number.", field=path) from None
        if not number.is_finite():
            raise InvalidField(f"'{definition.label}' must be a finite number.", field=path)
        return str(number)
    if kind is FieldKind.DATE:
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            raise InvalidField(f"'{definition.label}' must be a date (YYYY-MM-DD).", field=path) from None
    if kind is FieldKind.CHOICE:
        if raw not in (definition.options or ()):
            options = ", ".join(definition.options or ())
            raise InvalidField(f"'{definition.label}' must be one of: {options}.", field=path)
        return raw
    if kind is FieldKind.PERSON:
        if not person_exists(raw):
            raise InvalidField(f"'{definition.label}' must name an existing person.", field=path)
        return raw
    raise AssertionError(kind)
