"""Error hygiene: every error carries a code; unexpected ones are masked and logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from compat import OperationType, provided_operation_name
from db.failures import FAILURE_MESSAGES, describe, failure_code
from schema.context import Context
from schema.errors import ApiError

log = logging.getLogger("tandem.graphql")
MASKED = "Unexpected error."


def _expected(error: GraphQLError) -> bool:
    original = error.original_error
    # GraphQLErrors raised on purpose (ours, strawberry permission denials) carry their own message;
    # the database's being slow or away is not a bug either (logged apart, without a traceback).
    return original is None or isinstance(original, (ApiError, GraphQLError)) or failure_code(original) is not None


class CodedErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        if isinstance(context.context, Context):  # what ran, for the access log and metrics
            context.context.note_operation(context.graphql_document, context.operation_name)
        result = context.result
        if result is None or not result.errors:
            return
        result.errors = [coded(e) for e in result.errors]


def coded(error: GraphQLError) -> GraphQLError:
    failure = failure_code(error.original_error)
    if failure is not None:
        log.warning("database failure: %s", describe(error.original_error), extra={"code": failure})
        return GraphQLError(FAILURE_MESSAGES[failure], nodes=error.nodes, path=error.path, extensions={"code": failure})
    if not _expected(error):
        log.error("unexpected error", exc_info=error.original_error)
        return GraphQLError(MASKED, nodes=error.nodes, path=error.path, extensions={"code": "INTERNAL_SERVER_ERROR"})
    extensions = dict(error.extensions or {})
    if "code" not in extensions:
        extensions["code"] = _default_code(error)
    error.extensions = extensions
    return error


def _default_code(error: GraphQLError) -> str:
    # graphql-core wraps a scalar's coded refusal of a variable (schema.scalars) in its own error.
    original = error.original_error
    if isinstance(original, GraphQLError) and (original.extensions or {}).get("code"):
        return original.extensions["code"]
    # Clients fix a syntax error differently from a document that names unknown fields.
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    return "GRAPHQL_VALIDATION_FAILED" if error.path is None else "BAD_USER_INPUT"


def finished_errors(schema: strawberry.Schema, errors: list[GraphQLError] | None) -> list[GraphQLError] | None:
    """An operation's errors as execution through the schema leaves them: unexpected ones logged
    (process_errors), then each coded or masked (CodedErrors)."""
    if not errors:
        return None
    schema.process_errors(errors)
    return [coded(e) for e in errors]


class OperationNotChosen(RuntimeError):
    """The request does not say which of the document's operations to run."""


class ChosenOperation(ExecutionContext):
    """strawberry's execution context, except for a document of several operations sent without
    `operationName`: strawberry runs the first one (even a mutation); the GraphQL spec makes it a
    request error, so none runs (the HTTP view answers 400 OPERATION_RESOLUTION_FAILURE)."""

    @property
    def operation_name(self) -> str | None:
        if (provided := provided_operation_name(self)) is not None:
            return provided
        operations = self._operations()
        return operations[0].name.value if len(operations) == 1 and operations[0].name else None

    @property
    def operation_type(self) -> OperationType:
        if provided_operation_name(self) is None and len(operations := self._operations()) != 1:
            raise OperationNotChosen(
                f"The document has {len(operations)} operations: name the one to run in `operationName`."
                if operations
                else "The document has no operation to run."
            )
        return super().operation_type

    def _operations(self) -> list[OperationDefinitionNode]:
        document = self.graphql_document
        return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)] if document else []


class CodedSchema(strawberry.Schema):
    """Closes two gaps CodedErrors leaves (and runs operations in a ChosenOperation context).

    Errors raised inside an extension's hook (a syntax error surfaces from ParserCache's on_parse)
    leave the operation before CodedErrors sees them: they are coded (or masked) here.
    strawberry logs every error at ERROR with a traceback, client mistakes included (a missing
    token, an unknown field), which buries real failures: only unexpected ones are logged.
    """

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        result = await super().execute(*args, **kwargs)
        if result.errors:
            result.errors = [e if "code" in (e.extensions or {}) else coded(e) for e in result.errors]
        return result

    def _create_execution_context(
        self,
        query: str | None,
        allowed_operation_types: Any,
        *,
        variable_values: Any = None,
        context_value: Any = None,
        root_value: Any = None,
        operation_name: str | None = None,
        operation_extensions: Any = None,
    ) -> ExecutionContext:
        # As strawberry's, with ChosenOperation's choice of the operation to run.
        return ChosenOperation(
            query=query,
            schema=self,
            allowed_operations=allowed_operation_types,
            context=context_value,
            root_value=root_value,
            variables=variable_values,
            provided_operation_name=operation_name,
            operation_extensions=operation_extensions,
        )

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        super().process_errors([e for e in errors if not _expected(e)], execution_context)
