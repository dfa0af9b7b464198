"""One source per compiled field. The tables beside the strawberry types (`COMPILED`, gathered in
schema.compiled.fields) are what the planner compiles, what the statement builder writes and what
the differential test generates queries from; here they are held against the schema:

(a) every field the planner supports has exactly one SQL source, and the planner takes it;
(b) every field with SQL is on its strawberry type, with the GraphQL type the SQL writes;
(c) the differential test's generators select every supported field;
(d) every field of the read schema that falls back to normal execution is listed, with the reason,
    in fallback_fields.txt.

No database: the statements are built, not run (test_differential.py runs them).
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
    is_non_null_type,
    parse,
    validate,
)
from graphql.execution.values import VariableValues, get_variable_values
from hypothesis import HealthCheck, given, settings
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

import schema
from domain.people import Person, Role
from schema.compiled.extension import ValidatedOperation
from schema.compiled.fields import DECLARED, SUPPORTED, TYPES, gather
from schema.compiled.planner import PlanField, make_plan, query_operation
from schema.compiled.sql import SCALAR_WRITERS, FieldSql, TypeSql
from tests.compiled.queries import ARGUMENTS, Operation, every_field, operations, selected_fields
from tests.compiled.seed import Seeded
from tests.support.api import FAST_SCHEMA as SCHEMA

GRAPHQL = SCHEMA._schema
FALLBACK_FILE = Path(__file__).with_name("fallback_fields.txt")
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
SEEDED = Seeded(
    request_ids=[1, 2, 3],
    request_keys=[(START, 1), (START, 2)],
    comment_keys=[(START, 4), (START, 5)],
    event_seqs=[3, 7, 11],
)
# Columns that may hold NULL under a non-null field: the object is only written when they are set.
GUARDED_COLUMNS = {
    ("Satisfaction", "score"): "Request.satisfaction is null without a score",
    ("SlaPolicy", "responseMinutes"): "RequestType.sla is null unless both targets are set",
    ("SlaPolicy", "resolutionMinutes"): "RequestType.sla is null unless both targets are set",
}


def supported_fields() -> set[tuple[str, str]]:
    return {(type_name, name) for type_name, fields in SUPPORTED.items() for name in fields}


def schema_modules() -> list[object]:
    package = Path(schema.__file__).parent
    names = [m.name for m in pkgutil.walk_packages([str(package)], prefix="schema.")]
    return [importlib.import_module(name) for name in names]


# --- (a) one source per field ----------------------------------------------------------------


def test_every_table_defined_beside_a_type_is_gathered():
    # given every TypeSql any schema module defines, on its own or in its COMPILED (if not every
    # module with tables is in schema.compiled.fields.DECLARED, some are not gathered)
    defined = {}
    for module in schema_modules():
        for name, value in vars(module).items():
            for table in value if name == "COMPILED" else (value,):
                if isinstance(table, TypeSql):
                    defined[id(table)] = f"{module.__name__}.{name}"
    declared = {id(table) for table in DECLARED}
    brought = {id(t) for table in TYPES.values() for f in table.fields.values() for t in f.brings}

    # then each is declared (in its module's COMPILED) or brought by a field (connections)
    forgotten = [where for key, where in defined.items() if key not in declared | brought]
    assert not forgotten, (
        f"tables not gathered, so not compiled: {forgotten}. Put each in its module's COMPILED, and "
        "that in DECLARED (schema.compiled.fields)."
    )


def test_every_supported_field_has_exactly_one_sql_source():
    # given the tables as declared beside the types and resolvers
    declarations: dict[tuple[str, str], int] = {}
    for table in DECLARED:
        for name in table.fields:
            declarations[(table.name, name)] = declarations.get((table.name, name), 0) + 1
    brought = {
        (t.name, name): field
        for table in TYPES.values()
        for f in table.fields.values()
        for t in f.brings
        for name, field in t.fields.items()
    }

    # then no field is declared twice, and what the planner supports is exactly those fields
    assert {key: n for key, n in declarations.items() if n != 1} == {}
    assert supported_fields() == set(declarations) | set(brought)
    assert not set(declarations) & set(brought), "a connection's fields are written by its window only"
    # and each has an encoder
    assert all(callable(SUPPORTED[t][f].encode) for t, f in supported_fields())


def test_a_field_declared_twice_is_refused():
    request = next(table for table in DECLARED if table.name == "Request")
    again = TypeSql("Request", {"title": request.fields["title"]})

    with pytest.raises(ValueError, match="Request.title has SQL in two places"):
        gather([*DECLARED, again])


def test_the_planner_takes_every_field_from_its_table_and_the_statement_builds():
    # given one operation selecting every compiled field
    operation = every_field(SEEDED)
    document = parse(operation.query)
    assert validate(GRAPHQL, document) == []

    # when it is planned
    plan = make_plan(GRAPHQL, document, query_operation(document, None), _variables())

    # then every planned field is written by its table's FieldSql, and every table field is planned
    planned: set[tuple[str, str]] = set()

    def walk(fields: list[PlanField]) -> None:
        for f in fields:
            if f.name != "__typename":
                assert f.sql is SUPPORTED[f.parent][f.name], (f.parent, f.name)
                planned.add((f.parent, f.name))
            walk(f.children)
            for variant in f.variants.values():
                walk(variant)

    walk(plan.fields)
    assert planned == supported_fields()
    # and the compiled statement builds for each kind of viewer (the encoders all write SQL)
    for viewer in _viewers():
        prepared = SCHEMA.tandem_compiler.prepare(_validated(operation), viewer=viewer, dialect=asyncpg_dialect())
        assert prepared is not None
        assert prepared[0].main.text.startswith("SELECT")


# --- (b) the SQL matches the strawberry types -------------------------------------------------


@pytest.mark.parametrize("type_name", sorted(SUPPORTED))
def test_every_sql_field_is_on_its_type_with_the_type_it_writes(type_name):
    graphql_type = GRAPHQL.get_type(type_name)
    assert isinstance(graphql_type, GraphQLObjectType), f"{type_name} is not an object type of the schema"
    table = TYPES[type_name]
    for name, sql in table.fields.items():
        where = f"{type_name}.{name}"
        # the field exists on the strawberry type ...
        assert name in graphql_type.fields, f"{where} has SQL but no such field"
        field = graphql_type.fields[name]
        # ... with the GraphQL type (and nullability) the SQL writes
        assert str(field.type) == sql.writes, f"{where}: the schema has {field.type}, the SQL writes {sql.writes}"
        # arguments are bound exactly when the field takes some
        assert bool(field.args) == (sql.arguments is not None), f"{where}: arguments and binder disagree"
        _check_interface(where, field.type, sql)
        _check_leaf(where, get_named_type(field.type))
        _check_column(where, table, name, sql, non_null=is_non_null_type(field.type))


def _check_interface(where: str, field_type: object, sql: FieldSql) -> None:
    named = get_named_type(field_type)
    if not sql.plan_for:
        assert not isinstance(named, GraphQLInterfaceType | GraphQLUnionType), f"{where}: which type is it planned as?"
        return
    assert isinstance(named, GraphQLInterfaceType)
    for type_name in sql.plan_for:
        assert GRAPHQL.get_type(type_name) in GRAPHQL.get_possible_types(named), where
        assert type_name in SUPPORTED, where


def _check_leaf(where: str, named: GraphQLNamedType) -> None:
    """A scalar the SQL writes as such (schema.compiled.sql.SCALAR_WRITERS); an enum's names need no
    escaping. Any other scalar (JSON, say) needs a writer first."""
    if isinstance(named, GraphQLScalarType):
        assert named.name in SCALAR_WRITERS or named.name == "ID", f"{where}: no SQL writer for {named.name}"
    else:
        assert isinstance(named, GraphQLEnumType | GraphQLObjectType | GraphQLInterfaceType), where


def _check_column(where: str, table: TypeSql, name: str, sql: FieldSql, *, non_null: bool) -> None:
    """A column read as it is exists in the type's rows, and is NOT NULL under a non-null field."""
    if sql.column is None or table.rows is None:
        return
    assert sql.column in table.rows.c, f"{where}: no column {sql.column} in {table.rows.name}"
    if non_null and table.rows.c[sql.column].nullable:
        assert (table.name, name) in GUARDED_COLUMNS, f"{where}: {sql.column} may be NULL, the field may not"


