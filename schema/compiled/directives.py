"""Which variables decide the selection: a plan is cached per document and their values."""

from __future__ import annotations

from typing import Any

from graphql import DirectiveNode, DocumentNode, VariableNode, visit
from graphql.language import Visitor

from schema.compiled.cache import ENTRY_BYTES


def directive_variables(document: DocumentNode) -> tuple[str, ...]:
    """Variables read by @include/@skip: the only ones that change which fields are selected."""
    names: list[str] = []

    class Collect(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            if node.name.value in ("include", "skip"):
                names.extend(a.value.name.value for a in node.arguments if isinstance(a.value, VariableNode))

    visit(document, Collect())
    return tuple(sorted(set(names)))


def directive_variables_bytes(query: str, names: tuple[str, ...]) -> int:
    """An entry of a cache of `directive_variables` by document text."""
    return ENTRY_BYTES + len(query) + 64 * len(names)
