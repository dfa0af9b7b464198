"""The hooks: after parsing and validation (same limits, same document), a query the compiler
covers is answered with the JSON text of its `data`, and a mutation the direct path covers runs
there (schema.compiled.mutations); anything else executes normally."""
from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from schema.compiled.compiler import Compiler
from schema.compiled.mutations import DirectMutations


class RawJson:
    """`data` as JSON text from the database, for the HTTP view to relay as is."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class CompiledReads(SchemaExtension):
    def __init__(self, compiler: Compiler):
        self.compiler = compiler

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        context = ec.context
        # Only where the caller can relay text (the HTTP view), and only for a signed-in viewer:
        # without one, normal execution answers UNAUTHENTICATED. The compiler takes queries only.
        if (getattr(context, "compiled_reads", False) and context.viewer is not None
                and ec.operation_type is OperationType.QUERY):
            text = await self.compiler.run(ec, viewer=context.viewer, reader=context.reader)
            if text is not None:
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
