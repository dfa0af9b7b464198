"""Every bad input gets a clear, coded error and changes nothing (the snapshot before equals the one after)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.graphql.request_ops import (
    ASSIGN,
    COMMENT_ADD,
    CREATE,
    HAND_OFF,
    NODE,
    NODES,
    RATE,
    TASK_COMPLETE,
    TRANSITION,
    UPDATE,
    WATCH,
    act,
    codes,
    comment,
    gid,
    move,
    ok,
    raise_request,
    refused,
)
from tests.support.database import snapshot
from tests.support.org import Org

# -- GraphQL validation: the operation never runs ------------------------------------------------------------


async def _validation_errors(api, viewer, query: str, **variables) -> list:
    before = await snapshot(api.engine)
    result = await api.run(query, viewer, **variables)
    assert await snapshot(api.engine) == before
    assert result.data is None
    assert result.errors
    return result.errors


async def test_unknown_input_field_inline_is_a_validation_error(api, org: Org):
    # given
    service = org.gid("Service", "laptops")
    # when
    errors = await _validation_errors(
        api,
        org.employee,
        f"""mutation {{
      requestCreate(input: {{serviceId: "{service}", title: "Slow laptop", colour: "red"}}) {{
        request {{ id }} }} }}""",
    )
    # then
    assert [e.extensions["code"] for e in errors] == ["GRAPHQL_VALIDATION_FAILED"]
    assert "colour" in errors[0].message


async def test_unknown_input_field_in_variables_is_a_validation_error(api, org: Org):
    # given
    variables = {"serviceId": org.gid("Service", "laptops"), "title": "Slow laptop", "colour": "red"}
    # when
    errors = await _validation_errors(api, org.employee, CREATE, input=variables)
    # then
    assert [e.extensions["code"] for e in errors] == ["GRAPHQL_VALIDATION_FAILED"]
    assert "colour" in errors[0].message


async def test_wrong_enum_value_is_a_validation_error(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee)
    # when
    inline = await _validation_errors(
        api,
        org.it_agent,
        f"""mutation {{
      requestTransition(input: {{id: "{request["id"]}", to: DONE, expectedVersion: 1}}) {{
        request {{ id }} }} }}""",
    )
    variable = await _validation_errors(
        api, org.it_agent, TRANSITION, input={"id": request["id"], "to": "DONE", "expectedVersion": 1}
    )
    priority = await _validation_errors(
        api,
        org.employee,
        CREATE,
        input={"serviceId": org.gid("Service", "laptops"), "title": "Slow", "priority": "CRITICAL"},
    )
    # then
    for errors in (inline, variable, priority):
        assert [e.extensions["code"] for e in errors] == ["GRAPHQL_VALIDATION_FAILED"]
    assert "DONE" in inline[0].message and "DONE" in variable[0].message
    assert "CRITICAL" in priority[0].message


async def test_unknown_field_in_a_selection_is_a_validation_error(api, org: Org):
    # when
    errors = await _validation_errors(api, org.employee, "{ requests { edges { node { colour } } } }")
    # then
    assert [e.extensions["code"] for e in errors] == ["GRAPHQL_VALIDATION_FAILED"]


# -- The workflow --------------------------------------------------------------------------------------------


async def test_illegal_transition(api, org: Org):
    # given a new request
    request = await raise_request(api, org, org.employee)
    # when the owning department closes it straight away, or moves it to where it already is
    to_closed = await refused(api, org.it_agent, TRANSITION, id=request["id"], to="CLOSED", expectedVersion=1)
    to_same = await refused(api, org.it_agent, TRANSITION, id=request["id"], to="NEW", expectedVersion=1)
    # then
    assert to_closed == [
        {"field": ["input", "to"], "code": "ILLEGAL_TRANSITION", "message": "A request cannot go from NEW to CLOSED."}
    ]
    assert to_same == [
        {"field": ["input", "to"], "code": "ILLEGAL_TRANSITION", "message": "The request is already NEW."}
    ]


async def test_a_cancelled_request_goes_nowhere(api, org: Org):
    # given
    request = await move(api, org.it_agent, await raise_request(api, org, org.employee), "CANCELLED")
    # when / then
    for target in ("NEW", "IN_PROGRESS", "RESOLVED"):
        errors = await refused(
            api, org.it_agent, TRANSITION, id=request["id"], to=target, expectedVersion=request["version"]
        )
        assert codes(errors) == [("ILLEGAL_TRANSITION", ["input", "to"])]


async def test_resolving_with_open_tasks(api, org: Org):
    # given a laptop request whose Facilities task is still open
    request = await move(api, org.it_agent, await raise_request(api, org, org.employee, laptop=True), "IN_PROGRESS")
    # when
    errors = await refused(
        api, org.it_agent, TRANSITION, id=request["id"], to="RESOLVED", expectedVersion=request["version"]
    )
    # then
    assert errors == [{"field": ["input", "to"], "code": "TASKS_OPEN", "message": "1 task(s) are still open."}]


async def test_stale_version(api, org: Org):
    # given a request at version 2
    request = await move(api, org.it_agent, await raise_request(api, org, org.employee), "TRIAGED")
    assert request["version"] == 2
    # when each versioned mutation carries version 1
    errors = [
        await refused(api, org.it_agent, TRANSITION, id=request["id"], to="IN_PROGRESS", expectedVersion=1),
        await refused(api, org.it_agent, UPDATE, id=request["id"], title="Renamed", expectedVersion=1),
        await refused(
            api, org.it_agent, ASSIGN, id=request["id"], assigneeId=org.gid("Person", "it_agent"), expectedVersion=1
        ),
        await refused(
            api,
            org.it_agent,
            HAND_OFF,
            id=request["id"],
            toDepartmentId=org.gid("Department", "hr"),
            reason="Payroll",
            expectedVersion=1,
        ),
    ]
    # then
    for error in errors:
        assert error == [
            {
                "field": ["input", "expectedVersion"],
                "code": "STALE_VERSION",
                "message": "The request changed since version 1; it is now at 2.",
            }
        ]


async def test_reopening_after_the_window(api, org: Org):
    # given a request resolved eight days ago
    resolved_at = datetime.now(UTC) - timedelta(days=8)
    api.at(resolved_at - timedelta(hours=1))
    request = await raise_request(api, org, org.employee)
    api.at(resolved_at)
    request = await move(api, org.it_agent, request, "IN_PROGRESS", "RESOLVED")
    api.at(resolved_at + timedelta(days=7, minutes=1))
    # when the requester reopens it
    errors = await refused(
        api, org.employee, TRANSITION, id=request["id"], to="IN_PROGRESS", expectedVersion=request["version"]
    )
    # then
    assert errors == [
        {
            "field": ["input", "to"],
            "code": "REOPEN_WINDOW_EXPIRED",
            "message": "The reopen window of 7 days has passed.",
        }
    ]


# -- Creating requests: the catalog and the form ---------------------------------------------------------------


async def test_request_type_of_another_service(api, org: Org):
    # when
    errors = await refused(
        api,
        org.employee,
        CREATE,
        serviceId=org.gid("Service", "payroll"),
        title="Payslip",
        requestTypeId=org.gid("RequestType", "new_laptop"),
        fields=[{"key": "model", "value": "13-inch"}],
    )
    # then
    assert errors == [
        {
            "field": ["input", "requestTypeId"],
            "code": "REQUEST_TYPE_MISMATCH",
            "message": "The request type belongs to another service.",
        }
    ]


def _laptop(org: Org, *fields: tuple[str, str | None]) -> dict:
    return {
        "serviceId": org.gid("Service", "laptops"),
        "requestTypeId": org.gid("RequestType", "new_laptop"),
        "title": "New laptop",
        "fields": [{"key": k, "value": v} for k, v in fields],
    }


@pytest.mark.parametrize("value", [None, "", "   "])
async def test_missing_required_field(api, org: Org, value):
    # given a form whose "model" is required, left out or blank
    fields = [("notes", "for Jane")] if value is None else [("model", value)]
    # when
    errors = await refused(api, org.employee, CREATE, **_laptop(org, *fields))
    # then
    assert errors == [
        {"field": ["input", "fields", "model"], "code": "REQUIRED_FIELD", "message": "'Model' is required."}
    ]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("budget", "lots", "'Budget' must be a number."),
        ("budget", "NaN", "'Budget' must be a finite number."),
        ("needed_by", "next friday", "'Needed by' must be a date (YYYY-MM-DD)."),
        ("needed_by", "2025-02-30", "'Needed by' must be a date (YYYY-MM-DD)."),
        ("model", "17-inch", "'Model' must be one of: 13-inch, 15-inch."),
        ("manager", "Ivan Manager", "'Manager' must name an existing person."),
        ("manager", gid("Person", 999_999), "'Manager' must name an existing person."),
        ("manager", gid("Department", 1), "'Manager' must name an existing person."),
    ],
)
async def test_value_of_the_wrong_kind(api, org: Org, key, value, message):
    # given
    fields = [("model", "13-inch"), (key, value)] if key != "model" else [(key, value)]
    # when
    errors = await refused(api, org.employee, CREATE, **_laptop(org, *fields))
    # then
    assert errors == [{"field": ["input", "fields", key], "code": "INVALID_FIELD", "message": message}]


async def test_wrong_kind_on_update(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee, laptop=True)
    # when
    errors = await refused(
        api,
        org.employee,
        UPDATE,
        id=request["id"],
        expectedVersion=request["version"],
        fields=[{"key": "budget", "value": "12 euros"}],
    )
    # then
    assert codes(errors) == [("INVALID_FIELD", ["input", "fields", "budget"])]


async def test_unknown_field_key(api, org: Org):
    # when
    on_form = await refused(api, org.employee, CREATE, **_laptop(org, ("model", "13-inch"), ("colour", "red")))
    without_form = await refused(
        api,
        org.employee,
        CREATE,
        serviceId=org.gid("Service", "laptops"),
        title="Slow",
        fields=[{"key": "colour", "value": "red"}],
    )
    # then
    for errors in (on_form, without_form):
        assert errors == [
            {"field": ["input", "fields", "colour"], "code": "UNKNOWN_FIELD", "message": "Unknown field 'colour'."}
        ]


@pytest.mark.parametrize("title", ["", "   ", "\n\t"])
async def test_blank_title_on_create(api, org: Org, title):
    # when
    errors = await refused(api, org.employee, CREATE, serviceId=org.gid("Service", "laptops"), title=title)
    # then
    assert errors == [{"field": ["input", "title"], "code": "INVALID_INPUT", "message": "Title must not be blank."}]


async def test_blank_title_on_update(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee)
    # when
    errors = await refused(api, org.it_agent, UPDATE, id=request["id"], expectedVersion=1, title="   ")
    # then
    assert errors == [{"field": ["input", "title"], "code": "INVALID_INPUT", "message": "Title must not be blank."}]


async def test_title_too_long(api, org: Org):
    # when
    errors = await refused(api, org.employee, CREATE, serviceId=org.gid("Service", "laptops"), title="x" * 201)
    # then
    assert codes(errors) == [("INVALID_INPUT", ["input", "title"])]


async def test_blank_comment(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee)
    # when
    errors = await refused(api, org.employee, COMMENT_ADD, requestId=request["id"], body="  ")
    # then
    assert errors == [{"field": ["input", "body"], "code": "INVALID_INPUT", "message": "Body must not be blank."}]


# -- Assigning, handing off, rating ---------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["hr_agent", "fac_agent", "employee", "admin"])
async def test_assignee_outside_the_owning_department(api, org: Org, person):
    # given an IT request
    request = await raise_request(api, org, org.employee, laptop=True)
    # when it is assigned to someone who is not IT staff (even Facilities, which has a task on it)
    errors = await refused(
        api, org.it_agent, ASSIGN, id=request["id"], assigneeId=org.gid("Person", person), expectedVersion=1
    )
    # then
    assert errors == [
        {
            "field": ["input", "assigneeId"],
            "code": "ASSIGNEE_NOT_IN_DEPARTMENT",
            "message": "The assignee must be an agent of the owning department.",
        }
    ]


async def test_hand_off_to_the_same_department(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee)
    # when
    errors = await refused(
        api,
        org.it_agent,
        HAND_OFF,
        id=request["id"],
        toDepartmentId=org.gid("Department", "it"),
        reason="Ours anyway",
        expectedVersion=1,
    )
    # then
    assert errors == [
        {
            "field": ["input", "toDepartmentId"],
            "code": "SAME_DEPARTMENT",
            "message": "The request already belongs to that department.",
        }
    ]


async def test_hand_off_without_a_reason(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee)
    # when
    errors = await refused(
        api,
        org.it_agent,
        HAND_OFF,
        id=request["id"],
        toDepartmentId=org.gid("Department", "hr"),
        reason="  ",
        expectedVersion=1,
    )
    # then
    assert codes(errors) == [("INVALID_INPUT", ["input", "reason"])]


async def test_rating_before_resolution(api, org: Org):
    # given
    request = await move(api, org.it_agent, await raise_request(api, org, org.employee), "IN_PROGRESS")
    # when
    errors = await refused(api, org.employee, RATE, id=request["id"], score=5)
    # then
    assert errors == [
        {"field": ["input", "id"], "code": "NOT_RESOLVED", "message": "A request is rated after it is resolved."}
    ]


@pytest.mark.parametrize("score", [0, 6, -1, 100])
async def test_rating_out_of_range(api, org: Org, score):
    # given a resolved request
    request = await move(api, org.it_agent, await raise_request(api, org, org.employee), "RESOLVED")
    # when
    errors = await refused(api, org.employee, RATE, id=request["id"], score=score)
    # then
    assert errors == [
        {"field": ["input", "score"], "code": "SCORE_OUT_OF_RANGE", "message": "The score is from 1 to 5."}
    ]


async def test_rating_twice(api, org: Org):
    # given a rated request
    request = await move(api, org.it_agent, await raise_request(api, org, org.employee), "RESOLVED")
    ok(await act(api, org.employee, RATE, id=request["id"], score=4))
    # when
    errors = await refused(api, org.employee, RATE, id=request["id"], score=5)
    # then
    assert codes(errors) == [("ALREADY_RATED", ["input", "id"])]


# -- IDs: foreign, malformed, absent, invisible -----------------------------------------------------------------


async def test_foreign_id(api, org: Org):
    # given a Department ID where a Request ID is expected
    department = org.gid("Department", "it")
    # when
    errors = await refused(api, org.admin, TRANSITION, id=department, to="TRIAGED", expectedVersion=1)
    # then
    assert errors == [{"field": ["input", "id"], "code": "NOT_FOUND", "message": "No request has this ID."}]


async def test_foreign_id_in_a_nested_input(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee)
    # when a Service ID is given as the department to hand off to
    errors = await refused(
        api,
        org.it_agent,
        HAND_OFF,
        id=request["id"],
        toDepartmentId=org.gid("Service", "payroll"),
        reason="Payroll",
        expectedVersion=1,
    )
    # then
    assert errors == [
        {"field": ["input", "toDepartmentId"], "code": "NOT_FOUND", "message": "No department has this ID."}
    ]


@pytest.mark.parametrize("malformed", ["", "not-an-id", "UmVxdWVzdDp4", "UmVxdWVzdDow", "UmVxdWVzdDotMQ", "🙂"])
async def test_malformed_id(api, org: Org, malformed):
    # given IDs that decode to nothing, 'Request:x', 'Request:0' and 'Request:-1'
    await raise_request(api, org, org.employee)
    # when
    errors = await refused(api, org.it_agent, TRANSITION, id=malformed, to="TRIAGED", expectedVersion=1)
    node = await api.ok(NODE, org.it_agent, id=malformed)
    # then
    assert errors == [{"field": ["input", "id"], "code": "NOT_FOUND", "message": "No request has this ID."}]
    assert node == {"node": None}


async def test_a_request_the_viewer_may_not_see_answers_as_absent(api, org: Org):
    # given employee's request, and an ID that names no request
    request = await raise_request(api, org, org.employee, laptop=True)
    absent = gid("Request", 999_999)
    for outsider in (org.other, org.hr_agent, org.hr_manager):
        # when outsiders act on it
        for mutation, extra in (
            (TRANSITION, {"to": "TRIAGED", "expectedVersion": 1}),
            (UPDATE, {"title": "Mine now", "expectedVersion": 1}),
            (ASSIGN, {"assigneeId": None, "expectedVersion": 1}),
            (HAND_OFF, {"toDepartmentId": org.gid("Department", "hr"), "reason": "x", "expectedVersion": 1}),
            (RATE, {"score": 1}),
            (WATCH, {}),
        ):
            hidden = await refused(api, outsider, mutation, id=request["id"], **extra)
            missing = await refused(api, outsider, mutation, id=absent, **extra)
            # then the answer is exactly the one for a request that does not exist
            assert hidden == missing == [{"field": ["input", "id"], "code": "NOT_FOUND", "message": "No such request."}]
        hidden = await refused(api, outsider, COMMENT_ADD, requestId=request["id"], body="Hello")
        missing = await refused(api, outsider, COMMENT_ADD, requestId=absent, body="Hello")
        assert (
            hidden == missing == [{"field": ["input", "requestId"], "code": "NOT_FOUND", "message": "No such request."}]
        )
        # and node(id:) is null for both
        assert await api.ok(NODES, outsider, ids=[request["id"], absent]) == {"nodes": [None, None]}


async def test_a_task_the_viewer_may_not_see_answers_as_absent(api, org: Org):
    # given a laptop request's Facilities task
    request = await raise_request(api, org, org.employee, laptop=True)
    task = request["tasks"][0]["id"]
    # when an HR agent completes it, or a task that does not exist
    hidden = await refused(api, org.hr_agent, TASK_COMPLETE, id=task)
    missing = await refused(api, org.hr_agent, TASK_COMPLETE, id=gid("Task", 999_999))
    # then
    assert hidden == missing == [{"field": ["input", "id"], "code": "NOT_FOUND", "message": "No such task."}]
    assert (await api.ok(NODE, org.hr_agent, id=task)) == {"node": None}


async def test_an_unknown_department_to_hand_off_to(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee)
    # when
    errors = await refused(
        api,
        org.it_agent,
        HAND_OFF,
        id=request["id"],
        toDepartmentId=gid("Department", 999_999),
        reason="Elsewhere",
        expectedVersion=1,
    )
    # then
    assert errors == [{"field": ["input", "toDepartmentId"], "code": "NOT_FOUND", "message": "No such department."}]


async def test_an_unknown_service(api, org: Org):
    # when
    errors = await refused(api, org.employee, CREATE, serviceId=gid("Service", 999_999), title="Slow")
    # then
    assert errors == [{"field": ["input", "serviceId"], "code": "NOT_FOUND", "message": "No such service."}]


# -- Idempotency keys -----------------------------------------------------------------------------------------


async def test_idempotency_key_reused_with_different_input(api, org: Org):
    # given a request created with a key
    first = ok(
        await act(
            api,
            org.employee,
            CREATE,
            serviceId=org.gid("Service", "laptops"),
            title="Slow laptop",
            idempotencyKey="k-1",
        )
    )
    # when the same key comes with another title
    errors = await refused(
        api, org.employee, CREATE, serviceId=org.gid("Service", "laptops"), title="Fast laptop", idempotencyKey="k-1"
    )
    # then
    assert errors == [
        {
            "field": ["input", "idempotencyKey"],
            "code": "IDEMPOTENCY_KEY_REUSED",
            "message": "This idempotency key was used for a different call.",
        }
    ]
    assert first["number"] == "REQ-1001"


async def test_comment_idempotency_key_reused_with_different_input(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee)
    await comment(api, org.employee, request, "It is slow", idempotencyKey="c-1")
    # when
    errors = await refused(
        api, org.employee, COMMENT_ADD, requestId=request["id"], body="It is very slow", idempotencyKey="c-1"
    )
    # then
    assert codes(errors) == [("IDEMPOTENCY_KEY_REUSED", ["input", "idempotencyKey"])]


async def test_idempotency_key_too_long(api, org: Org):
    # when
    errors = await refused(
        api, org.employee, CREATE, serviceId=org.gid("Service", "laptops"), title="Slow", idempotencyKey="k" * 201
    )
    # then
    assert codes(errors) == [("INVALID_IDEMPOTENCY_KEY", ["input", "idempotencyKey"])]


async def test_a_refused_create_does_not_burn_its_idempotency_key(api, org: Org):
    # given a create refused for a blank title
    await refused(api, org.employee, CREATE, serviceId=org.gid("Service", "laptops"), title=" ", idempotencyKey="k")
    # when the client fixes the title and retries with the same key
    request = ok(
        await act(api, org.employee, CREATE, serviceId=org.gid("Service", "laptops"), title="Slow", idempotencyKey="k")
    )
    # then
    assert request["title"] == "Slow"


# -- Reading: cursors and paging arguments ---------------------------------------------------------------------


@pytest.mark.parametrize("cursor", ["garbage", "", "W10", "eyJ2IjoxfQ"])
async def test_bad_cursor(api, org: Org, cursor):
    # given
    request = await raise_request(api, org, org.employee)
    before = await snapshot(api.engine)
    # when
    top = await api.run("query($after: String) { requests(after: $after) { totalCount } }", org.employee, after=cursor)
    comments = await api.run(
        """query($id: ID!, $after: String) { node(id: $id) { ... on Request {
      comments(after: $after) { totalCount } } } }""",
        org.employee,
        id=request["id"],
        after=cursor,
    )
    activity = await api.run(
        """query($id: ID!, $after: String) { node(id: $id) { ... on Request {
      activity(after: $after) { totalCount } } } }""",
        org.employee,
        id=request["id"],
        after=cursor,
    )
    services = await api.run(
        "query($after: String) { services(after: $after) { totalCount } }", org.employee, after=cursor
    )
    # then
    assert await snapshot(api.engine) == before
    assert top.data is None
    for result in (top, services, comments, activity):
        assert [e.extensions["code"] for e in result.errors] == ["BAD_USER_INPUT"]
        assert "cursor" in result.errors[0].message
    # the connections are non-null, so the request holding them is nulled
    assert comments.data == activity.data == {"node": None}


async def test_negative_first(api, org: Org):
    # when
    result = await api.run("{ requests(first: -1) { totalCount } }", org.employee)
    # then
    assert [e.extensions["code"] for e in result.errors] == ["BAD_USER_INPUT"]


# -- Unauthenticated ------------------------------------------------------------------------------------------


async def test_unauthenticated_calls(api, org: Org):
    # given no viewer
    before = await snapshot(api.engine)
    # when
    query = await api.run("{ requests { totalCount } }", None)
    viewer = await api.run("{ viewer { email } }", None)
    node = await api.run(NODE, None, id=org.gid("Service", "laptops"))
    mutation = await api.run(CREATE, None, input={"serviceId": org.gid("Service", "laptops"), "title": "Slow"})
    both = await asyncio.gather(
        api.run("{ departments { totalCount } }", None), api.run("{ services { totalCount } }", None)
    )
    # then
    for result in (query, viewer, mutation, *both):
        assert result.data is None
    assert node.data == {"node": None}  # node(id:) is nullable
    for result in (query, viewer, node, mutation, *both):
        assert [e.extensions["code"] for e in result.errors] == ["UNAUTHENTICATED"]
    assert await snapshot(api.engine) == before
