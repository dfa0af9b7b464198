"""One walk over a document: every operation's depth, aliases and cost plan.

Each fragment is walked once, after the fragments it spreads, and its totals are kept: a spread
adds its fragment's totals however often it occurs. (Strawberry's limiters walked every path
through the spreads: 40 fragments that each spread the next twice took them 2^40 steps.) So
the walk is linear in the document, and so is the cost plan it makes (schema.limits.cost).

What is counted, as strawberry's limiters counted it, spread by spread:
- depth: the most fields nested in one another (a fragment adds no level of its own, nor does
  introspection);
- aliases: every alias, in every operation, as often as the document makes it appear (a
  fragment's aliases count again at each spread);
- cost: each field counts 1 for every value the answer may hold for it, that is times the
  items of each list above it. A connection's lists hold its page (`first` or `last`; 20
  without, at most 100), `nodes(ids:)` as many objects as IDs, any other list LIST_ITEMS. A
  fragment counts at each spread, as do fields written twice (execution merges both: the cost is
  a bound). A mutation's root fields count WRITE more; a field under @skip/@include counts only
  when it is selected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    NamedTypeNode,
    NullValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast_untyped,
)

from db.read.pages import MAX_PAGE
from schema.limits.conditions import NEVER, conditions, guarded
from schema.limits.cost import (
    Expr,
    IdCount,
    PageSize,
    Variable,
    as_read,
    evaluate,
    times,
    total,
    variables_read,
)

LIST_ITEMS = 10  # what a list without paging is counted as holding
WRITE = 10  # what a mutation's root field counts more than a read


@dataclass(frozen=True)
class Totals:
    """A selection's: `fixed` costs once, `per_item` once per item of the enclosing field's lists."""

    depth: int = 0
    aliases: int = 0
    fixed: Expr = 0
    per_item: Expr = 0


NOTHING = Totals()


COSTS_KEPT = 64  # per operation: the costs for the last distinct values of the variables it reads


@dataclass(frozen=True)
class OperationShape:
    """Every operation costs at least 1, so that none is free."""

    name: str | None
    depth: int
    aliases: int
    plan: Expr
    defaults: dict[str, Any]  # the variables' default values
    reads: tuple[str, ...] = ()  # the variables the plan depends on
    costs: dict[tuple[Any, ...], int] = field(default_factory=dict, compare=False)

    def cost(self, variables: dict[str, Any] | None) -> int:
        if isinstance(self.plan, int):
            return max(self.plan, 1)
        # A page size is a variable in most documents that page: portals repeat the same values.
        given = variables or {}
        key = tuple(as_read(given[n] if n in given else self.defaults.get(n)) for n in self.reads)
        cost = self.costs.get(key)
        if cost is None:
            if len(self.costs) >= COSTS_KEPT:
                self.costs.clear()
            cost = self.costs[key] = max(evaluate(self.plan, dict(zip(self.reads, key, strict=False))), 1)
        return cost


@dataclass(frozen=True)
class DocumentShape:
    operations: tuple[OperationShape, ...]

    @property
    def aliases(self) -> int:
        return sum(o.aliases for o in self.operations)

    def operation(self, name: str | None) -> OperationShape | None:
        if name is None:
            return self.operations[0] if len(self.operations) == 1 else None
        return next((o for o in self.operations if o.name == name), None)


def document_shape(schema: GraphQLSchema, document: DocumentNode) -> DocumentShape:
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    walk = _Walk(schema)
    for name in _after_their_spreads(fragments):
        definition = fragments[name]
        walk.fragments[name] = walk.selections(definition.selection_set, walk.named(definition.type_condition))
    return DocumentShape(
        tuple(walk.operation(d) for d in document.definitions if isinstance(d, OperationDefinitionNode))
    )


class _Walk:
    def __init__(self, schema: GraphQLSchema):
        self.schema = schema
        self.fragments: dict[str, Totals] = {}

    def named(self, node: NamedTypeNode | None) -> GraphQLNamedType | None:
        return self.schema.get_type(node.name.value) if node is not None else None

    def operation(self, definition: OperationDefinitionNode) -> OperationShape:
        root = self.schema.get_root_type(definition.operation)
        totals = self.selections(definition.selection_set, root)
        defaults = {
            v.variable.name.value: value_from_ast_untyped(v.default_value)
            for v in definition.variable_definitions or ()
            if v.default_value is not None
        }
        plan = total([totals.fixed, times(LIST_ITEMS, totals.per_item)])
        return OperationShape(
            definition.name.value if definition.name else None,
            totals.depth,
            totals.aliases,
            plan,
            defaults,
            variables_read(plan),
        )

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None) -> Totals:
        depth = aliases = 0
        fixed, per_item = [], []
        for selection in selection_set.selections:
            part = self.selection(selection, parent)
            depth, aliases = max(depth, part.depth), aliases + part.aliases
            condition = conditions(selection.directives)
            if condition is not NEVER:
                fixed.append(guarded(condition, part.fixed))
                per_item.append(guarded(condition, part.per_item))
        return Totals(depth, aliases, total(fixed), total(per_item))

    def selection(self, selection: Any, parent: GraphQLNamedType | None) -> Totals:
        if isinstance(selection, FieldNode):
            return self.field(selection, parent)
        if isinstance(selection, InlineFragmentNode):
            return self.selections(selection.selection_set, self.named(selection.type_condition) or parent)
        # Unknown, or closing a cycle: validation reports either.
        return self.fragments.get(selection.name.value, NOTHING)

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> Totals:
        aliases = 1 if node.alias else 0
        own = 1 + (WRITE if parent is not None and parent is self.schema.mutation_type else 0)
        if node.selection_set is None:
            return Totals(0, aliases, own, 0)
        definition = _definition(parent, node.name.value)
        sub = self.selections(node.selection_set, get_named_type(definition.type) if definition else None)
        each = total([own, sub.fixed, times(_items_inside(node, definition), sub.per_item)])
        # Introspection adds no depth (strawberry's limiter skipped it); it does cost.
        depth = 0 if node.name.value.startswith("__") else 1 + sub.depth
        aliases += sub.aliases
        if definition is None or not is_list_type(get_nullable_type(definition.type)):
            return Totals(depth, aliases, each, 0)
        ids = _argument(node, "ids")
        if ids is None:
            return Totals(depth, aliases, 0, each)  # as many as the enclosing field's lists hold
        return Totals(depth, aliases, times(_id_count(ids), each), 0)


def _definition(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if name == "__schema":
        return SchemaMetaFieldDef
    if name == "__type":
        return TypeMetaFieldDef
    fields = getattr(parent, "fields", None)
    return fields.get(name) if fields else None


def _items_inside(node: FieldNode, definition: GraphQLField | None) -> Any:
    """What the lists directly inside this field hold: a connection's page, or LIST_ITEMS."""
    if definition is None or not ("first" in definition.args or "last" in definition.args):
        return LIST_ITEMS
    return PageSize(_size(_argument(node, "first")), _size(_argument(node, "last")))


