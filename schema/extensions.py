"""Error hygiene: every error carries a code; unexpected ones are masked and logged."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension

from schema.errors import ApiError

log = logging.getLogger("tandem.graphql")
MASKED = "Unexpected error."


def _expected(error: GraphQLError) -> bool:
    original = error.original_error
    # GraphQLErrors raised on purpose (ours, strawberry permission denials) carry their own message.
    return original is None or isinstance(original, (ApiError, GraphQLError))


class CodedErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        result.errors = [coded(e) for e in result.errors]


def coded(error: GraphQLError) -> GraphQLError:
    if not _expected(error):
        log.error("unexpected error", exc_info=error.original_error)
        return GraphQLError(MASKED, nodes=error.nodes, path=error.path,
                            extensions={"code": "INTERNAL_SERVER_ERROR"})
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


class CodedSchema(strawberry.Schema):
    """Closes two gaps CodedErrors leaves.

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

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        super().process_errors([e for e in errors if not _expected(e)], execution_context)
