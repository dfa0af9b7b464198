"""Requests end to end through GraphQL: the happy paths a portal, an app and an agent workspace take."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from schema import ids
from tests.graphql.request_ops import (
    ACTIVITY,
    ASSIGN,
    COMMENT_ADD,
    COMMENTS,
    CREATE,
    HAND_OFF,
    RATE,
    TASK_ADD,
    TASK_COMPLETE,
    UPDATE,
    WATCH,
    act,
    comment,
    fetch,
    listed,
    move,
    numbers,
    ok,
    raise_request,
)
from tests.support.database import snapshot
from tests.support.org import Org


def _start() -> datetime:
    """A whole-second moment two days ago, so SLA due dates are easy to state."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


async def _activity_types(api, viewer, request) -> list[str]:
    activity = (await api.ok(ACTIVITY, viewer, id=request["id"], first=100))["node"]["activity"]
    return [edge["node"]["type"] for edge in activity["edges"]]


# -- Creating and updating -------------------------------------------------------------------------------------


async def test_create_with_fields_fans_out_tasks_and_numbers_requests(api, org: Org):
    # given
    t0 = _start()
    api.at(t0)
    manager = org.gid("Person", "it_manager")
    # when employee fills in the "New laptop" form
    request = ok(
        await act(
            api,
            org.employee,
            CREATE,
            serviceId=org.gid("Service", "laptops"),
            requestTypeId=org.gid("RequestType", "new_laptop"),
            title="  Laptop for Jane  ",
            description="She starts Monday",
            priority="HIGH",
            fields=[
                {"key": "notes", "value": "Dutch keyboard"},
                {"key": "model", "value": "15-inch"},
                {"key": "needed_by", "value": "2030-01-15"},
                {"key": "budget", "value": " 1500.50 "},
                {"key": "manager", "value": manager},
            ],
        )
    )
    second = await raise_request(api, org, org.other, service="payroll", title="Payslip missing")
    # then
    assert request["number"] == "REQ-1001" and second["number"] == "REQ-1002"
    assert (request["title"], request["description"], request["status"], request["priority"], request["version"]) == (
        "Laptop for Jane",
        "She starts Monday",
        "NEW",
        "HIGH",
        1,
    )
    assert request["service"] == {"name": "Laptops"} and request["requestType"] == {"name": "New laptop"}
    assert request["requester"] == {"email": "employee@example.com"} and request["assignee"] is None
    assert request["ownerDepartment"] == {"name": "IT"}
    # the values come back normalised, in the form's order, with unset ones as null
    assert request["fields"] == [
        {"key": "model", "value": "15-inch"},
        {"key": "needed_by", "value": "2030-01-15"},
        {"key": "budget", "value": "1500.50"},
        {"key": "manager", "value": manager},
        {"key": "notes", "value": "Dutch keyboard"},
    ]
    assert [(t["title"], t["status"], t["department"]["name"]) for t in request["tasks"]] == [
        ("Set up desk", "OPEN", "Facilities")
    ]
    # HIGH halves the form's SLA of 60 / 480 minutes
    assert _at(request["sla"]["responseDueAt"]) == t0 + timedelta(minutes=30)
    assert _at(request["sla"]["resolutionDueAt"]) == t0 + timedelta(minutes=240)
    assert request["sla"]["paused"] is False
    assert _at(request["createdAt"]) == _at(request["updatedAt"]) == t0 and request["resolvedAt"] is None
    assert await _activity_types(api, org.employee, request) == ["RequestCreated"]
    assert second["fields"] == [] and second["tasks"] == [] and second["ownerDepartment"] == {"name": "HR"}