# --- (c) the differential test's generators ---------------------------------------------------


def test_every_field_that_takes_arguments_has_a_way_to_draw_them():
    # given the compiled fields that take arguments
    with_arguments = {key for key in supported_fields() if SUPPORTED[key[0]][key[1]].arguments is not None}

    # then each has an entry in tests/compiled/queries.py's ARGUMENTS, and no entry is left over
    assert sorted(with_arguments - set(ARGUMENTS)) == [], "add how to draw their arguments to ARGUMENTS"
    assert sorted(set(ARGUMENTS) - with_arguments) == [], "ARGUMENTS names fields that take none, or are gone"


def test_the_differential_test_selects_every_supported_field():
    # given the operation the differential test runs besides the drawn ones
    selected = selected_fields(GRAPHQL, every_field(SEEDED).query)

    # then it selects every field the compiled path supports
    missing = supported_fields() - selected
    assert not missing, f"fields the differential test would never compare: {sorted(missing)}"


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(operations(SEEDED, [1, 2, 3], [1, 2, 3, 4]))
def test_drawn_operations_are_valid_and_select_only_what_the_path_knows(operation: Operation):
    document = parse(operation.query)
    assert validate(GRAPHQL, document) == [], operation.query
    # (`... on JourneyMap { name }` under node is the one field on purpose outside the tables)
    selected = selected_fields(GRAPHQL, operation.query) - {("JourneyMap", "name"), ("Node", "id")}
    assert selected <= supported_fields(), operation.query


