"""A compiled statement's SQL depends on what a filter selects, not on how long its lists are:
the statement is cached (and prepared on each connection) by its text."""

from __future__ import annotations

from tests.support.compiled import answer
from tests.support.org import Org
from tests.support.statements import count_all_statements

NEW_REQUESTS = "query($f: RequestFilter) { requests(first: 5, filter: $f) { totalCount edges { node { id } } } }"


async def test_a_status_list_repeating_one_value_makes_the_statement_of_that_value(api, org: Org):
    statements = []
    for statuses in (["NEW"], ["NEW"] * 5_000):
        async with count_all_statements(api.engine) as log:
            compiled = await answer(api.engine, NEW_REQUESTS, org.admin, {"f": {"status": statuses}}, compiled=True)
        assert compiled.compiled and log.count == 1
        statements.append(log.statements[0])

    assert statements[1] == statements[0]