async def test_update_by_the_requester_and_the_owning_department(api, org: Org):
    # given a new laptop request
    t0 = _start()
    api.at(t0)
    request = await raise_request(api, org, org.employee, laptop=True, title="Laptop")
    # when the requester corrects the title, description and one field (the rest is kept)
    api.at(t0 + timedelta(minutes=5))
    request = ok(
        await act(
            api,
            org.employee,
            UPDATE,
            id=request["id"],
            expectedVersion=1,
            title="Laptop for Jane",
            description="Starts Monday",
            fields=[{"key": "budget", "value": "900"}],
        )
    )
    # then
    assert (request["title"], request["description"], request["version"]) == ("Laptop for Jane", "Starts Monday", 2)
    assert [f["value"] for f in request["fields"]] == ["13-inch", None, "900", None, None]
    assert _at(request["updatedAt"]) == t0 + timedelta(minutes=5)
    # when the owning department raises the priority
    request = ok(await act(api, org.it_agent, UPDATE, id=request["id"], expectedVersion=2, priority="URGENT"))
    # then the SLA follows it (a quarter of 60 / 480 minutes, from creation)
    assert (request["priority"], request["version"]) == ("URGENT", 3)
    assert _at(request["sla"]["responseDueAt"]) == t0 + timedelta(minutes=15)
    assert _at(request["sla"]["resolutionDueAt"]) == t0 + timedelta(minutes=120)
    # and an update that changes nothing keeps the version
    unchanged = ok(await act(api, org.it_agent, UPDATE, id=request["id"], expectedVersion=3, title="Laptop for Jane"))
    assert unchanged["version"] == 3
    assert await _activity_types(api, org.it_agent, request) == ["RequestCreated", "RequestUpdated", "RequestUpdated"]


# -- The workflow ----------------------------------------------------------------------------------------------


async def test_the_full_workflow(api, org: Org):
    # given employee raises a laptop request (SLA 60 / 480 minutes) with a Facilities task
    t0 = _start()
    api.at(t0)
    request = await raise_request(api, org, org.employee, laptop=True, title="Laptop for Jane")
    task_id = request["tasks"][0]["id"]

    # when IT triages and starts work
    api.at(t0 + timedelta(minutes=10))
    request = await move(api, org.it_agent, request, "TRIAGED")
    api.at(t0 + timedelta(minutes=20))
    request = await move(api, org.it_agent, request, "IN_PROGRESS")
    assert (request["status"], request["version"]) == ("IN_PROGRESS", 3)

    # when IT waits on the requester: the SLA clock pauses
    api.at(t0 + timedelta(minutes=30))
    request = await move(api, org.it_agent, request, "WAITING_ON_REQUESTER")
    assert request["sla"]["paused"] is True
    assert _at(request["sla"]["resolutionDueAt"]) == t0 + timedelta(minutes=480)

    # when the requester answers an hour later: work resumes and the due date moves by the wait
    api.at(t0 + timedelta(minutes=90))
    await comment(api, org.employee, request, "She prefers the 15-inch")
    request = await fetch(api, org.employee, request["id"])
    assert (request["status"], request["version"]) == ("IN_PROGRESS", 5)
    assert request["sla"]["paused"] is False
    assert _at(request["sla"]["resolutionDueAt"]) == t0 + timedelta(minutes=540)

    # when Facilities completes its task
    api.at(t0 + timedelta(minutes=100))
    task = ok(await act(api, org.fac_agent, TASK_COMPLETE, id=task_id), "task")
    assert task["status"] == "DONE" and task["request"]["version"] == 6

    # when IT resolves it
    api.at(t0 + timedelta(minutes=120))
    request = await move(api, org.it_agent, request | {"version": 6}, "RESOLVED")
    assert request["status"] == "RESOLVED"
    assert _at(request["resolvedAt"]) == t0 + timedelta(minutes=120)
    assert request["sla"]["breached"] is False

    # when the requester rates and closes it
    api.at(t0 + timedelta(minutes=130))
    request = ok(await act(api, org.employee, RATE, id=request["id"], score=5, comment="  Quick, thanks  "))
    assert request["satisfaction"] == {"score": 5, "comment": "Quick, thanks"}
    request = await move(api, org.employee, request, "CLOSED")

    # then
    assert (request["status"], request["version"]) == ("CLOSED", 9)
    assert [t["status"] for t in request["tasks"]] == ["DONE"]
    assert await _activity_types(api, org.it_agent, request) == [
        "RequestCreated",
        "RequestTransitioned",
        "RequestTransitioned",
        "RequestTransitioned",
        "CommentAdded",
        "RequestTransitioned",
        "TaskCompleted",
        "RequestTransitioned",
        "RequestRated",
        "RequestTransitioned",
    ]
    summaries = (await api.ok(ACTIVITY, org.employee, id=request["id"]))["node"]["activity"]["edges"]
    assert [e["node"]["summary"] for e in summaries][4:6] == [
        "Commented: She prefers the 15-inch",
        "Moved from WAITING_ON_REQUESTER to IN_PROGRESS (The requester replied)",
    ]
    # (a requester sees their own email, not the agent's)
    assert [e["node"]["actor"] for e in summaries][:2] == [{"email": "employee@example.com"}, {"email": None}]


