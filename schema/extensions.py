"""Error hygiene: every error carries a code; unexpected ones are masked and logged."""
from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
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
        result.errors = [self._coded(e) for e in result.errors]

    def _coded(self, error: GraphQLError) -> GraphQLError:
        if not _expected(error):
            log.error("unexpected error", exc_info=error.original_error)
            return GraphQLError(MASKED, nodes=error.nodes, path=error.path,
                                extensions={"code": "INTERNAL_SERVER_ERROR"})
        extensions = dict(error.extensions or {})
        if "code" not in extensions:
            extensions["code"] = "GRAPHQL_VALIDATION_FAILED" if error.path is None else "BAD_USER_INPUT"
        error.extensions = extensions
        return error
