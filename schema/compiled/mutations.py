"""Mutations run directly: the root resolver called as normal execution calls it, and its payload
completed without graphql-core's executor and strawberry's per-field machinery.

A mutation's own work is about a millisecond of Python and SQL; running it through the executor
cost as much again (an Info and the field extensions per field, the permission extension,
argument conversion through them, completion with its awaitable checks). For an operation with
one root mutation field whose payload selects only fields without arguments on object types
(and `__typename`), this runs the same steps itself:

1. the root field's arguments, coerced by graphql-core and converted by strawberry (the calls
   normal execution makes);
2. its resolver, with the root value and an `info` that holds the context (every resolver here
   reads only `info.context`). Only signed-in viewers come here, so the root permission holds;
3. the payload's completion by the spec's value completion, as graphql-core does it: non-null
   checks, lists, leaves through their types' output coercion, `is_type_of`, each field's
   resolver called with what strawberry would hand it, siblings awaited together (dataloaders
   batch as before). Errors are located (message, nodes, path) and nulls propagate as there,
   and then coded and masked by the same extension.

Anything else (several root fields, a payload field with arguments or field extensions, an
interface, @defer, operation directives) executes normally. That is decided before anything runs,
so a mutation never runs twice. tests/compiled/test_direct_mutations.py compares both ways.

It runs in two places. Inside strawberry's execution, as an extension's `on_execute` (after
parsing and validation). And, for a document that has been validated there once (validation
depends only on the text, the schema and its fixed rules), straight from the HTTP view
(`answer`), without strawberry's per-operation execution context and seven extensions' hooks.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    OperationDefinitionNode,
    OperationType,
    Undefined,
    VariableValues,
    get_argument_values,
    get_named_type,
    get_variable_values,
    is_leaf_type,
    is_non_null_type,
    located_error,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.pyutils import Path
from graphql.pyutils import inspect as describe
from strawberry.permission import PermissionExtension
from strawberry.types import ExecutionResult

from compat import (
    CollectedErrors,
    FieldDetails,
    FragmentDetails,
    StrawberryField,
    collect_fields,
    collect_subfields,
    get_arguments,
    graphql_schema,
    invalid_return_type_error,
    strawberry_definition,
)
from schema.compiled.cache import CACHE_BYTES, Lru, document_bytes
from schema.compiled.directives import directive_variables, directive_variables_bytes
from schema.compiled.inputs import argument_converter
from schema.extensions import finished_errors
from schema.permissions import SignedIn


class Unsupported(Exception):
    """Not run directly: execute normally."""


@dataclass(eq=False)
class Selected:
    """One response key of an object: the field, its type and, for objects, what it selects."""

    key: str
    name: str
    parent: GraphQLObjectType
    nodes: list[FieldNode]
    type: GraphQLOutputType | None  # None for __typename
    field: StrawberryField | None
    children: list[Selected] | None = None  # for object types


@dataclass(eq=False)
class MutationPlan:
    root: Selected
    definition: GraphQLField  # the root field's, for its arguments
    convert: Callable[[dict[str, Any]], dict[str, Any]] | None  # its arguments to inputs (None: strawberry's)


class ResolverInfo:
    """The `info` resolvers are handed here: every resolver in this schema reads only its context,
    and the root field's its name too (schema.commands names the command's span after it)."""

    __slots__ = ("context", "field_name")

    def __init__(self, context: Any, field_name: str | None = None):
        self.context = context
        self.field_name = field_name


class DirectMutations:
    def __init__(self, *, plans: int = 256, max_bytes: int = CACHE_BYTES):
        # A plan holds the document's nodes (and so the whole document): counted whole.
        self.plans: Lru[Any, MutationPlan | None] = Lru(
            entries=plans, max_bytes=max_bytes, weigh=lambda key, _: document_bytes(key[0]) + len(key[1] or "")
        )
        self.directive_variables: Lru[str, tuple[str, ...]] = Lru(
            entries=plans, max_bytes=max_bytes, weigh=directive_variables_bytes
        )
        # Mutation documents that passed validation.
        self.validated: Lru[str, DocumentNode] = Lru(
            entries=plans, max_bytes=max_bytes, weigh=lambda query, _: document_bytes(query)
        )
        self.answered = 0  # operations `answer` ran (what operators and tests can read)

    def remember(self, query: str, document: DocumentNode) -> None:
        """`query` parsed and passed validation (strawberry's, with the schema's limits)."""
        self.validated.put(query, document)

    async def answer(
        self,
        schema: Any,
        query: str | None,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        context: Any,
        root_value: Any = None,
    ) -> Any:
        """The strawberry result of a mutation validated before, run directly, its errors coded and
        logged as normal execution codes and logs them; None: execute normally."""
        document = self.validated.peek(query) if query is not None else None
        if document is None or getattr(context, "viewer", None) is None:
            return None
        planned = self.plan(schema, query, document, operation_name, variables)
        result = await self.run(schema, *planned, context, root_value) if planned is not None else None
        if result is None:
            return None
        self.answered += 1
        return ExecutionResult(data=result.data, errors=finished_errors(schema, result.errors))

    def plan(
        self,
        schema: Any,
        query: str,
        document: DocumentNode,
        operation_name: str | None,
        variables: dict[str, Any] | None,
    ) -> tuple[MutationPlan, VariableValues] | None:
        """The plan for this run, with the coerced variables; None: execute normally."""
        operation = _mutation(document, operation_name)
        if operation is None:
            return None
        coerced = get_variable_values(graphql_schema(schema), operation.variable_definitions or (), variables or {})
        if isinstance(coerced, list):  # bad variables: normal execution reports them
            return None
        names = self.directive_variables.get(query, lambda: directive_variables(document))
        key = (query, operation_name, tuple(coerced.coerced.get(n) for n in names))
        plan = self.plans.get(key, lambda: _plan_or_none(schema, document, operation, coerced))
        return None if plan is None else (plan, coerced)

    async def run(
        self, schema: Any, plan: MutationPlan, variables: VariableValues, context: Any, root_value: Any = None
    ) -> GraphQLExecutionResult | None:
        """The operation's result; None (before anything ran) when normal execution must answer."""
        root = plan.root
        info = ResolverInfo(context, root.name)
        try:
            arguments = get_argument_values(plan.definition, root.nodes[0], variables)
            if plan.convert is not None:
                kwargs = plan.convert(arguments)
                args = _inject(root.field, root_value, info, kwargs)
            else:
                args, kwargs = _arguments(schema, root.field, root_value, info, arguments)
        except Exception:  # noqa: BLE001 - normal execution reports it, at the same place
            return None
        completion = _Completion(schema, ResolverInfo(context))
        path = Path(None, root.key, root.parent.name)
        try:
            try:
                value = root.field.get_result(root_value, info=info, args=args, kwargs=kwargs)
                completed = await completion.value(root, path, value)
            except Exception as raw:  # noqa: BLE001 - located, as graphql-core locates it
                completed = completion.field_error(raw, root, path)
            data: dict[str, Any] | None = {root.key: completed}
        except GraphQLError as error:  # a null reached the non-null root: no data at all
            completion.errors.add(error, None)
            data = None
        return GraphQLExecutionResult(data, completion.errors.errors or None)