async def test_waiting_on_a_department_resumes_when_its_tasks_are_done(api, org: Org):
    # given a laptop request IT parks until Facilities is done
    request = await raise_request(api, org, org.employee, laptop=True)
    request = await move(api, org.it_agent, request, "TRIAGED", "WAITING_ON_DEPARTMENT")
    # when Facilities completes the task
    ok(await act(api, org.fac_agent, TASK_COMPLETE, id=request["tasks"][0]["id"]), "task")
    # then the request is back in progress
    assert (await fetch(api, org.it_agent, request["id"]))["status"] == "IN_PROGRESS"


async def test_requester_reopens_within_the_window(api, org: Org):
    # given a request resolved almost seven days ago
    resolved_at = datetime.now(UTC) - timedelta(days=7)
    api.at(resolved_at - timedelta(hours=1))
    request = await raise_request(api, org, org.employee)
    api.at(resolved_at)
    request = await move(api, org.it_agent, request, "IN_PROGRESS", "RESOLVED")
    # when the requester reopens it just inside the window
    api.at(resolved_at + timedelta(days=7) - timedelta(minutes=1))
    request = await move(api, org.employee, request, "IN_PROGRESS")
    # then
    assert (request["status"], request["resolvedAt"]) == ("IN_PROGRESS", None)


async def test_assign_reassign_and_unassign(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee)
    # when
    assigned = ok(
        await act(
            api, org.it_agent, ASSIGN, id=request["id"], assigneeId=org.gid("Person", "it_agent2"), expectedVersion=1
        )
    )
    same = ok(
        await act(
            api, org.it_agent, ASSIGN, id=request["id"], assigneeId=org.gid("Person", "it_agent2"), expectedVersion=2
        )
    )
    manager = ok(
        await act(
            api, org.it_agent, ASSIGN, id=request["id"], assigneeId=org.gid("Person", "it_manager"), expectedVersion=2
        )
    )
    nobody = ok(await act(api, org.it_agent, ASSIGN, id=request["id"], assigneeId=None, expectedVersion=3))
    # then
    assert (assigned["assignee"], assigned["version"]) == ({"email": "it.agent2@example.com"}, 2)
    assert same["version"] == 2  # assigning the same person changes nothing
    assert (manager["assignee"], manager["version"]) == ({"email": "it.manager@example.com"}, 3)
    assert (nobody["assignee"], nobody["version"]) == (None, 4)
    summaries = (await api.ok(ACTIVITY, org.it_agent, id=request["id"]))["node"]["activity"]["edges"]
    assert [e["node"]["summary"] for e in summaries][1:] == ["Assigned", "Assigned", "Unassigned"]


async def test_hand_off(api, org: Org):
    # given an assigned IT request
    request = await raise_request(api, org, org.employee, title="Pay for my laptop?")
    request = ok(
        await act(
            api, org.it_agent, ASSIGN, id=request["id"], assigneeId=org.gid("Person", "it_agent"), expectedVersion=1
        )
    )
    # when IT's manager hands it off to HR
    await act(
        api,
        org.it_manager,
        HAND_OFF,
        id=request["id"],
        toDepartmentId=org.gid("Department", "hr"),
        reason="  It is about pay  ",
        expectedVersion=2,
    )
    # then HR owns it, unassigned, and decides from now on
    request = await fetch(api, org.hr_agent, request["id"])
    assert (request["ownerDepartment"], request["assignee"], request["version"]) == ({"name": "HR"}, None, 3)
    request = ok(
        await act(
            api, org.hr_agent, ASSIGN, id=request["id"], assigneeId=org.gid("Person", "hr_agent"), expectedVersion=3
        )
    )
    assert request["assignee"] == {"email": "hr.agent@example.com"}
    summaries = (await api.ok(ACTIVITY, org.employee, id=request["id"]))["node"]["activity"]["edges"]
    assert [e["node"]["summary"] for e in summaries] == [
        "Raised REQ-1001: Pay for my laptop?",
        "Assigned",
        "Handed off to another department: It is about pay",
        "Assigned",
    ]


