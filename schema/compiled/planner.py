"""From a validated query to a plan: the response keys of every object, in the order normal
execution writes them (graphql-core's own field collection: fragments, @include/@skip, merging),
restricted to the fields the compiler knows (schema.compiled.fields.SUPPORTED: the tables beside
the strawberry types).

Root field by root field: a root field with anything the compiler does not know below it (or whose
arguments this run binds to normal execution's errors, `excluded`) is left to normal execution,
and the plan says which (`Plan.normal`, run by schema.compiled.mixed). When nothing but
`__typename` is left to compile, or the operation uses @defer, it raises Unsupported: all of it
executes normally."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableValues,
    get_named_type,
)

from compat import FieldDetails, FragmentDetails, collect_fields, collect_subfields
from schema.compiled.fields import SUPPORTED
from schema.compiled.sql import FieldSql

_NONE: dict[str, FieldSql] = {}


class Unsupported(Exception):
    """The compiler does not cover this operation (or this root field): execute it normally."""


class Indivisible(Unsupported):
    """Nothing of this operation is compiled, whatever its root fields: @defer (its payloads are
    normal execution's), or a root field spread with fragment arguments (its nodes cannot be
    lifted out of their fragment)."""


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
    fields: list[PlanField]  # the compiled root fields
    sites: list[PlanField]
    # The root key each site is under (a site whose arguments fall back leaves its root to normal execution).
    site_roots: list[str] = field(default_factory=list)
    # Every root response key, in the order normal execution writes them.
    keys: tuple[str, ...] = ()
    # The root keys normal execution answers, with their field nodes (empty: all compiled), and the
    # document it runs for them (schema.compiled.mixed).
    normal: dict[str, list[FieldNode]] = field(default_factory=dict)
    rest: DocumentNode | None = None

    @property
    def mixed(self) -> bool:
        return bool(self.normal)


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
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: VariableValues,
    *,
    excluded: frozenset[str] = frozenset(),
) -> Plan:
    """`excluded`: root keys left to normal execution whatever they select."""
    fragments = {
        d.name.value: FragmentDetails(d) for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    planner = _Planner(schema, fragments, variables, operation)
    query_type = schema.query_type
    assert query_type is not None
    collected = collect_fields(schema, fragments, variables, query_type, operation)
    if collected.new_defer_usages:
        raise Indivisible("@defer")
    plan = Plan(operation=operation, fields=[], sites=planner.sites, keys=tuple(collected.grouped_field_set))
    for key, details in collected.grouped_field_set.items():
        planned = planner.root(query_type, key, details) if key not in excluded else None
        if planned is not None:
            plan.fields.append(planned)
            plan.site_roots += [key] * (len(planner.sites) - len(plan.site_roots))
        elif any(d.fragment_variable_values is not None for d in details):
            raise Indivisible("fragment arguments")
        else:
            plan.normal[key] = [d.node for d in details]
    if all(f.name == "__typename" for f in plan.fields):
        raise Unsupported("nothing to read: normal execution needs no database")
    if plan.normal:
        plan.rest = _rest_document(document, operation, plan.normal)
    return plan


def _rest_document(
    document: DocumentNode, operation: OperationDefinitionNode, normal: dict[str, list[FieldNode]]
) -> DocumentNode:
    """The operation with only the root fields normal execution answers: their own nodes, lifted
    out of the root's fragments (whose type conditions and @include/@skip chose them already; a
    node's own directives choose it again, with the same variables). Every fragment stays, for the
    selections below; the nodes keep their locations, so errors point where they did."""
    selections = tuple(node for nodes in normal.values() for node in nodes)
    rest = replace(operation, selection_set=SelectionSetNode(selections=selections))
    fragments = tuple(d for d in document.definitions if isinstance(d, FragmentDefinitionNode))
    return DocumentNode(definitions=(rest, *fragments))


@dataclass
class _Planner:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDetails]
    variables: VariableValues
    operation: OperationDefinitionNode
    sites: list[PlanField] = field(default_factory=list)

    def root(self, query_type: GraphQLObjectType, key: str, details: list[FieldDetails]) -> PlanField | None:
        """The root field planned, or None when normal execution answers it (nothing of it is kept)."""
        mark = len(self.sites)
        try:
            return self.field(query_type, key, details)
        except Indivisible:
            raise
        except Unsupported:
            del self.sites[mark:]
            return None

    def fields(
        self, parent: GraphQLObjectType, grouped: dict[str, list[FieldDetails]], defers: list
    ) -> list[PlanField]:
        if defers:
            raise Indivisible("@defer")
        return [self.field(parent, key, details) for key, details in grouped.items()]

    def field(self, parent: GraphQLObjectType, key: str, details: list[FieldDetails]) -> PlanField:
        name = details[0].node.name.value
        if any(d.defer_usage is not None for d in details):
            raise Indivisible("@defer")
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
