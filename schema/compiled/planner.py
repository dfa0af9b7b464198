"""From a validated query to a plan: the response keys of every object, in the order normal
execution writes them (graphql-core's own field collection: fragments, @include/@skip, merging),
restricted to the fields the compiler knows (schema.compiled.fields.SUPPORTED: the tables beside
the strawberry types). Anything else raises Unsupported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableValues,
    get_named_type,
)

from compat import FieldDetails, FragmentDetails, collect_fields, collect_subfields
from schema.compiled.fields import SUPPORTED
from schema.compiled.sql import FieldSql

_NONE: dict[str, FieldSql] = {}


class Unsupported(Exception):
    """The compiler does not cover this operation: execute it normally."""


@dataclass(eq=False)
class PlanField:
    key: str  # the response key (alias or name)
    name: str
    parent: str  # the object type the field is on
    type_name: str  # the named type it returns
    details: list[FieldDetails]
    sql: FieldSql | None = None  # how it is written (None: __typename)
    children: list[PlanField] = field(default_factory=list)
    site: int | None = None  # index of its bound arguments, for fields that take some
    # An interface's field (FieldSql.plan_for): the selection for each type it may be, by type.
    variants: dict[str, list[PlanField]] = field(default_factory=dict)

    @property
    def bound_site(self) -> int:
        """`site`, for a field that takes arguments (the planner bound them)."""
        assert self.site is not None, f"{self.parent}.{self.name} takes no arguments"
        return self.site


@dataclass(eq=False)
class Plan:
    operation: OperationDefinitionNode
    fields: list[PlanField]
    sites: list[PlanField]


def query_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) != 1:
            raise Unsupported("no single operation")
        operation = operations[0]
    else:
        matching = [o for o in operations if o.name and o.name.value == operation_name]
        if not matching:
            raise Unsupported("no such operation")
        operation = matching[0]
    if operation.operation is not OperationType.QUERY:
        raise Unsupported("only queries are compiled")
    return operation


def make_plan(
    schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: VariableValues
) -> Plan:
    fragments = {
        d.name.value: FragmentDetails(d) for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    planner = _Planner(schema, fragments, variables, operation)
    query_type = schema.query_type
    assert query_type is not None
    collected = collect_fields(schema, fragments, variables, query_type, operation)
    fields = planner.fields(query_type, collected.grouped_field_set, collected.new_defer_usages)
    if all(f.name == "__typename" for f in fields):
        raise Unsupported("nothing to read: normal execution needs no database")
    return Plan(operation=operation, fields=fields, sites=planner.sites)


@dataclass
class _Planner:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDetails]
    variables: VariableValues
    operation: OperationDefinitionNode
    sites: list[PlanField] = field(default_factory=list)

    def fields(
        self, parent: GraphQLObjectType, grouped: dict[str, list[FieldDetails]], defers: list
    ) -> list[PlanField]:
        if defers:
            raise Unsupported("@defer")
        return [self.field(parent, key, details) for key, details in grouped.items()]

    def field(self, parent: GraphQLObjectType, key: str, details: list[FieldDetails]) -> PlanField:
        name = details[0].node.name.value
        if any(d.defer_usage is not None for d in details):
            raise Unsupported("@defer")
        if name == "__typename":
            return PlanField(key=key, name=name, parent=parent.name, type_name="String", details=details)
        sql = SUPPORTED.get(parent.name, _NONE).get(name)
        if sql is None:
            raise Unsupported(f"{parent.name}.{name}")
        named = get_named_type(parent.fields[name].type)
        planned = PlanField(key=key, name=name, parent=parent.name, type_name=named.name, details=details, sql=sql)
        if sql.arguments is not None:
            planned.site = len(self.sites)
            self.sites.append(planned)
        # An interface (node): a selection per type it is planned for; its binder makes a run whose
        # ID names any other type fall back.
        for type_name in sql.plan_for:
            planned.variants[type_name] = self.selection(self.schema.get_type(type_name), details)
        if isinstance(named, GraphQLObjectType):
            planned.children = self.selection(named, details)
        return planned

    def selection(self, named: Any, details: list[FieldDetails]) -> list[PlanField]:
        assert isinstance(named, GraphQLObjectType)
        sub = collect_subfields(self.schema, self.fragments, self.variables, self.operation, named, details)
        return self.fields(named, sub.grouped_field_set, sub.new_defer_usages)