async def test_watch_and_unwatch(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee)
    # when an IT agent watches, and adds `other` as a watcher
    request = ok(await act(api, org.it_agent2, WATCH, id=request["id"]))
    request = ok(await act(api, org.it_agent, WATCH, id=request["id"], personId=org.gid("Person", "other")))
    # then
    assert sorted(w["email"] for w in request["watchers"]) == ["it.agent2@example.com", "other@example.com"]
    assert request["version"] == 3
    assert (await fetch(api, org.other, request["id"]))["title"] == "My laptop is slow"
    # when the agent stops watching, twice
    request = ok(await act(api, org.it_agent2, WATCH, id=request["id"], watching=False))
    again = ok(await act(api, org.it_agent2, WATCH, id=request["id"], watching=False))
    # then
    assert [w["email"] for w in request["watchers"]] == ["other@example.com"]
    assert request["version"] == again["version"] == 4
    assert await _activity_types(api, org.it_agent, request) == [
        "RequestCreated",
        "WatcherAdded",
        "WatcherAdded",
        "WatcherRemoved",
    ]


async def test_add_a_task(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee)
    # when IT asks Facilities for help
    task = ok(
        await act(
            api,
            org.it_agent,
            TASK_ADD,
            requestId=request["id"],
            title="Move the docking station",
            departmentId=org.gid("Department", "facilities"),
            expectedVersion=1,
        ),
        "task",
    )
    # then
    assert (task["title"], task["status"], task["department"]) == (
        "Move the docking station",
        "OPEN",
        {"name": "Facilities"},
    )
    assert task["request"]["id"] == request["id"]
    assert (await fetch(api, org.fac_agent, request["id"]))["tasks"][0]["id"] == task["id"]


# -- Comments and activity -------------------------------------------------------------------------------------


async def test_comments_are_paged_oldest_first(api, org: Org):
    # given five comments, one of them internal
    t0 = _start()
    api.at(t0)
    request = await raise_request(api, org, org.employee)
    script = [
        (org.employee, "one", False),
        (org.it_agent, "two", False),
        (org.it_agent, "three (internal)", True),
        (org.employee, "four", False),
        (org.it_agent, "five", False),
    ]
    for minute, (author, body, internal) in enumerate(script, start=1):
        api.at(t0 + timedelta(minutes=minute))
        written = await comment(api, author, request, body, internal=internal)
        assert (written["body"], written["internal"], written["author"]["email"]) == (body, internal, author.email)

    # when IT pages through them two at a time
    async def page(viewer, after=None):
        node = (await api.ok(COMMENTS, viewer, id=request["id"], first=2, after=after))["node"]
        return node["comments"]

    first = await page(org.it_agent)
    second = await page(org.it_agent, first["pageInfo"]["endCursor"])
    third = await page(org.it_agent, second["pageInfo"]["endCursor"])

    # then
    bodies = [[e["node"]["body"] for e in p["edges"]] for p in (first, second, third)]
    assert bodies == [["one", "two"], ["three (internal)", "four"], ["five"]]
    assert [p["totalCount"] for p in (first, second, third)] == [5, 5, 5]
    assert [(p["pageInfo"]["hasNextPage"], p["pageInfo"]["hasPreviousPage"]) for p in (first, second, third)] == [
        (True, False),
        (True, True),
        (False, True),
    ]
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"]
    # and the requester pages without the internal note
    mine_first = await page(org.employee)
    mine_second = await page(org.employee, mine_first["pageInfo"]["endCursor"])
    assert [e["node"]["body"] for e in mine_first["edges"] + mine_second["edges"]] == ["one", "two", "four", "five"]
    assert mine_second["pageInfo"]["hasNextPage"] is False and mine_first["totalCount"] == 4


