"""The cost of an operation: refused above the budget before anything runs, charged to the
person's budget per minute, and reported in every answer's `extensions.cost`."""

from __future__ import annotations

from typing import Any

from domain.people import Person
from schema import ids
from schema.context import Context
from schema.limits.budgets import PersonBudgets
from schema.schema import build_schema
from tests.support.database import snapshot
from tests.support.org import Org
from tests.support.statements import count_all_statements

ONE = (
    "requests(first: 100) { edges { node { number"
    " comments(first: 100) { edges { node { body author { name } } } } } } }"
)
THIRTY = "{ " + " ".join(f"a{i}: {ONE}" for i in range(30)) + " }"
DEPARTMENTS = "{ departments(first: 10) { edges { node { name } } } }"  # 1 + 10 x 3
COMMENTS = (
    "mutation { "
    + " ".join(
        f'c{i}: commentAdd(input: {{requestId: "$id", body: "hi {i}"}}) '
        "{ comment { id body } userErrors { code } }"
        for i in range(5)
    )
    + " }"
)


def codes(result: Any) -> list[str]:
    return [e.extensions["code"] for e in result.errors or []]


def chain(levels: int, leaf: str = "__typename") -> str:
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    return "{ ...F0 } " + " ".join(fragments) + f" fragment F{levels} on Query {{ {leaf} }}"


async def run(schema: Any, api: Any, query: str, viewer: Person | None, budgets: PersonBudgets | None = None):
    context = Context(engine=api.engine, viewer=viewer, budgets=budgets)
    return await schema.execute(query, context_value=context)


async def test_an_answer_reports_its_cost(api, org: Org):
    result = await api.run(DEPARTMENTS, org.it_agent)

    assert result.errors is None
    assert result.extensions["cost"] == {"requested": 31, "budget": 100_000}


async def test_thirty_aliases_of_a_hundred_pages_of_a_hundred_are_refused_before_anything_runs(api, org: Org):
    async with count_all_statements(api.engine) as log:
        result = await api.run(THIRTY, org.it_agent)

    assert result.data is None
    assert codes(result) == ["QUERY_TOO_COMPLEX"]
    assert result.errors[0].extensions == {"code": "QUERY_TOO_COMPLEX", "cost": 1_512_030, "budget": 100_000}
    assert result.extensions["cost"] == {"requested": 1_512_030, "budget": 100_000}
    assert log.count == 0


async def test_one_of_them_runs(api, org: Org):
    result = await api.run("{ " + ONE + " }", org.it_agent)

    assert result.errors is None
    assert result.extensions["cost"]["requested"] == 50_401


async def test_fragments_spread_twice_forty_deep_are_refused_signed_out(api):
    result = await api.run(chain(40), None)

    assert codes(result) == ["QUERY_TOO_COMPLEX"]
    assert result.errors[0].extensions["cost"] == 2**40


async def test_an_alias_at_the_bottom_of_the_chain_counts_every_time_it_appears(api):
    result = await api.run(chain(40, "a: __typename"), None)

    assert codes(result) == ["GRAPHQL_VALIDATION_FAILED"]
    assert result.errors[0].message == f"{2**40} aliases found. Allowed: 30"


async def test_a_mutation_above_the_budget_writes_nothing(api, org: Org):
    # given a schema whose operations may cost at most 50, and five comments costing more
    schema = build_schema(max_cost=50)
    request = ids.encode("Request", await org.raise_request(org.employee))
    mutation = COMMENTS.replace("$id", request)
    before = await snapshot(api.engine)

    result = await run(schema, api, mutation, org.it_agent)

    assert codes(result) == ["QUERY_TOO_COMPLEX"]
    assert result.errors[0].extensions["budget"] == 50
    assert await snapshot(api.engine) == before


async def test_a_spent_budget_per_minute_refuses_and_runs_nothing(api, org: Org):
    # given a person whose budget is 60 a minute
    budgets = PersonBudgets(60)
    schema = build_schema()
    first = await run(schema, api, DEPARTMENTS, org.it_agent, budgets)
    assert first.errors is None
    report = first.extensions["cost"]
    assert (report["requested"], report["budgetPerMinute"], report["remaining"]) == (31, 60, 29)

    # when the same again comes at once (29 remain of 60; 1 comes back a second)
    async with count_all_statements(api.engine) as log:
        second = await run(schema, api, DEPARTMENTS, org.it_agent, budgets)

    # then it is refused with what remains and when to retry, before any statement
    assert second.data is None
    assert codes(second) == ["RATE_LIMITED"]
    assert second.errors[0].extensions["cost"] == 31
    assert 1 <= second.errors[0].extensions["retryAfter"] <= 2
    assert log.count == 0
    # and another person still has their budget
    assert (await run(schema, api, DEPARTMENTS, org.hr_agent, budgets)).errors is None


async def test_a_mutation_refused_by_the_budget_per_minute_writes_nothing(api, org: Org):
    budgets = PersonBudgets(60)
    schema = build_schema()
    request = ids.encode("Request", await org.raise_request(org.employee))
    await run(schema, api, DEPARTMENTS, org.it_agent, budgets)
    before = await snapshot(api.engine)

    result = await run(schema, api, COMMENTS.replace("$id", request), org.it_agent, budgets)

    assert codes(result) == ["RATE_LIMITED"]
    assert await snapshot(api.engine) == before