class _Completion:
    """Value completion for one payload (the spec's CompleteValue, as graphql-core runs it)."""

    def __init__(self, schema: Any, info: ResolverInfo):
        self.schema, self.info = schema, info
        self.errors = CollectedErrors()

    def field_error(self, raw: Exception, selected: Selected, path: Path) -> None:
        error = located_error(raw, selected.nodes, path.as_list())
        if is_non_null_type(selected.type):
            raise error
        self.errors.add(error, path)
        return None

    async def value(self, selected: Selected, path: Path, result: Any) -> Any:
        if inspect.isawaitable(result):
            result = await result
        return await self.complete(selected.type, selected, path, result)

    async def complete(self, type_: Any, selected: Selected, path: Path, result: Any) -> Any:
        if isinstance(result, Exception):
            raise result
        if isinstance(type_, GraphQLNonNull):
            completed = await self.complete(type_.of_type, selected, path, result)
            if completed is None:
                raise TypeError(f"Cannot return null for non-nullable field {selected.parent}.{selected.name}.")
            return completed
        if result is None:
            return None
        if isinstance(type_, GraphQLList):
            items = [
                self.item(type_.of_type, selected, path.add_key(index, None), item) for index, item in enumerate(result)
            ]
            if len(items) < 2 or is_leaf_type(get_named_type(type_.of_type)):
                return [await item for item in items]
            # Together, as graphql-core completes list items: their dataloaders batch (one
            # statement for every item's author, not one each).
            completed = await asyncio.gather(*items, return_exceptions=True)
            for value in completed:
                if isinstance(value, BaseException):
                    raise value
            return completed
        if is_leaf_type(type_):
            return _leaf(type_, result)
        if type_.is_type_of and not type_.is_type_of(result, None):
            raise invalid_return_type_error(type_, result, [FieldDetails(n, None) for n in selected.nodes])
        return await self.object(selected.children or [], path, result)

    async def item(self, type_: Any, selected: Selected, path: Path, result: Any) -> Any:
        try:
            return await self.complete(type_, selected, path, result)
        except Exception as raw:  # noqa: BLE001 - as graphql-core's list items
            error = located_error(raw, selected.nodes, path.as_list())
            if is_non_null_type(type_):
                raise error from None
            self.errors.add(error, path)
            return None

    async def object(self, children: list[Selected], path: Path, source: Any) -> dict[str, Any]:
        data: dict[str, Any] = {}
        waiting: list[tuple[str, Any]] = []
        for child in children:
            child_path = path.add_key(child.key, child.parent.name)
            if child.field is None:
                data[child.key] = child.parent.name
                continue
            try:
                result = _resolve(self.schema, child.field, source, self.info)
                if inspect.isawaitable(result):
                    data[child.key] = None  # keeps the key's place: completions may end in any order
                    waiting.append((child.key, self.guarded(child, child_path, result)))
                    continue
                data[child.key] = await self.complete(child.type, child, child_path, result)
            except Exception as raw:  # noqa: BLE001
                data[child.key] = self.field_error(raw, child, child_path)
        if len(waiting) == 1:
            key, completion = waiting[0]
            data[key] = await completion
        elif waiting:
            # Together, as graphql-core awaits sibling fields: their dataloaders batch.
            results = await asyncio.gather(*(c for _, c in waiting), return_exceptions=True)
            for (key, _), result in zip(waiting, results, strict=False):
                if isinstance(result, BaseException):
                    raise result
                data[key] = result
        return data

    async def guarded(self, selected: Selected, path: Path, result: Any) -> Any:
        try:
            return await self.value(selected, path, result)
        except Exception as raw:  # noqa: BLE001
            return self.field_error(raw, selected, path)