async def test_activity_lists_the_events_in_order_and_pages(api, org: Org):
    # given a request with several changes
    request = await raise_request(api, org, org.employee, laptop=True)
    request = await move(api, org.it_agent, request, "TRIAGED")
    await comment(api, org.it_agent, request, "Ordering it", internal=True)
    request = ok(
        await act(
            api, org.it_agent, ASSIGN, id=request["id"], assigneeId=org.gid("Person", "it_agent"), expectedVersion=2
        )
    )
    request = ok(await act(api, org.employee, WATCH, id=request["id"]))
    ok(await act(api, org.fac_agent, TASK_COMPLETE, id=request["tasks"][0]["id"]), "task")
    expected = [
        "RequestCreated",
        "RequestTransitioned",
        "CommentAdded",
        "RequestAssigned",
        "WatcherAdded",
        "TaskCompleted",
    ]
    # when IT pages through the activity, four at a time
    first = (await api.ok(ACTIVITY, org.it_agent, id=request["id"], first=4))["node"]["activity"]
    rest = (await api.ok(ACTIVITY, org.it_agent, id=request["id"], first=4, after=first["pageInfo"]["endCursor"]))[
        "node"
    ]["activity"]
    # then
    assert [e["node"]["type"] for e in first["edges"] + rest["edges"]] == expected
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasNextPage"]) == (6, True, False)
    assert {e["node"]["request"]["id"] for e in first["edges"] + rest["edges"]} == {request["id"]}
    assert len({e["node"]["id"] for e in first["edges"] + rest["edges"]}) == 6
    # and the requester's timeline leaves the internal note out
    assert await _activity_types(api, org.employee, request) == [t for t in expected if t != "CommentAdded"]


# -- Listing: filters ------------------------------------------------------------------------------------------


async def _filter_dataset(api, org: Org, t0: datetime) -> dict[str, str]:
    """Five requests at known moments; returns title -> number."""
    made = {}
    api.at(t0)
    r1 = await raise_request(api, org, org.employee, title="Printer jammed on floor three", priority="LOW")
    api.at(t0 + timedelta(hours=1))
    r2 = await raise_request(
        api,
        org,
        org.other,
        laptop=True,
        title="New laptop for Jane",
        description="Screen flickers when docked",
        priority="HIGH",
    )
    api.at(t0 + timedelta(hours=2))
    r3 = await raise_request(
        api, org, org.employee, service="payroll", title="Payslip missing for March", priority="URGENT"
    )
    api.at(t0 + timedelta(hours=3))
    r4 = await raise_request(api, org, org.other, title="Keyboard broken")
    api.at(t0 + timedelta(hours=3, minutes=30))
    r4 = await move(api, org.it_agent, r4, "TRIAGED")
    ok(await act(api, org.it_agent, ASSIGN, id=r4["id"], assigneeId=org.gid("Person", "it_agent"), expectedVersion=2))
    api.at(t0 + timedelta(hours=4))
    r5 = await raise_request(api, org, org.employee, title="Laptop battery drains")
    api.at(t0 + timedelta(hours=4, minutes=30))
    handed = await act(
        api,
        org.it_agent,
        HAND_OFF,
        id=r5["id"],
        toDepartmentId=org.gid("Department", "hr"),
        reason="Expense claim",
        expectedVersion=1,
    )
    assert handed == {"request": None, "userErrors": []}  # IT no longer sees it
    for r in (r1, r2, r3, r4, r5):
        made[r["title"]] = r["number"]
    return made


async def test_filters(api, org: Org):
    # given
    t0 = _start()
    n = await _filter_dataset(api, org, t0)
    printer, laptop, payslip, keyboard, battery = (
        n["Printer jammed on floor three"],
        n["New laptop for Jane"],
        n["Payslip missing for March"],
        n["Keyboard broken"],
        n["Laptop battery drains"],
    )

    async def matching(**filter) -> set[str]:
        page = await listed(api, org.admin, first=100, filter=filter)
        found = [e["node"]["number"] for e in page["edges"]]
        assert page["totalCount"] == len(found) == len(set(found))
        return set(found)

    # when / then
    assert await matching() == {printer, laptop, payslip, keyboard, battery}
    assert await matching(status=["TRIAGED"]) == {keyboard}
    assert await matching(status=["NEW", "TRIAGED"]) == {printer, laptop, payslip, keyboard, battery}
    assert await matching(priority=["HIGH", "URGENT"]) == {laptop, payslip}
    assert await matching(serviceId=org.gid("Service", "payroll")) == {payslip}
    assert await matching(ownerDepartmentId=org.gid("Department", "hr")) == {payslip, battery}
    assert await matching(ownerDepartmentId=org.gid("Department", "it")) == {printer, laptop, keyboard}
    assert await matching(assigneeId=org.gid("Person", "it_agent")) == {keyboard}
    assert await matching(unassigned=True) == {printer, laptop, payslip, battery}
    assert await matching(unassigned=False) == {keyboard}
    assert await matching(requesterId=org.gid("Person", "other")) == {laptop, keyboard}
    assert await matching(requesterId=org.gid("Department", "it")) == set()  # a foreign ID names nothing
    assert await matching(
        status=["NEW"], requesterId=org.gid("Person", "employee"), ownerDepartmentId=org.gid("Department", "it")
    ) == {printer}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("lap", {"New laptop for Jane", "Laptop battery drains"}),
        ("new lap", {"New laptop for Jane"}),
        ("flick", {"New laptop for Jane"}),  # in the description
        ("jam print", {"Printer jammed on floor three"}),  # any order
        ("PAYSLIP", {"Payslip missing for March"}),
        ("laptop printer", set()),
        ("aptop", set()),  # prefixes, not substrings
        (
            "  ",
            {
                "Printer jammed on floor three",
                "New laptop for Jane",
                "Payslip missing for March",
                "Keyboard broken",
                "Laptop battery drains",
            },
        ),
    ],
)
async def test_search(api, org: Org, search, expected):
    # given
    n = await _filter_dataset(api, org, _start())
    # when
    found = await numbers(api, org.admin, filter={"search": search})
    # then
    assert set(found) == {n[title] for title in expected}


