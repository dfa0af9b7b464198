"""A document's shape (schema.limits.shape): depth, aliases and cost, found in one linear walk
and evaluated with each run's variables. No database: the schema and the parser only."""

from typing import Any

import pytest
from graphql import parse

from schema.limits import shape as shapes
from schema.limits.shape import LIST_ITEMS, WRITE, DocumentShape, document_shape
from schema.schema import build_schema

SCHEMA = build_schema()._schema


def shape_of(document: str) -> DocumentShape:
    return document_shape(SCHEMA, parse(document))


def cost(document: str, variables: dict[str, Any] | None = None, name: str | None = None) -> int:
    return shape_of(document).operation(name).cost(variables)


def chain(levels: int, leaf: str = "__typename") -> str:
    """Fragments that each spread the next twice: 2^levels paths through a 1.7 KB document."""
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    return "{ ...F0 } " + " ".join(fragments) + f" fragment F{levels} on Query {{ {leaf} }}"


def test_each_field_counts_once_for_each_value_the_answer_may_hold():
    assert cost("{ viewer { name email department { name } } }") == 1 + 2 + 1 + 1
    # a list without paging counts LIST_ITEMS items
    assert cost("{ viewer { department { members { name } } } }") == 1 + 1 + LIST_ITEMS * 2
    # nothing is free: __typename alone costs 1
    assert cost("{ __typename }") == 1


def test_a_connection_holds_its_page_default_20_at_most_100():
    edges = "{ edges { node { number } } }"
    assert cost("{ requests(first: 5) " + edges + " }") == 1 + 5 * 3
    assert cost("{ requests " + edges + " }") == 1 + 20 * 3
    assert cost("{ requests(first: 1000) " + edges + " }") == 1 + 100 * 3
    assert cost("{ requests(first: 0) " + edges + " }") == 1
    # pageInfo and totalCount are one each, whatever the page
    assert cost("{ requests(first: 50) { totalCount pageInfo { hasNextPage } } }") == 1 + 1 + 2


def test_nested_pages_multiply_down_the_tree():
    query = "{ requests(first: 10) { edges { node { comments(last: 7) { edges { node { body } } } } } } }"
    assert cost(query) == 1 + 10 * (1 + 1 + 1 + 7 * 3)


def test_page_sizes_from_variables_use_the_run_s_values_then_the_defaults():
    query = (
        "query($n: Int, $m: Int = 3) { requests(first: $n) { edges { node { comments(first: $m) { totalCount } } } } }"
    )
    per_request = 1 + 1 + 1 + 1  # edge, node, comments, totalCount
    assert cost(query, {"n": 4}) == 1 + 4 * per_request
    assert cost(query, {"n": 4, "m": 50}) == 1 + 4 * per_request
    assert cost(query, {}) == 1 + 20 * per_request  # no $n: the connection's default page
    assert cost(query, {"n": None}) == 1 + 20 * per_request
    assert cost(query, {"n": "many"}) == 1 + 100 * per_request  # refused later; the most meanwhile
    nested = (
        "query($m: Int = 3) { requests(first: 2) { edges { node { comments(first: $m) { edges { node { id } } } } } } }"
    )
    assert cost(nested, {}) == 1 + 2 * (3 + 3 * 3)
    assert cost(nested, {"m": 10}) == 1 + 2 * (3 + 10 * 3)


def test_aliases_count_each_field_they_name():
    one = "requests(first: 10) { edges { node { number } } }"
    assert cost("{ a: " + one + " b: " + one + " }") == 2 * cost("{ " + one + " }")


def test_a_fragment_counts_at_every_spread_and_knows_the_page_it_is_spread_in():
    fragment = " fragment Numbers on RequestConnection { edges { node { number } } }"
    assert cost("{ requests(first: 4) { ...Numbers } }" + fragment) == 1 + 4 * 3
    assert cost("{ a: requests(first: 4) { ...Numbers } b: requests(first: 6) { ...Numbers } }" + fragment) == (
        1 + 4 * 3
    ) + (1 + 6 * 3)
    # spread twice in one place: counted twice (execution merges them: the cost is a bound)
    assert cost("{ requests(first: 4) { ...Numbers ...Numbers } }" + fragment) == 1 + 2 * 4 * 3


