"""A document's cost as a plan: sums and products of sizes, folded into a number wherever no
variable decides them, and evaluated with a run's variables otherwise.

A plan shares a fragment's parts among all its spreads (schema.limits.shape walks each fragment
once), so evaluating it visits each part once, by identity, and without recursion, however
deeply fragments nest: it is linear in the document, like the walk that made it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from db.read.pages import MAX_PAGE, page_size

Expr = Any  # int | Sum | Times | When: what a selection may cost

# Sizes: how many items a list holds (`value` with the run's variables).


@dataclass(frozen=True, slots=True)
class Variable:
    name: str

    def read(self, values: Mapping[str, Any]) -> Any:
        return values.get(self.name)


@dataclass(frozen=True, slots=True)
class PageSize:
    """A connection's page: `first` or `last` (each a number, a Variable or None), as db.read.pages
    sizes it (20 without either, at most MAX_PAGE)."""

    first: Any
    last: Any

    def value(self, values: Mapping[str, Any]) -> int:
        sizes = [_count(_read(v, values)) for v in (self.first, self.last)]
        given = [s for s in sizes if s is not None]
        return max(given) if given else page_size(None)


@dataclass(frozen=True, slots=True)
class IdCount:
    """`nodes(ids: $ids)`: as many objects as IDs (a lone ID counts as a list of one)."""

    ids: Variable

    def value(self, values: Mapping[str, Any]) -> int:
        ids = self.ids.read(values)
        if ids is None:
            return 0
        return min(ids.length, MAX_PAGE) if isinstance(ids, Listed) else 1


@dataclass(frozen=True, slots=True)
class Fixed:
    size: int

    def value(self, values: Mapping[str, Any]) -> int:
        return self.size


@dataclass(frozen=True, slots=True)
class Listed:
    """A list variable, as the plan reads it: only its length counts."""

    length: int


def as_read(value: Any) -> Any:
    """A variable's value as the plan reads it (hashable: numbers, booleans and the like as they
    are, lists by their length, objects as a mark), so costs can be kept by these values."""
    if isinstance(value, list):
        return Listed(len(value))
    return "object" if isinstance(value, dict) else value


def _read(value: Any, values: Mapping[str, Any]) -> Any:
    return value.read(values) if isinstance(value, Variable) else value


def _count(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        return MAX_PAGE  # a bad variable: refused later; meanwhile the most it could be
    return page_size(max(value, 0))


# Expressions: their `parts` are evaluated first, and each part once (`done`, by identity).


@dataclass(frozen=True, eq=False, slots=True)
class Sum:
    constant: int
    parts: tuple[Expr, ...]

    def value(self, done: dict[int, int], values: Mapping[str, Any]) -> int:
        return self.constant + sum(done[id(p)] for p in self.parts)


@dataclass(frozen=True, eq=False, slots=True)
class Times:
    size: Any  # PageSize | IdCount | Fixed
    body: Expr

    @property
    def parts(self) -> tuple[Expr, ...]:
        return (self.body,)

    def value(self, done: dict[int, int], values: Mapping[str, Any]) -> int:
        return self.size.value(values) * _done(self.body, done)


@dataclass(frozen=True, eq=False, slots=True)
class When:
    """@include(if: $v) (wanted True) or @skip(if: $v) (wanted False)."""

    variable: Variable
    wanted: bool
    body: Expr

    @property
    def parts(self) -> tuple[Expr, ...]:
        return (self.body,)

    def value(self, done: dict[int, int], values: Mapping[str, Any]) -> int:
        condition = self.variable.read(values)
        # A value that is not a boolean is refused later; meanwhile it counts.
        included = condition is self.wanted or not isinstance(condition, bool)
        return _done(self.body, done) if included else 0


def _done(expr: Expr, done: dict[int, int]) -> int:
    return expr if isinstance(expr, int) else done[id(expr)]


def total(parts: Iterable[Expr]) -> Expr:
    constant, rest = 0, []
    for part in parts:
        if isinstance(part, int):
            constant += part
        else:
            rest.append(part)
    return Sum(constant, tuple(rest)) if rest else constant


def times(size: Any, body: Expr) -> Expr:
    """`size` items (a number, a PageSize or an IdCount) of `body` each, folded when both are known."""
    if isinstance(size, PageSize) and not any(isinstance(v, Variable) for v in (size.first, size.last)):
        size = size.value({})
    if body == 0 or size == 0:
        return 0
    if isinstance(size, int):
        if isinstance(body, int):
            return size * body
        if size == 1:
            return body
        size = Fixed(size)
    return Times(size, body)


def when(variable: Variable, wanted: bool, body: Expr) -> Expr:
    return 0 if body == 0 else When(variable, wanted, body)


def variables_read(plan: Expr) -> tuple[str, ...]:
    """The variables whose values the plan depends on."""
    names: set[str] = set()
    seen: set[int] = set()
    stack = [plan]
    while stack:
        expr = stack.pop()
        if isinstance(expr, int) or id(expr) in seen:
            continue
        seen.add(id(expr))
        stack.extend(expr.parts)
        for used in (getattr(expr, "variable", None), *_size_variables(getattr(expr, "size", None))):
            if isinstance(used, Variable):
                names.add(used.name)
    return tuple(sorted(names))


def _size_variables(size: Any) -> tuple[Any, ...]:
    if isinstance(size, PageSize):
        return size.first, size.last
    return (size.ids,) if isinstance(size, IdCount) else ()


def evaluate(plan: Expr, values: Mapping[str, Any]) -> int:
    """The plan's cost with these variable values (as_read, defaults merged in)."""
    if isinstance(plan, int):
        return plan
    done: dict[int, int] = {}
    stack = [plan]
    while stack:
        expr = stack[-1]
        if id(expr) in done:
            stack.pop()
            continue
        waiting = [p for p in expr.parts if not isinstance(p, int) and id(p) not in done]
        if waiting:
            stack.extend(waiting)
            continue
        stack.pop()
        done[id(expr)] = expr.value(done, values)
    return done[id(plan)]
