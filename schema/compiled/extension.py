"""The hooks: after parsing and validation (same limits, same document), a query the compiler
covers is answered with the JSON text of its `data`, and a mutation the direct path covers runs
there (schema.compiled.mutations); anything else executes normally. Once a document has been
answered so, the HTTP view answers it again through `answer_validated`, before strawberry runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from compat import OperationType, graphql_schema
from schema.compiled.compiler import Compiler
from schema.compiled.mutations import DirectMutations
from schema.context import Context
from schema.extensions import finished_errors
from schema.limits.budgets import Charge


class RawJson:
    """`data` as JSON text from the database, for the HTTP view to relay as is."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


@dataclass(frozen=True)
class ValidatedOperation:
    """An operation whose document passed validation before, as the compiler reads it (the parts of
    strawberry's execution context it uses)."""

    schema: Any
    query: str
    graphql_document: DocumentNode
    operation_name: str | None
    variables: dict[str, Any] | None


async def answer_validated(
    schema: Any,
    query: str | None,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    context: Any,
    *,
    method: str,
) -> Any:
    """An operation validated once before, answered without strawberry's execution (its context,
    its extensions' hooks, graphql-core's executor): a compiled read, or a direct mutation sent
    with POST. None: execute normally. Validation depends only on the document's text, the schema
    and its fixed rules, so a document that passed once passes again; its cost depends on the
    variables too, so that is checked, and charged, here, before anything runs."""
    if query is None or getattr(context, "viewer", None) is None:
        return None
    compiler = getattr(schema, "tandem_compiler", None)
    document = compiler.validated.peek(query) if compiler is not None else None
    if document is not None and getattr(context, "compiled_reads", False):
        _note(context, document, operation_name)
        refused = _charge_or_refuse(schema, query, document, operation_name, variables, context)
        if refused is not None:
            return refused
        operation = ValidatedOperation(schema, query, document, operation_name, variables)
        text = await compiler.run(operation, viewer=context.viewer, reader=context.reader, now=context.now())
        if text is not None:
            return ExecutionResult(data=RawJson(text), errors=None, extensions=_cost(context.cost))
    if method == "POST":
        return await _answer_directly(schema, query, operation_name, variables, context)
    return None


async def _answer_directly(
    schema: Any, query: str, operation_name: str | None, variables: dict[str, Any] | None, context: Any
) -> Any:
    direct = getattr(schema, "tandem_direct", None)
    document = direct.validated.peek(query) if direct is not None else None
    if document is None:
        return None
    _note(context, document, operation_name)
    refused = _charge_or_refuse(schema, query, document, operation_name, variables, context)
    if refused is not None:
        return refused
    result = await direct.answer(schema, query, operation_name, variables, context)
    if result is not None:
        result.extensions = _cost(context.cost)
    return result


def _note(context: Any, document: DocumentNode, operation_name: str | None) -> None:
    if isinstance(context, Context):  # what ran, for the access log and metrics
        context.note_operation(document, operation_name)


def _charge_or_refuse(
    schema: Any,
    query: str,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    context: Any,
) -> ExecutionResult | None:
    """This run's cost checked and charged to the viewer, once (context.cost); the refusal, if any."""
    limits = schema.tandem_limits.documents
    errors, cost = limits.limit_errors(
        graphql_schema(schema), query, document, operation_name=operation_name, variables=variables
    )
    report = Charge(cost, limits.max_cost) if cost is not None else None
    if not errors and cost is not None:
        report, errors = limits.charge_once(cost, context)
    if not errors:
        return None
    return ExecutionResult(data=None, errors=finished_errors(schema, errors), extensions=_cost(report))


def _cost(charge: Charge | None) -> dict[str, Any] | None:
    return {"cost": charge.report()} if charge is not None else None


class CompiledReads(SchemaExtension):
    def __init__(self, compiler: Compiler):
        self.compiler = compiler

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        context = ec.context
        # Only where the caller can relay text (the HTTP view), and only for a signed-in viewer:
        # without one, normal execution answers UNAUTHENTICATED. The compiler takes queries only.
        if (
            getattr(context, "compiled_reads", False)
            and context.viewer is not None
            and ec.operation_type is OperationType.QUERY
        ):
            text = await self.compiler.run(ec, viewer=context.viewer, reader=context.reader, now=context.now())
            if text is not None:
                self.compiler.validated.put(ec.query, ec.graphql_document)
                ec.result = ExecutionResult(data=RawJson(text), errors=None)
        yield


class DirectlyRunMutations(SchemaExtension):
    def __init__(self, direct: DirectMutations):
        self.direct = direct

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        context = ec.context
        # A signed-in viewer only: without one, normal execution answers UNAUTHENTICATED.
        if getattr(context, "viewer", None) is not None and ec.graphql_document is not None:
            if ec.query is not None and ec.operation_type is OperationType.MUTATION:
                self.direct.remember(ec.query, ec.graphql_document)
            planned = self.direct.plan(ec.schema, ec.query, ec.graphql_document, ec.operation_name, ec.variables)
            if planned is not None:
                result = await self.direct.run(ec.schema, *planned, context, ec.root_value)
                if result is not None:
                    ec.result = result
        yield
