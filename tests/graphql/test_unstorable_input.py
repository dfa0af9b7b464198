"""Input PostgreSQL cannot store or compare is refused while arguments are coerced, with the code
BAD_USER_INPUT, before anything runs: text with a NUL character, moments Python or timestamptz
cannot hold, cursors that decode to values of the wrong type. Nothing is written, nothing is
logged as a failure."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from schema import ids
from tests.graphql.goal_ops import GOAL_CREATE, goal_input, key_result
from tests.support.database import snapshot
from tests.support.org import Org

NUL = "before\u0000after"


def _mutation(field: str, input_type: str) -> str:
    return f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ userErrors {{ code }} }} }}"


def _text_inputs(org: Org, request: str) -> dict[str, tuple[str, str, str, dict]]:
    """(viewer, mutation field, input type, input with a NUL somewhere) for text fields of every domain."""
    laptops, it, hr = org.gid("Service", "laptops"), org.gid("Department", "it"), org.gid("Department", "hr")
    laptop_form = {"serviceId": laptops, "requestTypeId": org.gid("RequestType", "new_laptop"), "title": "Laptop"}
    return {
        "request title": ("employee", "requestCreate", "RequestCreateInput", {"serviceId": laptops, "title": NUL}),
        "request description": (
            "employee",
            "requestCreate",
            "RequestCreateInput",
            {"serviceId": laptops, "title": "Slow", "description": NUL},
        ),
        "custom field value": (
            "employee",
            "requestCreate",
            "RequestCreateInput",
            {**laptop_form, "fields": [{"key": "model", "value": NUL}]},
        ),
        "idempotency key": (
            "employee",
            "requestCreate",
            "RequestCreateInput",
            {"serviceId": laptops, "title": "Slow", "idempotencyKey": NUL},
        ),
        "new title": (
            "it_agent",
            "requestUpdate",
            "RequestUpdateInput",
            {"id": request, "expectedVersion": 1, "title": NUL},
        ),
        "comment body": ("employee", "commentAdd", "CommentAddInput", {"requestId": request, "body": NUL}),
        "transition reason": (
            "it_agent",
            "requestTransition",
            "RequestTransitionInput",
            {"id": request, "to": "TRIAGED", "expectedVersion": 1, "reason": NUL},
        ),
        "hand-off reason": (
            "it_agent",
            "requestHandOff",
            "RequestHandOffInput",
            {"id": request, "toDepartmentId": hr, "reason": NUL, "expectedVersion": 1},
        ),
        "department name": ("admin", "departmentCreate", "DepartmentCreateInput", {"name": NUL}),
        "person email": (
            "admin",
            "personCreate",
            "PersonCreateInput",
            {"name": "Eve", "email": "eve\u0000@example.com", "role": "REQUESTER"},
        ),
        "service name": ("admin", "serviceCreate", "ServiceCreateInput", {"name": NUL, "ownerDepartmentId": it}),
        "key result title": (
            "it_manager",
            "sharedGoalCreate",
            "SharedGoalCreateInput",
            goal_input(org, key_results=[key_result("P90_RESOLUTION_HOURS", 8, title=NUL)]),
        ),
        "journey stage name": (
            "hr_manager",
            "journeyMapCreate",
            "JourneyMapCreateInput",
            {"name": "Onboarding", "stages": [{"name": NUL, "touchpoints": []}]},
        ),
    }


TEXT_FIELDS = [
    "request title",
    "request description",
    "custom field value",
    "idempotency key",
    "new title",
    "comment body",
    "transition reason",
    "hand-off reason",
    "department name",
    "person email",
    "service name",
    "key result title",
    "journey stage name",
]


async def _refused_before_running(api, viewer, query: str, caplog, **variables) -> str:
    before, commits = await snapshot(api.engine), list(api.commits)
    with caplog.at_level(logging.WARNING):
        result = await api.run(query, viewer, **variables)
    assert await snapshot(api.engine) == before, "refused input changed the database"
    assert api.commits == commits
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert [e.extensions["code"] for e in result.errors] == ["BAD_USER_INPUT"], result.errors
    return result.errors[0].message


@pytest.mark.parametrize("case", TEXT_FIELDS)
async def test_a_nul_character_in_any_text_input_is_refused(api, org: Org, caplog, case):
    # given a request to act on
    request = ids.encode("Request", await org.raise_request(org.employee))
    viewer, field, input_type, value = _text_inputs(org, request)[case]

    # when the text comes with a NUL character
    message = await _refused_before_running(
        api, getattr(org, viewer), _mutation(field, input_type), caplog, input=value
    )

    # then the message says which input and why
    assert message.startswith("Variable '$input' has invalid value")
    assert message.endswith("Text must not contain the NUL character (U+0000).")


async def test_a_nul_character_in_a_literal_is_refused_too(api, org: Org, caplog):
    query = 'mutation { departmentCreate(input: {name: "R\\u0000D"}) { userErrors { code } } }'

    message = await _refused_before_running(api, org.admin, query, caplog)

    assert message == "Text must not contain the NUL character (U+0000)."


# Past year 9999 or before year 1 in UTC; the first and last microseconds (asyncpg's -infinity and
# infinity); the day after 9999-12-31.
OUT_OF_RANGE = [
    "9999-12-31T23:59:59.999999-23:59",
    "0001-01-01T00:00:00+05:00",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59.999999Z",
    "9999-12-31T24:00:00",
]
MOMENT_FILTERS = [
    "query($d: DateTime) { requests(filter: {createdAfter: $d}) { totalCount } }",
    "query($d: DateTime) { requests(filter: {createdBefore: $d}) { edges { node { id } } } }",
    "query($d: DateTime) { requests(filter: {updatedAfter: $d}) { totalCount } }",
    "query($d: DateTime) { sharedGoals(filter: {activeAt: $d}) { totalCount } }",
    "query($d: DateTime) { journeyRuns(filter: {startedAfter: $d}) { totalCount } }",
]


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
@pytest.mark.parametrize("query", MOMENT_FILTERS)
async def test_a_moment_out_of_range_in_a_filter_is_refused(api, org: Org, caplog, query, moment):
    message = await _refused_before_running(api, org.it_agent, query, caplog, d=moment)

    assert message.endswith(
        f'DateTime out of range: "{moment}" must fall after 0001-01-01T00:00:00Z and '
        "before 9999-12-31T23:59:59.999999Z."
    )


@pytest.mark.parametrize("bound", ["periodStart", "periodEnd"])
@pytest.mark.parametrize("moment", OUT_OF_RANGE)
async def test_a_moment_out_of_range_is_never_written(api, org: Org, caplog, bound, moment):
    # 0001-01-01T00:00Z used to be stored as -infinity, read back naive: the goal then failed to render
    goal = {**goal_input(org), bound: moment}

    message = await _refused_before_running(
        api, org.it_manager, _mutation("sharedGoalCreate", "SharedGoalCreateInput"), caplog, input=goal
    )

    assert "DateTime out of range" in message


async def test_moments_just_inside_the_range_are_taken_and_one_without_offset_is_utc(api, org: Org):
    await org.raise_request(org.employee)
    query = "query($f: RequestFilter) { requests(filter: $f) { totalCount } }"

    widest = await api.ok(
        query, org.employee, f={"createdAfter": "0001-01-01T00:00:00.000001Z", "createdBefore": "9999-12-31T23:59:59Z"}
    )
    naive = await api.ok(query, org.employee, f={"createdAfter": "2000-01-01T00:00:00"})
    utc = await api.ok(query, org.employee, f={"createdAfter": "2000-01-01T00:00:00+00:00"})

    assert widest == naive == utc == {"requests": {"totalCount": 1}}


async def test_a_goal_to_the_last_second_of_year_9999_is_stored_and_read_back(api, org: Org):
    payload = await api.mutate(
        GOAL_CREATE, org.it_manager, input={**goal_input(org), "periodEnd": "9999-12-31T23:59:59Z"}
    )

    assert payload["userErrors"] == []
    assert payload["sharedGoal"]["periodEnd"] == "9999-12-31T23:59:59+00:00"
    assert 0 <= payload["sharedGoal"]["progress"] <= 1


def _cursor(key: dict, row_id) -> str:
    return base64.urlsafe_b64encode(json.dumps([key, row_id]).encode()).decode().rstrip("=")


# Cursors that decode, but whose values fit no connection's order: an id that is text, past bigint
# or missing; a key that is a list, a moment past year 9999 in UTC, or text with a NUL character.
WRONG_CURSORS = [
    _cursor({"v": "x"}, "y"),
    _cursor({"v": 1}, 2**70),
    _cursor({"v": 1}, None),
    _cursor({"v": [1]}, 1),
    _cursor({"t": "9999-12-31T23:59:59-23:59"}, 1),
    _cursor({"v": "a\u0000"}, 1),
]
ROOT_CONNECTIONS = ["requests", "services", "departments", "sharedGoals", "journeyMaps", "journeyRuns"]
NESTED = {
    "comments": ("Request", "comments(after: $after) { totalCount }"),
    "activity": ("Request", "activity(after: $after) { totalCount }"),
    "department services": ("Department", "services(after: $after) { totalCount }"),
    "department queue": ("Department", "queue(after: $after) { totalCount }"),
}


@pytest.mark.parametrize("cursor", WRONG_CURSORS)
async def test_a_cursor_of_wrong_values_is_refused_on_every_connection(api, org: Org, caplog, cursor):
    request = await org.raise_request(org.employee)
    parents = {"Request": ids.encode("Request", request), "Department": org.gid("Department", "it")}
    before = await snapshot(api.engine)
    with caplog.at_level(logging.WARNING):
        results = [
            await api.run(
                f"query($after: String) {{ {name}(after: $after) {{ totalCount }} }}", org.admin, after=cursor
            )
            for name in ROOT_CONNECTIONS
        ]
        for parent, selection in NESTED.values():
            results.append(
                await api.run(
                    f"query($id: ID!, $after: String) {{ node(id: $id) {{ ... on {parent} {{ {selection} }} }} }}",
                    org.admin,
                    id=parents[parent],
                    after=cursor,
                )
            )

    assert await snapshot(api.engine) == before
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    for result in results:
        assert [(e.extensions["code"], e.message) for e in result.errors] == [
            ("BAD_USER_INPUT", f"Not a cursor: {cursor!r}")
        ]