async def test_created_and_updated_windows(api, org: Org):
    # given requests created hourly from t0; Keyboard changed at 3:30, Battery at 4:30
    t0 = _start()
    n = await _filter_dataset(api, org, t0)

    async def matching(**filter) -> set[str]:
        return set(await numbers(api, org.admin, filter={k: v.isoformat() for k, v in filter.items()}))

    # when / then: createdAfter is inclusive, createdBefore exclusive
    assert await matching(createdAfter=t0 + timedelta(hours=1), createdBefore=t0 + timedelta(hours=3)) == {
        n["New laptop for Jane"],
        n["Payslip missing for March"],
    }
    assert await matching(createdBefore=t0) == set()
    assert await matching(createdAfter=t0 + timedelta(hours=4)) == {n["Laptop battery drains"]}
    # incremental sync: what changed since the last look
    assert await matching(updatedAfter=t0 + timedelta(hours=3, minutes=1)) == {
        n["Keyboard broken"],
        n["Laptop battery drains"],
    }
    assert await matching(updatedAfter=t0 + timedelta(hours=4, minutes=30)) == set()
    # a comment later is a change too
    api.at(t0 + timedelta(hours=6))
    printer = (await listed(api, org.admin, filter={"search": "printer"}))["edges"][0]["node"]
    await comment(api, org.it_agent, printer, "Technician on the way")
    assert await matching(updatedAfter=t0 + timedelta(hours=5)) == {n["Printer jammed on floor three"]}


async def test_sla_breached(api, org: Org):
    # given one request left untouched for three days, one answered and resolved in time, and a fresh one
    long_ago = datetime.now(UTC) - timedelta(days=3)
    api.at(long_ago)
    forgotten = await raise_request(api, org, org.employee, title="Forgotten")
    handled = await raise_request(api, org, org.employee, title="Handled")
    api.at(long_ago + timedelta(minutes=5))
    await move(api, org.it_agent, handled, "IN_PROGRESS", "RESOLVED")
    api.at(datetime.now(UTC))
    fresh = await raise_request(api, org, org.employee, title="Fresh")
    # when
    breached = await numbers(api, org.it_agent, filter={"slaBreached": True})
    on_time = await numbers(api, org.it_agent, filter={"slaBreached": False})
    stats = (
        await api.ok(
            "query($id: ID!) { node(id: $id) { ... on Department { stats { open slaBreached } } } }",
            org.it_agent,
            id=org.gid("Department", "it"),
        )
    )["node"]["stats"]
    # then
    assert breached == [forgotten["number"]]
    assert set(on_time) == {handled["number"], fresh["number"]}
    assert (await fetch(api, org.it_agent, forgotten["id"]))["sla"]["breached"] is True
    assert (await fetch(api, org.it_agent, fresh["id"]))["sla"]["breached"] is False
    assert stats == {"open": 2, "slaBreached": 1}


# -- Listing: order and keyset paging --------------------------------------------------------------------------

PRIORITY_RANK = {"LOW": 0, "MEDIUM": 1, "HIGH": 2, "URGENT": 3}


