"""The hook: after parsing and validation (same limits, same document), a query the compiler
covers is answered with the JSON text of its `data`; anything else executes normally."""
from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from schema.compiled.compiler import Compiler


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
        if getattr(context, "compiled_reads", False) and context.viewer is not None:
            text = await self.compiler.run(ec, viewer=context.viewer, reader=context.reader)
            if text is not None:
                ec.result = ExecutionResult(data=RawJson(text), errors=None)
        yield
