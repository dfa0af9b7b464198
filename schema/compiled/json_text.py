"""SQL expressions that render JSON text exactly as the HTTP view's json.dumps does
(compact separators, UTF-8 kept as is), so a compiled answer is byte-for-byte the normal one.

Every encoder returns a non-NULL text expression: SQL NULL becomes the JSON `null`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Numeric, Text, and_, case, cast, false, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

NULL_TEXT = "null"
# JSON values Python reads as false (besides a missing key and any zero).
FALSY = ("null", "false", '""', "[]", "{}")


def const(text: str) -> ColumnElement[str]:
    """A constant SQL string (JSON punctuation, keys and enum names: never user input)."""
    return literal_column("'" + text.replace("'", "''") + "'", Text)


def concat(parts: Sequence[ColumnElement[str] | str]) -> ColumnElement[str]:
    """`a || b || …`, merging adjacent constants and nesting as a balanced tree (a long chain
    would recurse deeper than the SQL compiler allows)."""
    merged: list[ColumnElement[str] | str] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    items = [const(p) if isinstance(p, str) else p for p in merged]
    return _balanced(items)


def _balanced(items: list[ColumnElement[str]]) -> ColumnElement[str]:
    if len(items) == 1:
        return items[0]
    middle = len(items) // 2
    return _balanced(items[:middle]).op("||", return_type=Text)(_balanced(items[middle:]))


def obj(entries: Sequence[tuple[str, ColumnElement[str]]]) -> ColumnElement[str]:
    """A JSON object with the entries in order (response keys are GraphQL names: no escaping)."""
    parts: list[ColumnElement[str] | str] = ["{"]
    for index, (key, value) in enumerate(entries):
        parts += [("," if index else "") + f'"{key}":', value]
    parts.append("}")
    return concat(parts)


def or_null(value: ColumnElement[Any]) -> ColumnElement[str]:
    return func.coalesce(value, const(NULL_TEXT))


def string(value: ColumnElement[Any]) -> ColumnElement[str]:
    # PostgreSQL escapes exactly what json.dumps(ensure_ascii=False) escapes: " \ and controls.
    return or_null(cast(func.to_json(value), Text))


def quoted(value: ColumnElement[Any]) -> ColumnElement[str]:
    """A string known to need no escaping (enum names, base64): quotes around it."""
    return or_null(concat(['"', value, '"']))


def integer(value: ColumnElement[Any]) -> ColumnElement[str]:
    return or_null(cast(value, Text))


def floating(value: ColumnElement[Any]) -> ColumnElement[str]:
    """A float8 as json.dumps writes a Python float: PostgreSQL's shortest text round-trips as
    repr does, but writes a whole number without ".0" (3 where Python writes 3.0). Values from
    1e15 on would differ in notation; no figure reaches them."""
    return or_null(func.regexp_replace(cast(value, Text), const("^(-?[0-9]+)$"), const("\\1.0")))


def boolean(value: ColumnElement[Any]) -> ColumnElement[str]:
    # A boolean's text is `true` or `false`: one evaluation of `value` (a CASE testing it twice
    # computed an expression such as the SLA breach rule twice per row).
    return or_null(cast(value, Text))


def iso_datetime(value: ColumnElement[Any]) -> ColumnElement[str]:
    """datetime.isoformat() of the UTC datetime asyncpg returns: microseconds only when not zero."""
    return or_null(concat(['"', iso_text(value), '"']))


def iso_text(value: ColumnElement[Any]) -> ColumnElement[str]:
    utc = func.timezone(const("UTC"), value)
    stamp = func.to_char(utc, const('YYYY-MM-DD"T"HH24:MI:SS.US'))
    return concat([func.replace(stamp, const(".000000"), const("")), "+00:00"])


def base64url(raw: ColumnElement[str]) -> ColumnElement[str]:
    """base64.urlsafe_b64encode(raw).rstrip('=') — PostgreSQL wraps base64 lines: newlines dropped."""
    encoded = func.encode(func.convert_to(raw, const("UTF8")), const("base64"))
    return func.rtrim(func.translate(encoded, concat(["+/", func.chr(10)]), const("-_")), const("="))


def ascii_string(value: ColumnElement[Any]) -> ColumnElement[str]:
    """json.dumps(value) of a text with its default ensure_ascii, as db.read.pages writes a cursor's
    key: every character past '~' as \\uXXXX (two, a surrogate pair, past U+FFFF); controls, quotes
    and backslashes as PostgreSQL's to_json writes them, which is how json.dumps does too."""
    # Almost every key is plain ASCII without DEL: to_json alone.
    plain = and_(func.octet_length(value) == func.length(value), func.strpos(value, func.chr(127)) == 0)
    char = func.regexp_split_to_table(value, const("")).table_valued("ch", with_ordinality="n").render_derived()
    code, quoted_char = func.ascii(char.c.ch), cast(func.to_json(char.c.ch), Text)
    beyond = code - 65536
    escaped = case(
        (code < 127, func.substr(quoted_char, 2, func.length(quoted_char) - 2)),
        (code < 65536, concat(["\\u", func.lpad(func.to_hex(code), 4, const("0"))])),
        else_=concat(
            ["\\u", func.to_hex(beyond.op(">>")(10) + 55296), "\\u", func.to_hex(beyond.op("&")(1023) + 56320)]
        ),
    )
    joined = select(func.string_agg(escaped, aggregate_order_by(const(""), char.c.n))).select_from(char)
    spelled = concat(['"', func.coalesce(joined.scalar_subquery(), const("")), '"'])
    return case((plain, cast(func.to_json(value), Text)), else_=spelled)


def global_id(type_name: str, db_id: ColumnElement[Any]) -> ColumnElement[str]:
    """schema.ids.encode as SQL."""
    return quoted(base64url(concat([f"{type_name}:", cast(db_id, Text)])))


def array(element: ColumnElement[str], *, order_by: Sequence[Any], where: Any = None) -> ColumnElement[str]:
    """An aggregate: the elements as a JSON array in `order_by` order (`[]` when there are none)."""
    # string_agg(x, ',' ORDER BY …): the ORDER BY goes with the last argument.
    joined = func.string_agg(element, aggregate_order_by(const(","), *order_by))
    if where is not None:
        joined = joined.filter(where)
    return func.coalesce(concat(["[", joined, "]"]), const("[]"))


def truthy(value: ColumnElement[Any]) -> ColumnElement[bool]:
    """Python's truthiness of a jsonb value as json.loads gives it (SQL NULL, a missing key: false)."""
    zero = cast(value.op("#>>")(const("{}")), Numeric) == 0
    return func.coalesce(
        case(
            (func.jsonb_typeof(value) == const("number"), ~zero),
            else_=cast(value, Text).not_in([const(f) for f in FALSY]),
        ),
        false(),
    )