def _leaf(type_: Any, result: Any) -> Any:
    coerced = type_.coerce_output_value(result)
    if coerced is Undefined or coerced is None:
        raise TypeError(
            f"Expected `{describe(type_)}.coerce_output_value({describe(result)})` to return"
            f" non-nullable value, returned: {describe(coerced)}"
        )
    return coerced


def _arguments(
    schema: Any, field: StrawberryField, source: Any, info: Any, arguments: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    return get_arguments(
        field=field,
        source=source,
        info=info,
        kwargs=arguments,
        config=schema.config,
        scalar_registry=schema.schema_converter.scalar_registry,
    )


def _inject(field: StrawberryField, source: Any, info: Any, kwargs: dict[str, Any]) -> list[Any]:
    """What strawberry's get_arguments adds to a resolver's converted arguments: the source as
    `self` (the positional arguments returned), `root` or `parent`, and `info`."""
    resolver = field.base_resolver
    if resolver is None:
        return []
    if (parent := resolver.parent_parameter) is not None:
        kwargs[parent.name] = source
    if (root := resolver.root_parameter) is not None:
        kwargs[root.name] = source
    if (info_parameter := resolver.info_parameter) is not None:
        kwargs[info_parameter.name] = info
    return [source] if resolver.self_parameter else []


def _resolve(schema: Any, field: StrawberryField, source: Any, info: Any) -> Any:
    if field.base_resolver is None:
        return field.get_result(source, info=None, args=[], kwargs={})
    kwargs: dict[str, Any] = {}  # planned fields take no arguments
    return field.get_result(source, info=info, args=_inject(field, source, info, kwargs), kwargs=kwargs)


# -- planning ------------------------------------------------------------------------------------------


def _mutation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        operation = operations[0] if len(operations) == 1 else None
    else:
        operation = next((o for o in operations if o.name and o.name.value == operation_name), None)
    return operation if operation is not None and operation.operation is OperationType.MUTATION else None


def _plan_or_none(
    schema: Any, document: DocumentNode, operation: OperationDefinitionNode, variables: VariableValues
) -> MutationPlan | None:
    try:
        return _Planner(schema, document, operation, variables).plan()
    except Unsupported:
        return None


class _Planner:
    def __init__(
        self, schema: Any, document: DocumentNode, operation: OperationDefinitionNode, variables: VariableValues
    ):
        self.schema, self.operation, self.variables = schema, operation, variables
        self.graphql = graphql_schema(schema)
        self.fragments = {
            d.name.value: FragmentDetails(d) for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def plan(self) -> MutationPlan:
        if self.operation.directives:
            raise Unsupported("operation directives")
        mutation_type = self.graphql.mutation_type
        collected = collect_fields(self.graphql, self.fragments, self.variables, mutation_type, self.operation)
        if collected.new_defer_usages or len(collected.grouped_field_set) != 1:
            raise Unsupported("one root field, no @defer")
        ((key, details),) = collected.grouped_field_set.items()
        name = details[0].node.name.value
        if name == "__typename":
            raise Unsupported("__typename alone")
        field = _strawberry_field(self.schema, mutation_type, name)
        if not _signed_in_only(field):
            raise Unsupported("a root permission other than signed-in")
        root = self.selected(mutation_type, key, details, field)
        return MutationPlan(
            root=root, definition=mutation_type.fields[name], convert=argument_converter(self.schema, field)
        )

    def selected(
        self, parent: GraphQLObjectType, key: str, details: list[FieldDetails], field: StrawberryField
    ) -> Selected:
        if any(d.defer_usage is not None for d in details):
            raise Unsupported("@defer")
        name = details[0].node.name.value
        type_ = parent.fields[name].type
        selected = Selected(key=key, name=name, parent=parent, nodes=[d.node for d in details], type=type_, field=field)
        named = get_named_type(type_)
        if is_leaf_type(named):
            return selected
        if not isinstance(named, GraphQLObjectType):
            raise Unsupported("an abstract type")
        sub = collect_subfields(self.graphql, self.fragments, self.variables, self.operation, named, details)
        if sub.new_defer_usages:
            raise Unsupported("@defer")
        selected.children = [self.child(named, k, d) for k, d in sub.grouped_field_set.items()]
        return selected

    def child(self, parent: GraphQLObjectType, key: str, details: list[FieldDetails]) -> Selected:
        name = details[0].node.name.value
        if name == "__typename":
            return Selected(key=key, name=name, parent=parent, nodes=[d.node for d in details], type=None, field=None)
        if parent.fields[name].args:
            raise Unsupported(f"{parent.name}.{name} takes arguments")
        field = _strawberry_field(self.schema, parent, name)
        if field.extensions:
            raise Unsupported(f"{parent.name}.{name} has field extensions")
        return self.selected(parent, key, details, field)


def _strawberry_field(schema: Any, parent: GraphQLObjectType, name: str) -> StrawberryField:
    definition = strawberry_definition(parent)
    if definition is None:
        raise Unsupported(f"{parent.name} is not a strawberry type")
    for field in definition.fields:
        if schema.config.name_converter.get_graphql_name(field) == name:
            return field
    raise Unsupported(f"{parent.name}.{name} not found")


def _signed_in_only(field: StrawberryField) -> bool:
    return (
        len(field.extensions) == 1
        and isinstance(field.extensions[0], PermissionExtension)
        and [type(p) for p in field.extensions[0].permissions] == [SignedIn]
    )
