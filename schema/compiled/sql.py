"""How a field's SQL is declared: the vocabulary of the tables that sit beside the strawberry
types (`schema/<domain>/types.py`, root fields beside their resolvers).

A type's table (`TypeSql`) says, for each field the compiled read path covers, how the field is
written as JSON text in SQL (`FieldSql.encode`, mirroring its resolver: same columns, same order
of lists, same nulls) and which GraphQL type that text is (`FieldSql.writes`, as the schema prints
it). `schema.compiled.fields` gathers the tables at import; the planner, the statement builder and
the differential test's generators all read them from there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, ColumnElement, DateTime, Select, Table, bindparam, case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.types import get_object_definition

from domain.people import Person
from schema.compiled import json_text as j

if TYPE_CHECKING:
    from schema.compiled.arguments import Shape
    from schema.compiled.planner import PlanField

# `row` is what the field's object is read from: a table, an alias or a page of one, a jsonb
# array's element (`value`), or the window of a connection (schema.compiled.connections).
Encoder = Callable[["PlanField", Any, "Build"], ColumnElement[str]]
# A field with arguments: from the site's index, its converted arguments and the run's parameters
# (to add to), the shape that selects its SQL; raises arguments.Fallback for normal execution.
Binder = Callable[[int, dict[str, Any], dict[str, Any]], "Shape"]


@dataclass(frozen=True)
class Run:
    """Who a statement runs for, when, and where it reads."""

    viewer: Person
    now: datetime
    reader: AsyncEngine


@dataclass(frozen=True)
class Prefetch:
    """What a root field reads before its statement runs, for values SQL cannot work out cheaply
    on its own: shared goal figures, computed once for many readers (schema.goals.shared_figures).
    `select(f, build)` is run first, with the statement's parameters; `values(rows, run, bound)`
    then adds to the statement's parameters (`bound`) what it makes of its rows (the driver's
    records: columns by their labels), under names starting `prefetched_` (Build.prefetched)."""

    select: Callable[[PlanField, Build], Select[Any]]
    values: Callable[[Sequence[Any], Run, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class FieldSql:
    """One field's SQL."""

    encode: Encoder
    writes: str  # the GraphQL type of what `encode` writes, as the schema prints it ("[Task!]!")
    arguments: Binder | None = None  # for a field that takes arguments
    column: str | None = None  # the column of the row it reads, if it reads one as it is
    # A field returning an interface (node, nodes): the types it is planned for, each with its own
    # selection (PlanField.variants); a run's shape names the type each ID names.
    plan_for: tuple[str, ...] = ()
    brings: tuple[TypeSql, ...] = ()  # types only this kind of field has (a connection's)
    prefetch: Prefetch | None = None  # for a root field


@dataclass(frozen=True)
class TypeSql:
    """A type's table: its compiled fields by GraphQL name."""

    name: str  # the GraphQL type
    fields: Mapping[str, FieldSql]
    # The table its rows come from: where `one` reads an object by id, whose columns `column` names.
    rows: Table | None = None

    @classmethod
    def of(cls, strawberry_type: Any, fields: Mapping[str, FieldSql], *, rows: Table | None = None) -> TypeSql:
        return cls(name=get_object_definition(strawberry_type, strict=True).name, fields=fields, rows=rows)


def named_type(writes: str) -> str:
    return writes.strip("[]!")


@dataclass
class Build:
    """What the encoders need besides the row: the viewer (as parameters), the run's argument
    shapes, and the compiled types (to read a related object by id)."""

    viewer: Person
    shapes: tuple[Shape, ...]
    types: Mapping[str, TypeSql]

    def param(self, name: str, type_: Any) -> Any:
        return _parameter(name, type_)

    def now(self) -> Any:
        """The call's clock (Context.now), bound per run: what normal execution reads times against
        (a journey run's time in its current stage)."""
        return _parameter("now", DateTime(timezone=True))

    def prefetched(self, name: str, type_: Any) -> Any:
        """A value a root field's Prefetch binds for this run: None when none did (the SQL then
        works it out itself)."""
        return _parameter(f"prefetched_{name}", type_)

    def rows(self, type_name: str) -> Table:
        rows = self.types[type_name].rows
        assert rows is not None, type_name
        return rows


def _parameter(name: str, type_: Any) -> Any:
    """A parameter bound per run (its value here only lets the statement compile)."""
    return bindparam(name, value=None, type_=type_, required=False)


# Parameters bound on every run (statement.py writes every other value into the SQL): the viewer,
# and the call's clock (Context.now) for what is measured against it; and those with a prefix
# (node ids, cursors, what a Prefetch read).
RUN_PARAMETERS = frozenset({"viewer_id", "now"})
RUN_PREFIXES = ("node_", "cursor_key_", "cursor_id_", "prefetched_")