def test_inline_fragments_count_what_they_select_on_their_type():
    query = (
        '{ node(id: "x") { id ... on Request { comments(first: 3) { edges { node { body } } } } '
        "... on Department { name } } }"
    )
    assert cost(query) == 1 + 1 + (1 + 3 * 3) + 1


def test_skip_and_include_count_what_a_run_selects():
    query = "query($full: Boolean!) { viewer { name department @include(if: $full) { name } } }"
    assert cost(query, {"full": True}) == 1 + 1 + 2
    assert cost(query, {"full": False}) == 1 + 1
    assert cost("{ viewer { name email @skip(if: true) } }") == 2
    assert (
        cost("query($x: Boolean!) { viewer { ...F @skip(if: $x) } } fragment F on Person { name email }", {"x": True})
        == 1
    )


def test_nodes_hold_as_many_objects_as_ids():
    assert cost('{ nodes(ids: ["a", "b", "c"]) { id } }') == 3 * 2
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    assert cost(query, {"ids": ["a", "b"]}) == 2 * 2
    assert cost(query, {"ids": "a"}) == 2  # a lone ID is a list of one


def test_a_mutation_s_root_field_counts_a_write():
    mutation = 'mutation { commentAdd(input: {requestId: "x", body: "hi"}) { comment { body } } }'
    assert cost(mutation) == 1 + WRITE + 1 + 1


def test_costs_are_kept_by_the_values_of_the_variables_the_plan_reads():
    operation = shape_of("query($n: Int, $id: ID) { node(id: $id) { id } requests(first: $n) { edges { cursor } } }")
    operation = operation.operation(None)
    assert operation.reads == ("n",)
    assert operation.cost({"n": 3, "id": "a"}) == operation.cost({"n": 3, "id": "b"}) == 2 + 1 + 3 * 2
    assert len(operation.costs) == 1
    # a page size that no list inside reads is no variable of the plan: the cost is a number
    assert shape_of("query($n: Int) { requests(first: $n) { totalCount } }").operations[0].plan == 2


def test_forty_levels_of_fragments_spread_twice_are_counted_in_a_linear_walk(monkeypatch):
    # given the walk, counted: it visits selection sets
    visits = []
    walk = shapes._Walk.selections

    def counted(self, *args):
        visits.append(1)
        return walk(self, *args)

    monkeypatch.setattr(shapes._Walk, "selections", counted)
    # when the 40-level document is measured
    shape = shape_of(chain(40))
    # then each fragment was walked once, and the cost is what 2^40 spreads would ask for
    assert len(visits) == 41 + 1
    (operation,) = shape.operations
    assert operation.cost(None) == 2**40
    assert (operation.depth, shape.aliases) == (0, 0)
    # and an alias at the bottom counts as often as the document makes it appear
    assert shape_of(chain(40, "a: __typename")).aliases == 2**40


def test_depth_counts_nesting_through_fragments_but_not_introspection():
    assert shape_of("{ viewer { department { name } } }").operations[0].depth == 2
    nested = (
        "{ viewer { ...A } } fragment A on Person { department { ...B } } fragment B on Department { members { name } }"
    )
    assert shape_of(nested).operations[0].depth == 3
    assert shape_of("{ __schema { types { fields { type { name } } } } }").operations[0].depth == 0


def test_fragment_cycles_and_unknown_fragments_end_the_walk():
    # (validation then reports them)
    cycle = shape_of("{ ...A } fragment A on Query { ...B viewer { name } } fragment B on Query { ...A }")
    assert cycle.operations[0].cost(None) == 2
    assert shape_of("{ ...Missing viewer { name } }").operations[0].cost(None) == 2


@pytest.mark.parametrize("levels", [600])
def test_a_long_chain_of_fragments_needs_no_recursion(levels):
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(levels))
    shape = shape_of("{ ...F0 } " + fragments + f" fragment F{levels} on Query {{ viewer {{ name }} }}")
    assert shape.operations[0].cost(None) == 2
    conditional = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} @include(if: $x) }}" for i in range(levels))
    shape = shape_of("query($x: Boolean) { ...F0 } " + conditional + f" fragment F{levels} on Query {{ __typename }}")
    assert shape.operations[0].cost({"x": True}) == 1
