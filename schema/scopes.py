"""What an API token's scopes let it run, checked once per operation before anything runs.

Queries need READ, mutations WRITE, subscriptions EVENTS; a root field marked as administration
(schema.permissions.ADMINISTRATION: people, departments, tokens) needs ADMIN too. Scopes only
narrow what the person's role allows; interactive sign-ins (OpenID Connect, development tokens)
have no scopes to check.

Both transports call `check_scopes` where they hand an operation to GraphQL (the HTTP view's
`execute_single`, before the compiled and direct paths; the websocket's operations, before the
event hub or strawberry), so no path runs an operation unchecked. What a document needs is
worked out once per document text and operation name.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
    parse,
)

from compat import graphql_schema, strawberry_definition
from domain.api_tokens import ALL_SCOPES, Scope
from schema.compiled.cache import CACHE_BYTES, ENTRY_BYTES, Lru
from schema.errors import ApiError
from schema.permissions import ADMINISTRATION

BY_OPERATION = {
    OperationType.QUERY: Scope.READ,
    OperationType.MUTATION: Scope.WRITE,
    OperationType.SUBSCRIPTION: Scope.EVENTS,
}


class OutOfScope(ApiError):
    def __init__(self, missing: frozenset[Scope]):
        names = ", ".join(sorted(s.value for s in missing))
        super().__init__(f"This API token lacks the scope this operation needs: {names}.", "FORBIDDEN")
        self.missing = missing


def check_scopes(schema: Any, scopes: frozenset[Scope] | None, query: str | None, operation_name: str | None) -> None:
    """OutOfScope when the operation needs a scope the token lacks. Costs nothing for interactive
    sign-ins and all-scope tokens; otherwise one cached lookup per operation."""
    if scopes is None or scopes >= ALL_SCOPES or query is None:
        return
    needed = _NEEDED.get((schema, query, operation_name), lambda: _needed(schema, query, operation_name))
    if needed is not None and not needed <= scopes:
        raise OutOfScope(needed - scopes)


# What each document needs, by (schema, text, operation name): bounded in bytes, as every cache
# keyed on what clients send (schema.compiled.cache).
_NEEDED: Lru[tuple[Any, str, str | None], frozenset[Scope] | None] = Lru(
    entries=512, max_bytes=CACHE_BYTES, weigh=lambda key, _: ENTRY_BYTES + len(key[1]) + len(key[2] or "")
)


def _needed(schema: Any, query: str, operation_name: str | None) -> frozenset[Scope] | None:
    """None when there is nothing to check: execution refuses the document itself."""
    max_tokens = schema.tandem_limits.max_tokens if hasattr(schema, "tandem_limits") else None
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return None
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    fields = _root_field_names(document, operation.selection_set)
    administration = _administration_fields(graphql_schema(schema))
    extra = {Scope.ADMIN} if fields & administration.get(operation.operation, frozenset()) else set()
    return frozenset({BY_OPERATION[operation.operation], *extra})


@lru_cache(maxsize=8)  # per schema: a process has one (the tests build a few)
def _administration_fields(graphql_schema: Any) -> dict[OperationType, frozenset[str]]:
    roots = {
        OperationType.QUERY: graphql_schema.query_type,
        OperationType.MUTATION: graphql_schema.mutation_type,
        OperationType.SUBSCRIPTION: graphql_schema.subscription_type,
    }
    return {
        operation: frozenset(name for name, field in root.fields.items() if _metadata(field).get(ADMINISTRATION))
        for operation, root in roots.items()
        if root is not None
    }


def _metadata(field: Any) -> dict[str, Any]:
    definition = strawberry_definition(field)
    return dict(getattr(definition, "metadata", None) or {})


def _root_field_names(document: DocumentNode, selection_set: SelectionSetNode) -> set[str]:
    """Every field the operation selects at its root, through fragments; whatever @skip and
    @include say (a field the document names counts, as if it ran)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    names: set[str] = set()
    seen: set[str] = set()
    pending = [selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    pending.append(fragment.selection_set)
    return names
