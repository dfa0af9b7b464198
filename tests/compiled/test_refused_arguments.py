"""Arguments normal execution refuses, on the compiled path: it falls back (no statement tried, no
warning) and both paths answer the same coded error."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from schema import ids
from tests.compiled.seed import seed
from tests.support.compiled import both
from tests.support.org import Org

LIST = "query($after: String) { requests(first: 2, after: $after) { edges { node { title } } } }"
COMMENTS = """query($id: ID!, $after: String) { node(id: $id) { ... on Request {
  title comments(first: 2, after: $after) { edges { node { body } } } } } }"""


def _cursor(key: dict, row_id) -> str:
    return base64.urlsafe_b64encode(json.dumps([key, row_id]).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor({"t": "9999-12-31T23:59:59-23:59"}, 1),  # aware, as the compiled path checked, yet past year 9999
        _cursor({"t": "2026-01-01T00:00:00+00:00"}, 2**70),
        _cursor({"v": "x"}, "y"),
        _cursor({"t": "2026-01-01T00:00:00+00:00"}, None),
    ],
)
async def test_a_cursor_of_wrong_values_is_the_same_coded_error_on_both_paths(api, org: Org, caplog, cursor):
    seeded = await seed(org, 3)
    request = ids.encode("Request", seeded.request_ids[0])

    with caplog.at_level(logging.WARNING):
        listed = await both(api.engine, LIST, org.it_agent, {"after": cursor})
        commented = await both(api.engine, COMMENTS, org.it_agent, {"id": request, "after": cursor})

    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    for normal, compiled in (listed, commented):
        assert not compiled.compiled
        assert compiled.body == normal.body
        assert json.loads(compiled.body)["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "variables", [{"f": {"search": "lap\u0000top"}}, {"f": {"createdAfter": "9999-12-31T23:59:59.999999-23:59"}}]
)
async def test_a_filter_normal_execution_refuses_is_refused_alike(api, org: Org, caplog, variables):
    await seed(org, 3)
    query = "query($f: RequestFilter) { requests(first: 2, filter: $f) { edges { node { title } } } }"

    with caplog.at_level(logging.WARNING):
        normal, compiled = await both(api.engine, query, org.it_agent, variables)

    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert not compiled.compiled
    assert compiled.body == normal.body
    assert json.loads(compiled.body)["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


LONG = "x" * 20_000
# Crafted values for every root list's filter and cursor: NUL bytes, long texts, IDs of the wrong
# type or no type, dates past year 9999, wildcards; each answered alike on both paths, with data
# or a coded error, and never an internal one.
CRAFTED = {
    "sharedGoals": (
        "SharedGoalFilter",
        [
            {"search": "res\u0000olve"},
            {"search": LONG},
            {"search": "%_\\"},
            {"departmentId": ids.encode("Service", 1)},
            {"departmentId": LONG},
            {"activeAt": "9999-12-31T23:59:59.999999-23:59"},
        ],
    ),
    "services": (
        "ServiceFilter",
        [{"search": "lap\u0000"}, {"search": LONG}, {"ownerDepartmentId": "bm9wZQ"}, {"ownerDepartmentId": LONG}],
    ),
    "journeyMaps": ("JourneyMapFilter", [{"search": "\u0000"}, {"departmentId": ids.encode("Person", 1)}]),
    "journeyRuns": (
        "JourneyRunFilter",
        [
            {"mapId": LONG},
            {"sponsorId": ids.encode("Department", 1)},
            {"startedAfter": "9999-12-31T23:59:59.999999-23:59", "startedBefore": "0001-01-01T00:00:00+14:00"},
        ],
    ),
}
CURSORS = ["not-a-cursor", LONG, _cursor({"t": "2026-01-01T00:00:00+00:00"}, 2**70), _cursor({"v": "\u0000"}, 1)]


def _crafted_cases() -> list[tuple[str, str]]:
    cases = []
    for root, (input_type, filters) in CRAFTED.items():
        for value in filters:
            query = f"query($f: {input_type}) {{ {root}(first: 3, filter: $f) {{ totalCount edges {{ cursor }} }} }}"
            cases.append((query, json.dumps({"f": value})))
    for root in ("sharedGoals", "services", "journeyMaps", "journeyRuns", "departments", "apiTokens"):
        for cursor in CURSORS:
            query = f"query($a: String) {{ {root}(first: 3, after: $a) {{ totalCount }} }}"
            cases.append((query, json.dumps({"a": cursor})))
    return cases


@pytest.mark.parametrize(("query", "variables"), _crafted_cases())
async def test_crafted_list_arguments_are_answered_alike_and_coded(api, org: Org, caplog, query, variables):
    await seed(org, 3)

    with caplog.at_level(logging.WARNING):
        normal, compiled = await both(api.engine, query, org.admin, json.loads(variables))

    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert compiled.body == normal.body
    answer = json.loads(compiled.body)
    codes = {e.get("extensions", {}).get("code") for e in answer.get("errors", [])}
    assert None not in codes and "INTERNAL_SERVER_ERROR" not in codes, answer
