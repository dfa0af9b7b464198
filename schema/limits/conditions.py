"""@skip and @include as the cost plan reads them: a selection written under `@skip(if: true)`
costs nothing, one under `@include(if: $v)` costs what it selects when $v is true."""

from __future__ import annotations

from collections.abc import Sequence

from graphql import BooleanValueNode, DirectiveNode, VariableNode

from schema.limits.cost import Expr, Variable, when

NEVER = None  # a selection no run selects
Condition = tuple[tuple[Variable, bool], ...]  # (variable, the value that selects it) for each


def conditions(directives: Sequence[DirectiveNode] | None) -> Condition | None:
    found: list[tuple[Variable, bool]] = []
    for directive in directives or ():
        wanted = {"include": True, "skip": False}.get(directive.name.value)
        if wanted is None:
            continue
        value = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
        if isinstance(value, VariableNode):
            found.append((Variable(value.name.value), wanted))
        elif isinstance(value, BooleanValueNode) and value.value is not wanted:
            return NEVER
    return tuple(found)


def guarded(condition: Condition, expr: Expr) -> Expr:
    for variable, wanted in condition:
        expr = when(variable, wanted, expr)
    return expr
