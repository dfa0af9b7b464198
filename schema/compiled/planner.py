"""From a validated query to a plan: the response keys of every object, in the order normal
execution writes them (graphql-core's own field collection: fragments, @include/@skip, merging),
restricted to the fields the compiler knows. Anything else raises Unsupported."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
)
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_fields, collect_subfields
from graphql.execution.values import VariableValues

# What the compiler knows, per object type: everything here is plain SQL (see objects.py and
# connections.py). Fields with resolver logic that is not SQL are deliberately absent.
SUPPORTED: dict[str, frozenset[str]] = {
    "Query": frozenset({"requests", "node"}),
    "RequestConnection": frozenset({"edges", "pageInfo", "totalCount"}),
    "RequestEdge": frozenset({"cursor", "node"}),
    "CommentConnection": frozenset({"edges", "pageInfo", "totalCount"}),
    "CommentEdge": frozenset({"cursor", "node"}),
    "EventConnection": frozenset({"edges", "pageInfo", "totalCount"}),
    "EventEdge": frozenset({"cursor", "node"}),
    "PageInfo": frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"}),
    "Request": frozenset(
        {
            "id",
            "number",
            "title",
            "description",
            "status",
            "priority",
            "version",
            "createdAt",
            "updatedAt",
            "resolvedAt",
            "sla",
            "satisfaction",
            "service",
            "requester",
            "assignee",
            "ownerDepartment",
            "fields",
            "tasks",
            "comments",
            "activity",
            "watchers",
            "requestType",
        }
    ),
    "RequestType": frozenset({"id", "name", "fields", "sla", "taskTemplates", "service"}),
    "FieldDefinition": frozenset({"key", "label", "kind", "required", "options", "agentOnly"}),
    "SlaPolicy": frozenset({"responseMinutes", "resolutionMinutes"}),
    "TaskTemplate": frozenset({"title", "department"}),
    # Event.request and Event.journeyRun are not compiled (journey runs have their own visibility).
    "Event": frozenset({"id", "cursor", "type", "occurredAt", "summary", "actor"}),
    "SlaStatus": frozenset({"responseDueAt", "resolutionDueAt", "paused", "breached"}),
    "Satisfaction": frozenset({"score", "comment"}),
    "FieldValue": frozenset({"key", "value"}),
    "Service": frozenset({"id", "name", "description", "active", "ownerDepartment"}),
    "Department": frozenset({"id", "name", "slug"}),
    "Person": frozenset({"id", "name", "email", "role", "department"}),
    "Task": frozenset({"id", "title", "status", "createdAt", "completedAt", "department", "assignee"}),
    "Comment": frozenset({"id", "body", "internal", "createdAt", "author"}),
}
# Fields whose arguments are bound at run time (the "sites" of a plan).
WITH_ARGUMENTS = frozenset({("Query", "requests"), ("Query", "node"), ("Request", "comments"), ("Request", "activity")})
# `node` returns an interface: the plan is made for this runtime type, and a run whose ID names
# another type falls back.
NODE_TYPE = "Request"


class Unsupported(Exception):
    """The compiler does not cover this operation: execute it normally."""


@dataclass(eq=False)
class PlanField:
    key: str  # the response key (alias or name)
    name: str
    parent: str  # the object type the field is on
    type_name: str  # the named type it returns
    details: list[FieldDetails]
    children: list[PlanField] = field(default_factory=list)
    site: int | None = None  # index of its bound arguments, for fields that take some


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
        if name not in SUPPORTED.get(parent.name, ()):
            raise Unsupported(f"{parent.name}.{name}")
        named = get_named_type(parent.fields[name].type)
        planned = PlanField(key=key, name=name, parent=parent.name, type_name=named.name, details=details)
        if (parent.name, name) in WITH_ARGUMENTS:
            planned.site = len(self.sites)
            self.sites.append(planned)
        if (parent.name, name) == ("Query", "node"):
            named = self.schema.get_type(NODE_TYPE)
            planned.type_name = NODE_TYPE
        if isinstance(named, GraphQLObjectType):
            sub = collect_subfields(self.schema, self.fragments, self.variables, self.operation, named, details)
            planned.children = self.fields(named, sub.grouped_field_set, sub.new_defer_usages)
        return planned