# --- (d) what falls back ----------------------------------------------------------------------


def read_schema_fields() -> set[tuple[str, str]]:
    """The fields of every object type reachable from Query (interfaces through their types)."""
    found: dict[str, GraphQLObjectType] = {}
    pending: list[GraphQLNamedType] = [GRAPHQL.query_type]
    while pending:
        named = pending.pop()
        if isinstance(named, GraphQLInterfaceType):
            pending += GRAPHQL.get_possible_types(named)
        elif isinstance(named, GraphQLUnionType):
            pending += named.types
        elif isinstance(named, GraphQLObjectType) and named.name not in found:
            found[named.name] = named
            pending += [get_named_type(f.type) for f in named.fields.values()]
    return {(t.name, name) for t in found.values() for name in t.fields}


def listed_fallbacks() -> dict[tuple[str, str], str]:
    listed = {}
    for line in FALLBACK_FILE.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        where, _, reason = line.partition(" ")
        type_name, _, name = where.partition(".")
        assert reason.strip(), f"{where}: give the reason it falls back"
        assert (type_name, name) not in listed, f"{where} is listed twice"
        listed[(type_name, name)] = reason.strip()
    return listed


def test_every_field_that_falls_back_is_listed_with_its_reason():
    # given the fields of the read schema the compiled path does not cover
    falls_back = read_schema_fields() - supported_fields()
    listed = set(listed_fallbacks())

    # then each is listed, and nothing else is
    unlisted = sorted(f"{t}.{f}" for t, f in falls_back - listed)
    assert not unlisted, (
        f"fields without SQL, not listed in {FALLBACK_FILE.name}: {unlisted}. Compile them (SQL beside "
        "the resolver, see CONTRIBUTING.md) or list them with the reason they fall back."
    )
    stale = sorted(f"{t}.{f}" for t, f in listed - falls_back)
    assert not stale, f"listed in {FALLBACK_FILE.name} but compiled now, or gone: {stale}. Take them off."


def test_every_compiled_type_is_in_the_read_schema():
    assert supported_fields() <= read_schema_fields()


# --- support ------------------------------------------------------------------------------------


def _variables() -> VariableValues:
    variables = get_variable_values(GRAPHQL, (), {})
    assert isinstance(variables, VariableValues)
    return variables


def _validated(operation: Operation) -> ValidatedOperation:
    return ValidatedOperation(
        schema=SCHEMA,
        query=operation.query,
        graphql_document=parse(operation.query),
        operation_name=None,
        variables=operation.variables,
    )


def _viewers() -> list[Person]:
    return [
        Person(id=1, name="Ada", email="ada@example.org", role=Role.ADMIN, department_id=None),
        Person(id=2, name="Bo", email="bo@example.org", role=Role.AGENT, department_id=1),
        Person(id=3, name="Cy", email="cy@example.org", role=Role.MANAGER, department_id=2),
        Person(id=4, name="Di", email="di@example.org", role=Role.REQUESTER, department_id=None),
    ]
