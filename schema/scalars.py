"""Input scalars refuse what PostgreSQL cannot store, while arguments are coerced: a coded
BAD_USER_INPUT error before any resolver runs, on every path (HTTP, websockets, compiled reads,
direct mutations), instead of a database error in the middle of a write.

- String: no NUL character (U+0000). PostgreSQL's text and jsonb refuse it ("invalid byte
  sequence for encoding UTF8: 0x00"), and every title, body, name, reason, search, custom field
  value and idempotency key is a String argument. graphql-core's String is one object per process
  whose name is reserved (no schema may define another `String`), so the check is installed on it
  and holds for every schema of the process; the SDL is unchanged.
- DateTime: a moment Tandem can store (domain.moments: strictly within years 1-9999 in UTC;
  `9999-12-31T23:59:59-23:59` is not). A moment without an offset is UTC, as the mutations
  already read it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import dateutil.parser
from graphql import GraphQLError, GraphQLString
from strawberry.exceptions import StrawberryInputCoercionError

from compat import ScalarDefinition
from domain.moments import RANGE, storable

NUL_MESSAGE = "Text must not contain the NUL character (U+0000)."


def bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


def _without_nul(coerce: Any) -> Any:
    def coerce_text(value: Any, *args: Any) -> Any:
        text = coerce(value, *args)
        if "\x00" in text:
            raise bad_input(NUL_MESSAGE)
        return text

    coerce_text.refuses_nul = True
    return coerce_text


def refuse_nul_in_strings() -> None:
    """Install the NUL check on graphql-core's String (once per process)."""
    if getattr(GraphQLString.coerce_input_value, "refuses_nul", False):
        return
    GraphQLString.coerce_input_value = _without_nul(GraphQLString.coerce_input_value)
    GraphQLString.coerce_input_literal = _without_nul(GraphQLString.coerce_input_literal)


def parse_datetime(value: object) -> dt.datetime:
    if not isinstance(value, str):
        raise StrawberryInputCoercionError(f'Value cannot represent a DateTime: "{value}". Expected a string.')
    try:
        moment = dateutil.parser.isoparse(value)
    except ValueError as error:
        raise StrawberryInputCoercionError(f'Value cannot represent a DateTime: "{value}". {error}') from None
    except OverflowError:  # "9999-12-31T24:00:00": the next day is past year 9999
        moment = None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    if moment is None or not storable(moment):
        raise bad_input(f'DateTime out of range: "{value}" must fall {RANGE}.')
    return moment


# strawberry's DateTime (same name and description: the SDL is unchanged), with the range check.
DateTimeDefinition = ScalarDefinition(
    name="DateTime",
    description="Date with time (isoformat)",
    specified_by_url=None,
    serialize=dt.datetime.isoformat,
    parse_value=parse_datetime,
    parse_literal=None,
    origin=dt.datetime,
)
SCALAR_OVERRIDES = {dt.datetime: DateTimeDefinition}