def _argument(node: FieldNode, name: str) -> ValueNode | None:
    return next((a.value for a in node.arguments or () if a.name.value == name), None)


def _size(value: ValueNode | None) -> Any:
    if value is None or isinstance(value, NullValueNode):
        return None
    if isinstance(value, VariableNode):
        return Variable(value.name.value)
    return value_from_ast_untyped(value)


def _id_count(ids: ValueNode) -> Any:
    if isinstance(ids, VariableNode):
        return IdCount(Variable(ids.name.value))
    if isinstance(ids, ListValueNode):
        return min(len(ids.values), MAX_PAGE)
    return 0 if isinstance(ids, NullValueNode) else 1


def _after_their_spreads(fragments: dict[str, FragmentDefinitionNode]) -> list[str]:
    """The fragments, each after those it spreads (depth first, without recursion; a spread that
    closes a cycle is left out: validation reports cycles)."""
    spreads = {name: _spreads(f.selection_set) for name, f in fragments.items()}
    order: list[str] = []
    seen: set[str] = set()
    for root in fragments:
        if root in seen:
            continue
        seen.add(root)
        path = [(root, iter(spreads[root]))]
        while path:
            name, pending = path[-1]
            following = next((s for s in pending if s in spreads and s not in seen), None)
            if following is None:
                path.pop()
                order.append(name)
            else:
                seen.add(following)
                path.append((following, iter(spreads[following])))
    return order


def _spreads(selection_set: SelectionSetNode) -> list[str]:
    names, stack = [], [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                names.append(selection.name.value)
            elif selection.selection_set is not None:
                stack.append(selection.selection_set)
    return names