def viewer_parameters(viewer: Person) -> Person:
    """A stand-in viewer whose id is an SQL parameter, so db.read.visibility's predicates compile
    once per role and department and are bound per run."""
    return Person(
        id=_parameter("viewer_id", BigInteger), name="", email="", role=viewer.role, department_id=viewer.department_id
    )


def object_json(type_name: str, fields: list[PlanField], row: Any, build: Build) -> ColumnElement[str]:
    """The planned fields of an object of `type_name` read from `row`, as a JSON object."""
    return j.obj(
        [(f.key, j.quoted(j.const(type_name)) if f.sql is None else f.sql.encode(f, row, build)) for f in fields]
    )


class Values:
    """Expressions standing in for a row's columns, for an object computed from several of them."""

    def __init__(self, **columns: ColumnElement[Any]):
        self.c = columns


# --- the building blocks of the tables -------------------------------------------------------

# How a scalar is written; any other named type a column holds is an enum (its names need no escaping).
SCALAR_WRITERS: dict[str, Callable[[Any], ColumnElement[str]]] = {
    "String": j.string,
    "Int": j.integer,
    "Boolean": j.boolean,
    "DateTime": j.iso_datetime,
    "Float": j.number,
}


def writer(writes: str) -> Callable[[Any], ColumnElement[str]]:
    return SCALAR_WRITERS.get(named_type(writes), j.quoted)


def column(name: str, writes: str) -> FieldSql:
    """A column of the row, written as its GraphQL type."""
    write = writer(writes)
    return FieldSql(lambda f, row, build: write(row.c[name]), writes, column=name)


def node_id(type_name: str, *, key: str = "id") -> FieldSql:
    """The global ID (schema.ids.encode) of the row's `key`."""
    return FieldSql(lambda f, row, build: j.global_id(type_name, row.c[key]), "ID!")


def computed(expression: Callable[[Any], ColumnElement[Any]], writes: str) -> FieldSql:
    """A value computed from the row, written as its GraphQL type."""
    write = writer(writes)
    return FieldSql(lambda f, row, build: write(expression(row)), writes)


def one(key: str | Callable[[Any], ColumnElement[Any]], writes: str) -> FieldSql:
    """A related object by its id, read from its type's rows (NULL id or none found: null)."""
    type_name = named_type(writes)
    key_of = (lambda row: row.c[key]) if isinstance(key, str) else key

    def encode(f: PlanField, row: Any, build: Build) -> ColumnElement[str]:
        other = build.rows(type_name).alias()
        json = select(object_json(type_name, f.children, other, build)).where(other.c.id == key_of(row))
        return j.or_null(json.correlate_except(other).scalar_subquery())

    return FieldSql(encode, writes, column=key if isinstance(key, str) else None)


def same_row(writes: str, *, when: Callable[[Any], ColumnElement[bool]] | None = None) -> FieldSql:
    """An object read from the same row (a request's SLA status); null unless `when` holds."""
    type_name = named_type(writes)

    def encode(f: PlanField, row: Any, build: Build) -> ColumnElement[str]:
        json = object_json(type_name, f.children, row, build)
        return json if when is None else case((when(row), json), else_=j.const(j.NULL_TEXT))

    return FieldSql(encode, writes)


def elements(name: str, writes: str) -> FieldSql:
    """A list of objects from a jsonb array column (a request type's form), in order; each
    object's row is the element, as `value`."""
    type_name = named_type(writes)

    def encode(f: PlanField, row: Any, build: Build) -> ColumnElement[str]:
        element = func.jsonb_array_elements(row.c[name]).table_valued("value", with_ordinality="n").render_derived()
        json = select(j.array(object_json(type_name, f.children, element, build), order_by=[element.c.n]))
        return func.coalesce(json.select_from(element).scalar_subquery(), j.const("[]"))

    return FieldSql(encode, writes, column=name)


def key(name: str) -> Callable[[Any], ColumnElement[Any]]:
    """A key of a jsonb element (see `elements`) as text."""
    return lambda row: row.c.value.op("->>")(j.const(name))


def element(name: str, writes: str) -> FieldSql:
    """A key of a jsonb element, written as its GraphQL type."""
    return computed(key(name), writes)


def element_flag(name: str) -> FieldSql:
    """A key of a jsonb element as Python's truth of it (a missing key: false)."""
    return FieldSql(lambda f, row, build: j.boolean(j.truthy(row.c.value.op("->")(j.const(name)))), "Boolean!")