async def _ordering_dataset(api, org: Org) -> list[dict]:
    """Seven requests with ties in created time, updated time and priority; returns a model of each."""
    t0 = _start()
    plan = [(0, "LOW"), (0, "URGENT"), (1, "MEDIUM"), (1, "URGENT"), (1, "LOW"), (2, "HIGH"), (3, "MEDIUM")]
    model = []
    for minute, priority in plan:
        api.at(t0 + timedelta(minutes=minute))
        request = await raise_request(api, org, org.employee, title=f"{priority} at {minute}", priority=priority)
        model.append(
            {
                "id": request["id"],
                "number": request["number"],
                "n": int(request["number"][4:]),
                "created": minute,
                "updated": minute,
                "priority": PRIORITY_RANK[priority],
                "request": request,
            }
        )
    for index, minute in ((2, 10), (5, 10), (0, 11)):  # two updates tie at minute 10
        api.at(t0 + timedelta(minutes=minute))
        ok(
            await act(
                api, org.it_agent, UPDATE, id=model[index]["id"], expectedVersion=1, description=f"touched at {minute}"
            )
        )
        model[index]["updated"] = minute
    return model


async def _all_pages(api, viewer, *, size: int, **variables) -> list[str]:
    seen, after, pages = [], None, 0
    while True:
        page = await listed(api, viewer, first=size, after=after, **variables)
        pages += 1
        info = page["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None)
        assert len(page["edges"]) <= size
        seen += [e["node"]["number"] for e in page["edges"]]
        if page["edges"]:
            assert (info["startCursor"], info["endCursor"]) == (page["edges"][0]["cursor"], page["edges"][-1]["cursor"])
        if not info["hasNextPage"]:
            return seen
        assert len(page["edges"]) == size
        after = info["endCursor"]
        assert pages < 20


@pytest.mark.parametrize("field", ["CREATED_AT", "UPDATED_AT", "NUMBER", "PRIORITY"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_order_and_keyset_paging(api, org: Org, field, direction):
    # given
    model = await _ordering_dataset(api, org)
    key = {"CREATED_AT": "created", "UPDATED_AT": "updated", "NUMBER": "n", "PRIORITY": "priority"}[field]
    expected = [m["number"] for m in sorted(model, key=lambda m: (m[key], m["n"]), reverse=direction == "DESC")]
    # when paging two and three at a time
    by_two = await _all_pages(api, org.it_agent, size=2, orderBy={"field": field, "direction": direction})
    by_three = await _all_pages(api, org.it_agent, size=3, orderBy={"field": field, "direction": direction})
    whole = await numbers(api, org.it_agent, orderBy={"field": field, "direction": direction})
    # then every page joins up: same order, no duplicates, no gaps
    assert by_two == by_three == whole == expected
    assert len(set(by_two)) == 7


async def test_default_order_is_newest_first(api, org: Org):
    # given
    model = await _ordering_dataset(api, org)
    # when
    found = await numbers(api, org.it_agent)
    # then
    assert found == [m["number"] for m in sorted(model, key=lambda m: (m["created"], m["n"]), reverse=True)]


async def test_paging_with_a_filter_keeps_to_the_filter(api, org: Org):
    # given
    model = await _ordering_dataset(api, org)
    # when
    found = await _all_pages(
        api,
        org.it_agent,
        size=1,
        filter={"priority": ["URGENT", "LOW"]},
        orderBy={"field": "PRIORITY", "direction": "DESC"},
    )
    # then
    chosen = [m for m in model if m["priority"] in (0, 3)]
    assert found == [m["number"] for m in sorted(chosen, key=lambda m: (m["priority"], m["n"]), reverse=True)]


async def test_first_is_capped_at_100(api, org: Org):
    # given 101 requests
    now = datetime.now(UTC)
    for i in range(101):
        await org.raise_request(org.employee, title=f"Request {i}", now=now + timedelta(seconds=i))
    # when
    page = await listed(api, org.it_agent, first=500)
    rest = await listed(api, org.it_agent, first=500, after=page["pageInfo"]["endCursor"])
    queue = (
        await api.ok(
            "query($id: ID!) { node(id: $id) { ... on Department { queue(first: 1000) { "
            "totalCount pageInfo { hasNextPage } edges { cursor } } } } }",
            org.it_agent,
            id=org.gid("Department", "it"),
        )
    )["node"]["queue"]
    # then
    assert (len(page["edges"]), page["pageInfo"]["hasNextPage"], page["totalCount"]) == (100, True, 101)
    assert (len(rest["edges"]), rest["pageInfo"]["hasNextPage"]) == (1, False)
    assert rest["edges"][0]["node"]["title"] == "Request 0"
    assert (len(queue["edges"]), queue["pageInfo"]["hasNextPage"], queue["totalCount"]) == (100, True, 101)


# -- Idempotent retries ----------------------------------------------------------------------------------------


async def test_request_create_retry_returns_the_first_result(api, org: Org):
    # given a request created with an idempotency key
    input = {"serviceId": org.gid("Service", "laptops"), "title": "Slow laptop", "idempotencyKey": "retry-1"}
    first = ok(await act(api, org.employee, CREATE, **input))
    before = await snapshot(api.engine)
    commits = list(api.commits)
    # when the app retries it (e.g. it never saw the answer)
    retry = await act(api, org.employee, CREATE, **input)
    # then it gets the first request back and nothing is written
    assert retry["userErrors"] == [] and retry["request"] == first
    assert await snapshot(api.engine) == before and api.commits == commits
    # while the same key from someone else is their own call
    theirs = ok(await act(api, org.other, CREATE, **input))
    assert theirs["number"] == "REQ-1002"


async def test_comment_add_retry_returns_the_first_result(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee)
    first = await comment(api, org.employee, request, "Still slow", idempotencyKey="c-1")
    before = await snapshot(api.engine)
    # when
    retry = ok(
        await act(api, org.employee, COMMENT_ADD, requestId=request["id"], body="Still slow", idempotencyKey="c-1"),
        "comment",
    )
    # then
    assert retry == first
    assert await snapshot(api.engine) == before
    assert (await api.ok(COMMENTS, org.employee, id=request["id"]))["node"]["comments"]["totalCount"] == 1


async def test_concurrent_creates_with_one_key_make_one_request(api, org: Org):
    # given two identical calls racing, as a flaky network's retry can
    input = {"serviceId": org.gid("Service", "laptops"), "title": "Slow laptop", "idempotencyKey": "race"}
    # when
    results = await asyncio.gather(*(api.run(CREATE, org.employee, input=input) for _ in range(2)))
    # then both answer with the same, single request
    payloads = [r.data["requestCreate"] for r in results]
    assert [r.errors for r in results] == [None, None]
    assert [p["userErrors"] for p in payloads] == [[], []]
    assert payloads[0]["request"]["id"] == payloads[1]["request"]["id"]
    everything = await listed(api, org.admin)
    assert everything["totalCount"] == 1
    assert await _activity_types(api, org.admin, payloads[0]["request"]) == ["RequestCreated"]


async def test_concurrent_comments_with_one_key_make_one_comment(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee)
    input = {"requestId": request["id"], "body": "Hello?", "idempotencyKey": "race"}
    # when
    results = await asyncio.gather(*(api.run(COMMENT_ADD, org.employee, input=input) for _ in range(3)))
    # then
    ids = {r.data["commentAdd"]["comment"]["id"] for r in results}
    assert len(ids) == 1
    assert (await api.ok(COMMENTS, org.admin, id=request["id"]))["node"]["comments"]["totalCount"] == 1


async def test_a_department_finds_the_requests_where_it_has_open_work(api, org: Org):
    # given two laptop requests, each fanning a desk task out to Facilities; one desk is done
    done = await org.raise_request(org.employee, request_type="new_laptop", fields={"model": "13-inch"}, title="Done")
    await org.raise_request(org.employee, request_type="new_laptop", fields={"model": "13-inch"}, title="Waiting")
    await org.raise_request(org.employee, title="No desk needed")
    task = (
        await api.ok(
            """query($id: ID!) { node(id: $id) { ... on Request { tasks { id } } } }""",
            org.fac_agent,
            id=ids.encode("Request", done),
        )
    )["node"]["tasks"][0]["id"]
    await api.mutate(
        "mutation($i: TaskCompleteInput!) { taskComplete(input: $i) { userErrors { code } } }",
        org.fac_agent,
        i={"id": task},
    )

    # when Facilities asks for requests with its open tasks
    data = await api.ok(
        """query($d: ID!) { requests(filter: {openTaskDepartmentId: $d}) {
        totalCount edges { node { title } } } }""",
        org.fac_agent,
        d=org.gid("Department", "facilities"),
    )

    # then only the one still waiting on it
    assert [e["node"]["title"] for e in data["requests"]["edges"]] == ["Waiting"]
    assert data["requests"]["totalCount"] == 1
