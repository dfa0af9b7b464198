"""Event.summary as SQL: schema.events.summaries' templates rendered from the same definitions,
so the compiled read path writes the text summarise() writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Numeric, Text, case, cast, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from schema.compiled import json_text as j
from schema.events.summaries import TEMPLATES, Count, Joined, Part, SortedKeys, Successor, Value, When


def summary_text(event_type: ColumnElement[Any], payload: ColumnElement[Any]) -> ColumnElement[str]:
    """The summary of an event row (an unknown type summarises as its name)."""
    whens = [(event_type == j.const(name), _render(parts, payload)) for name, parts in TEMPLATES.items()]
    return case(*whens, else_=cast(event_type, Text))


def _render(parts: tuple[Part, ...], payload: ColumnElement[Any]) -> ColumnElement[str]:
    if not parts:
        return j.const("")
    return j.concat([part if isinstance(part, str) else _part(part, payload) for part in parts])


def _part(part: Part, payload: ColumnElement[Any]) -> ColumnElement[str]:
    value = payload.op("->")(j.const(part.key))
    if isinstance(part, Value):
        return _formatted(value, missing=part.missing)
    if isinstance(part, SortedKeys):
        keys = func.jsonb_object_keys(func.coalesce(value, j.const("{}"))).table_valued("key").render_derived()
        return _joined(keys.c.key, keys, order=keys.c.key.collate("C"))
    if isinstance(part, Joined):
        items = (
            func.jsonb_array_elements_text(func.coalesce(value, j.const("[]")))
            .table_valued("item", with_ordinality="n")
            .render_derived()
        )
        return _joined(items.c.item, items, order=items.c.n)
    if isinstance(part, Count):
        return case((j.truthy(value), cast(func.jsonb_array_length(value), Text)), else_=j.const("0"))
    if isinstance(part, Successor):
        return case(
            (j.truthy(value), cast(cast(value.op("#>>")(j.const("{}")), Numeric) + 1, Text)), else_=j.const("1")
        )
    assert isinstance(part, When)
    return case((j.truthy(value), _render(part.then, payload)), else_=_render(part.otherwise, payload))


def _formatted(value: ColumnElement[Any], *, missing: str) -> ColumnElement[str]:
    """f"{value}" of a JSON scalar: None, True/False, the string itself, the number's digits."""
    kind = func.jsonb_typeof(value)
    text = value.op("#>>")(j.const("{}"))
    return case(
        (value.is_(None), j.const(missing)),
        (kind == j.const("null"), j.const("None")),
        (kind == j.const("boolean"), func.initcap(text)),
        else_=text,
    )


def _joined(item: ColumnElement[Any], source: Any, *, order: Any) -> ColumnElement[str]:
    joined = select(func.string_agg(item, aggregate_order_by(j.const(", "), order))).select_from(source)
    return func.coalesce(joined.scalar_subquery(), j.const(""))
