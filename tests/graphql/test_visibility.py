"""Who sees what, and who decides: the same rule on every read path (lists, counts, node, nested fields)."""

from __future__ import annotations

from tests.graphql.request_ops import (
    ACTIVITY,
    ASSIGN,
    COMMENTS,
    CREATE,
    HAND_OFF,
    NODE,
    NODES,
    TASK_ADD,
    TASK_COMPLETE,
    TRANSITION,
    UPDATE,
    WATCH,
    act,
    codes,
    comment,
    fetch,
    listed,
    move,
    ok,
    raise_request,
    refused,
)
from tests.support.org import Org

QUEUE = """query($id: ID!) { node(id: $id) { ... on Department {
  queue(first: 50) { totalCount edges { node { number title } } }
  stats { open byStatus { status count } byPriority { priority count } slaBreached resolvedToday } } } }"""
QUEUE_COMMENTS = """query($id: ID!) { node(id: $id) { ... on Department {
  queue { edges { node { comments { totalCount edges { node { body } } } } } } } } }"""
SERVICES = """query($filter: ServiceFilter) { services(first: 50, filter: $filter) {
  totalCount edges { node { id name active } } } }"""
DEPARTMENT_SERVICES = """query($id: ID!) { node(id: $id) { ... on Department {
  services { totalCount edges { node { name } } } } } }"""
SERVICE_CREATE = """mutation($input: ServiceCreateInput!) { serviceCreate(input: $input) {
  service { id name ownerDepartment { name } } userErrors { field code message } } }"""
SERVICE_UPDATE = """mutation($input: ServiceUpdateInput!) { serviceUpdate(input: $input) {
  service { id name active } userErrors { field code message } } }"""
REQUEST_TYPE_CREATE = """mutation($input: RequestTypeCreateInput!) { requestTypeCreate(input: $input) {
  requestType { id name service { name } } userErrors { field code message } } }"""
DEPARTMENT_CREATE = """mutation($input: DepartmentCreateInput!) { departmentCreate(input: $input) {
  department { id name slug } userErrors { field code message } } }"""
PERSON_CREATE = """mutation($input: PersonCreateInput!) { personCreate(input: $input) {
  person { id email role department { name } } userErrors { field code message } } }"""


def _titles(page: dict) -> set[str]:
    return {edge["node"]["title"] for edge in page["edges"]}


async def _queue(api, viewer, org: Org, department: str) -> dict:
    return (await api.ok(QUEUE, viewer, id=org.gid("Department", department)))["node"]


async def _comment_bodies(api, viewer, request) -> tuple[int, list[str]]:
    node = (await api.ok(COMMENTS, viewer, id=request["id"], first=50))["node"]
    comments = node["comments"]
    return comments["totalCount"], [edge["node"]["body"] for edge in comments["edges"]]


async def _activity(api, viewer, request) -> tuple[int, list[str]]:
    activity = (await api.ok(ACTIVITY, viewer, id=request["id"], first=50))["node"]["activity"]
    return activity["totalCount"], [edge["node"]["summary"] for edge in activity["edges"]]


# -- Requesters ------------------------------------------------------------------------------------------------


async def test_requesters_see_their_own_and_watched_requests_only(api, org: Org):
    # given a request by employee, one by other, and one by other that employee watches
    own = await raise_request(api, org, org.employee, title="Employee laptop")
    theirs = await raise_request(api, org, org.other, title="Other laptop")
    watched = await raise_request(api, org, org.other, title="Shared printer")
    ok(await act(api, org.it_agent, WATCH, id=watched["id"], personId=org.gid("Person", "employee")))
    # when
    employee_list = await listed(api, org.employee, first=50)
    other_list = await listed(api, org.other, first=50)
    # then
    assert _titles(employee_list) == {"Employee laptop", "Shared printer"}
    assert employee_list["totalCount"] == 2
    assert _titles(other_list) == {"Other laptop", "Shared printer"}
    assert await fetch(api, org.employee, theirs["id"]) is None
    assert (await fetch(api, org.employee, watched["id"]))["title"] == "Shared printer"
    nodes = await api.ok(NODES, org.employee, ids=[own["id"], theirs["id"], watched["id"]])
    assert nodes["nodes"] == [
        {"__typename": "Request", "id": own["id"]},
        None,
        {"__typename": "Request", "id": watched["id"]},
    ]
    # and filtering by someone else's requests shows only what employee may see
    filtered = await listed(api, org.employee, filter={"requesterId": org.gid("Person", "other")})
    assert _titles(filtered) == {"Shared printer"} and filtered["totalCount"] == 1


async def test_requesters_lose_sight_when_they_stop_watching(api, org: Org):
    # given employee watches other's request
    watched = await raise_request(api, org, org.other, title="Shared printer")
    watched = ok(await act(api, org.it_agent, WATCH, id=watched["id"], personId=org.gid("Person", "employee")))
    assert [w["email"] for w in watched["watchers"]] == ["employee@example.com"]
    # when employee stops watching
    payload = await act(api, org.employee, WATCH, id=watched["id"], watching=False)
    # then the payload cannot show the request any more, and neither can anything else
    assert payload == {"request": None, "userErrors": []}
    assert await fetch(api, org.employee, watched["id"]) is None
    assert (await listed(api, org.employee))["totalCount"] == 0


async def test_requesters_never_see_internal_comments(api, org: Org):
    # given a request with a public and an internal comment
    request = await raise_request(api, org, org.employee)
    await comment(api, org.it_agent, request, "We are on it")
    internal = await comment(api, org.it_agent, request, "Secret: the budget is gone", internal=True)
    # when the requester reads comments, activity, and the internal comment by ID
    count, bodies = await _comment_bodies(api, org.employee, request)
    activity_count, summaries = await _activity(api, org.employee, request)
    node = await api.ok(NODE, org.employee, id=internal["id"])
    nodes = await api.ok(NODES, org.employee, ids=[internal["id"]])
    # then the internal note shows nowhere
    assert (count, bodies) == (1, ["We are on it"])
    assert (activity_count, summaries) == (2, ["Raised REQ-1001: My laptop is slow", "Commented: We are on it"])
    assert node == {"node": None} and nodes == {"nodes": [None]}
    # nor through the department's queue, nor as an event by ID
    queued = (await api.ok(QUEUE_COMMENTS, org.employee, id=org.gid("Department", "it")))["node"]["queue"]
    assert queued["edges"][0]["node"]["comments"] == {"totalCount": 1, "edges": [{"node": {"body": "We are on it"}}]}
    events = (await api.ok(ACTIVITY, org.it_agent, id=request["id"]))["node"]["activity"]["edges"]
    internal_event = events[-1]["node"]
    assert internal_event["summary"] == "Commented: Secret: the budget is gone"
    assert (await api.ok(NODE, org.employee, id=internal_event["id"])) == {"node": None}
    assert (await api.ok(NODE, org.employee, id=events[0]["node"]["id"]))["node"]["__typename"] == "Event"
    # while the working department sees all of it
    assert await _comment_bodies(api, org.it_agent, request) == (2, ["We are on it", "Secret: the budget is gone"])
    assert (await _activity(api, org.it_agent, request))[0] == 3
    assert (await api.ok(NODE, org.it_agent, id=internal["id"]))["node"] == {
        "__typename": "Comment",
        "id": internal["id"],
    }


async def test_a_watcher_never_sees_internal_comments(api, org: Org):
    # given other watches employee's request, which has an internal note
    request = await raise_request(api, org, org.employee)
    ok(await act(api, org.it_agent, WATCH, id=request["id"], personId=org.gid("Person", "other")))
    await comment(api, org.it_agent, request, "Internal only", internal=True)
    # when / then
    assert await _comment_bodies(api, org.other, request) == (0, [])
    assert all("Internal" not in s for s in (await _activity(api, org.other, request))[1])


async def test_requesters_cannot_write_internal_comments(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee)
    # when
    errors = await refused(
        api,
        org.employee,
        "mutation($input: CommentAddInput!) { commentAdd(input: $input) "
        "{ comment { id } userErrors { field code message } } }",
        requestId=request["id"],
        body="Psst",
        internal=True,
    )
    # then
    assert codes(errors) == [("FORBIDDEN", ["input", "internal"])]


async def test_department_queue_and_stats_show_a_requester_only_their_own(api, org: Org):
    # given two IT requests by employee (one urgent) and three by other
    await raise_request(api, org, org.employee, title="Mine")
    await raise_request(api, org, org.employee, title="Mine too", priority="URGENT")
    for title in ("Theirs 1", "Theirs 2", "Theirs 3"):
        await raise_request(api, org, org.other, title=title)
    # when employee looks at IT's queue and wallboard
    it = await _queue(api, org.employee, org, "it")
    # then
    assert _titles(it["queue"]) == {"Mine", "Mine too"} and it["queue"]["totalCount"] == 2
    assert it["stats"]["open"] == 2
    assert it["stats"]["byStatus"] == [{"status": "NEW", "count": 2}]
    assert it["stats"]["byPriority"] == [{"priority": "MEDIUM", "count": 1}, {"priority": "URGENT", "count": 1}]
    # while IT's agents see all five
    it_for_agent = await _queue(api, org.it_agent, org, "it")
    assert it_for_agent["queue"]["totalCount"] == 5 and it_for_agent["stats"]["open"] == 5


# -- Agents ----------------------------------------------------------------------------------------------------


async def test_agents_see_their_departments_queue_not_others(api, org: Org):
    # given an IT request and an HR request
    laptop = await raise_request(api, org, org.employee, title="Slow laptop")
    payslip = await raise_request(api, org, org.employee, service="payroll", title="Payslip missing")
    # when
    it_view = await listed(api, org.it_agent)
    hr_view = await listed(api, org.hr_agent)
    # then
    assert _titles(it_view) == {"Slow laptop"} and it_view["totalCount"] == 1
    assert _titles(hr_view) == {"Payslip missing"} and hr_view["totalCount"] == 1
    assert await fetch(api, org.hr_agent, laptop["id"]) is None
    assert await fetch(api, org.it_agent, payslip["id"]) is None
    # nested: HR's agent looking at IT's queue and stats sees nothing
    it_for_hr = await _queue(api, org.hr_agent, org, "it")
    assert it_for_hr["queue"] == {"totalCount": 0, "edges": []}
    assert it_for_hr["stats"]["open"] == 0 and it_for_hr["stats"]["byStatus"] == []
    hr_for_hr = await _queue(api, org.hr_agent, org, "hr")
    assert _titles(hr_for_hr["queue"]) == {"Payslip missing"} and hr_for_hr["stats"]["open"] == 1


async def test_a_task_department_sees_the_request_and_its_internal_comments(api, org: Org):
    # given a laptop request with a Facilities task and an internal IT note; and a plain IT request
    laptop = await raise_request(api, org, org.employee, laptop=True, title="Laptop for Jane")
    await raise_request(api, org, org.employee, title="Slow laptop")
    await comment(api, org.it_agent, laptop, "Order from the usual supplier", internal=True)
    # when Facilities looks
    listed_for_fac = await listed(api, org.fac_agent)
    request = await fetch(api, org.fac_agent, laptop["id"])
    count, bodies = await _comment_bodies(api, org.fac_agent, laptop)
    task = (await api.ok(NODE, org.fac_agent, id=laptop["tasks"][0]["id"]))["node"]
    # then it sees the request it has a task on (not the other one), with the internal note
    assert _titles(listed_for_fac) == {"Laptop for Jane"}
    assert request["tasks"][0]["department"] == {"name": "Facilities"}
    assert (count, bodies) == (1, ["Order from the usual supplier"])
    assert task == {"__typename": "Task", "id": laptop["tasks"][0]["id"]}
    # but IT's queue shows Facilities only the request it works on
    it_for_fac = await _queue(api, org.fac_agent, org, "it")
    assert _titles(it_for_fac["queue"]) == {"Laptop for Jane"} and it_for_fac["stats"]["open"] == 1


async def test_after_a_hand_off_the_old_department_loses_sight(api, org: Org):
    # given an IT request without tasks
    request = await raise_request(api, org, org.employee, title="Actually a payroll question")
    # when IT hands it off to HR
    handed = await act(
        api,
        org.it_agent,
        HAND_OFF,
        id=request["id"],
        toDepartmentId=org.gid("Department", "hr"),
        reason="It is about pay",
        expectedVersion=1,
    )
    # then IT's agent gets no object back and cannot see it any more; HR can
    assert handed == {"request": None, "userErrors": []}
    assert await fetch(api, org.it_agent, request["id"]) is None
    assert (await listed(api, org.it_agent))["totalCount"] == 0
    assert (await _queue(api, org.it_agent, org, "hr"))["queue"]["totalCount"] == 0
    assert (await fetch(api, org.hr_agent, request["id"]))["ownerDepartment"] == {"name": "HR"}
    assert _titles((await _queue(api, org.hr_agent, org, "hr"))["queue"]) == {"Actually a payroll question"}
    # and the requester still sees it
    assert (await fetch(api, org.employee, request["id"]))["ownerDepartment"] == {"name": "HR"}


async def test_after_a_hand_off_a_department_with_a_task_keeps_sight(api, org: Org):
    # given an IT laptop request (Facilities task) where IT also gave itself a task
    request = await raise_request(api, org, org.employee, laptop=True)
    ok(
        await act(
            api,
            org.it_agent,
            TASK_ADD,
            requestId=request["id"],
            title="Wipe old laptop",
            departmentId=org.gid("Department", "it"),
        ),
        "task",
    )
    request = await fetch(api, org.it_agent, request["id"])
    # when IT hands it off to HR
    ok(
        await act(
            api,
            org.it_agent,
            HAND_OFF,
            id=request["id"],
            toDepartmentId=org.gid("Department", "hr"),
            reason="HR pays for it",
            expectedVersion=request["version"],
        )
    )
    # then IT and Facilities still see it, through their tasks
    for agent in (org.it_agent, org.fac_agent, org.hr_agent):
        seen = await fetch(api, agent, request["id"])
        assert seen is not None and seen["ownerDepartment"] == {"name": "HR"}
    # but IT no longer decides
    errors = await refused(
        api, org.it_agent, TRANSITION, id=request["id"], to="TRIAGED", expectedVersion=seen["version"]
    )
    assert codes(errors) == [("FORBIDDEN", None)]


# -- Decision rights -------------------------------------------------------------------------------------------


async def test_a_task_departments_agent_does_not_decide(api, org: Org):
    # given a laptop request: IT owns it, Facilities has a task
    request = await raise_request(api, org, org.employee, laptop=True)
    v = request["version"]
    # when Facilities tries to decide
    attempts = [
        await refused(api, org.fac_agent, TRANSITION, id=request["id"], to="TRIAGED", expectedVersion=v),
        await refused(api, org.fac_agent, UPDATE, id=request["id"], priority="URGENT", expectedVersion=v),
        await refused(
            api, org.fac_agent, ASSIGN, id=request["id"], assigneeId=org.gid("Person", "fac_agent"), expectedVersion=v
        ),
        await refused(
            api,
            org.fac_agent,
            HAND_OFF,
            id=request["id"],
            toDepartmentId=org.gid("Department", "facilities"),
            reason="Ours",
            expectedVersion=v,
        ),
        await refused(
            api,
            org.fac_agent,
            TASK_ADD,
            requestId=request["id"],
            title="Extra desk",
            departmentId=org.gid("Department", "facilities"),
        ),
        await refused(api, org.fac_agent, WATCH, id=request["id"], personId=org.gid("Person", "other")),
    ]
    # then each is FORBIDDEN
    assert [codes(e)[0][0] for e in attempts] == ["FORBIDDEN"] * 6
    # yet Facilities still comments (internally too) and completes its own task
    await comment(api, org.fac_agent, request, "Desk booked on floor 2", internal=True)
    await comment(api, org.fac_agent, request, "Your desk is ready")
    task = ok(await act(api, org.fac_agent, TASK_COMPLETE, id=request["tasks"][0]["id"]), "task")
    assert task["status"] == "DONE"
    assert (await _comment_bodies(api, org.employee, request)) == (1, ["Your desk is ready"])


async def test_only_the_tasks_department_completes_it(api, org: Org):
    # given a laptop request's Facilities task
    request = await raise_request(api, org, org.employee, laptop=True)
    # when the owning department's agent completes Facilities' task
    errors = await refused(api, org.it_agent, TASK_COMPLETE, id=request["tasks"][0]["id"])
    # then
    assert codes(errors) == [("FORBIDDEN", None)]


async def test_the_owning_department_decides(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee, laptop=True)
    # when IT's manager triages, reprioritises and assigns
    request = await move(api, org.it_manager, request, "TRIAGED")
    request = ok(
        await act(api, org.it_manager, UPDATE, id=request["id"], priority="HIGH", expectedVersion=request["version"])
    )
    request = ok(
        await act(
            api,
            org.it_manager,
            ASSIGN,
            id=request["id"],
            assigneeId=org.gid("Person", "it_agent2"),
            expectedVersion=request["version"],
        )
    )
    # then
    assert (request["status"], request["priority"], request["assignee"]) == (
        "TRIAGED",
        "HIGH",
        {"email": "it.agent2@example.com"},
    )


async def test_requesters_do_not_decide_but_may_cancel(api, org: Org):
    # given
    request = await raise_request(api, org, org.employee)
    # when the requester tries to triage, raise priority, or assign
    triage = await refused(api, org.employee, TRANSITION, id=request["id"], to="TRIAGED", expectedVersion=1)
    priority = await refused(api, org.employee, UPDATE, id=request["id"], priority="URGENT", expectedVersion=1)
    assign = await refused(
        api, org.employee, ASSIGN, id=request["id"], assigneeId=org.gid("Person", "it_agent"), expectedVersion=1
    )
    # then
    assert codes(triage) == [("FORBIDDEN", ["input", "to"])]
    assert codes(priority) == [("FORBIDDEN", ["input", "priority"])]
    assert codes(assign) == [("FORBIDDEN", None)]
    # but cancelling their own request is theirs to do
    assert (await move(api, org.employee, request, "CANCELLED"))["status"] == "CANCELLED"


async def test_only_the_owning_department_raises_on_someones_behalf(api, org: Org):
    # when HR's agent raises an IT request for employee
    errors = await refused(
        api,
        org.hr_agent,
        CREATE,
        serviceId=org.gid("Service", "laptops"),
        title="For Emma",
        requesterId=org.gid("Person", "employee"),
    )
    # then
    assert codes(errors) == [("FORBIDDEN", ["input", "requesterId"])]
    # while IT's agent may
    request = ok(
        await act(
            api,
            org.it_agent,
            CREATE,
            serviceId=org.gid("Service", "laptops"),
            title="For Emma",
            requesterId=org.gid("Person", "employee"),
        )
    )
    assert request["requester"] == {"email": "employee@example.com"}
    assert (await fetch(api, org.employee, request["id"]))["title"] == "For Emma"


# -- The catalog and the organisation --------------------------------------------------------------------------


async def test_managers_manage_only_their_own_departments_catalog(api, org: Org):
    # given IT's manager
    manager = org.it_manager
    # when acting on HR's catalog
    create = await refused(api, manager, SERVICE_CREATE, name="Pensions", ownerDepartmentId=org.gid("Department", "hr"))
    update = await refused(api, manager, SERVICE_UPDATE, id=org.gid("Service", "payroll"), name="Mine now")
    retire = await refused(api, manager, SERVICE_UPDATE, id=org.gid("Service", "payroll"), active=False)
    request_type = await refused(
        api, manager, REQUEST_TYPE_CREATE, serviceId=org.gid("Service", "payroll"), name="Bonus question"
    )
    # then
    assert codes(create) == [("FORBIDDEN", ["input", "ownerDepartmentId"])]
    assert codes(update) == codes(retire) == codes(request_type) == [("FORBIDDEN", None)]
    # while on IT's own catalog it works
    service = ok(
        await act(api, manager, SERVICE_CREATE, name="Phones", ownerDepartmentId=org.gid("Department", "it")), "service"
    )
    assert service["ownerDepartment"] == {"name": "IT"}
    renamed = ok(
        await act(api, manager, SERVICE_UPDATE, id=org.gid("Service", "laptops"), name="Laptops & docks"), "service"
    )
    assert renamed["name"] == "Laptops & docks"
    form = ok(await act(api, manager, REQUEST_TYPE_CREATE, serviceId=service["id"], name="New phone"), "requestType")
    assert form["service"] == {"name": "Phones"}


async def test_agents_do_not_manage_the_catalog(api, org: Org):
    # when IT's agent (not a manager) edits IT's catalog
    create = await refused(
        api, org.it_agent, SERVICE_CREATE, name="Phones", ownerDepartmentId=org.gid("Department", "it")
    )
    update = await refused(api, org.it_agent, SERVICE_UPDATE, id=org.gid("Service", "laptops"), name="Mine")
    request_type = await refused(
        api, org.it_agent, REQUEST_TYPE_CREATE, serviceId=org.gid("Service", "laptops"), name="Dock"
    )
    # then
    assert [codes(e)[0][0] for e in (create, update, request_type)] == ["FORBIDDEN"] * 3


async def test_only_admins_create_departments_and_people(api, org: Org):
    # when anyone but an admin tries
    for person in (org.it_manager, org.it_agent, org.employee):
        department = await refused(api, person, DEPARTMENT_CREATE, name="Legal")
        someone = await refused(api, person, PERSON_CREATE, name="Nora New", email="nora@example.com", role="ADMIN")
        # then
        assert codes(department) == codes(someone) == [("FORBIDDEN", None)]
    # while an admin may
    legal = ok(await act(api, org.admin, DEPARTMENT_CREATE, name="Legal"), "department")
    assert legal["slug"] == "legal"
    nora = ok(
        await act(
            api,
            org.admin,
            PERSON_CREATE,
            name="Nora New",
            email="nora@example.com",
            role="AGENT",
            departmentId=legal["id"],
        ),
        "person",
    )
    assert (nora["role"], nora["department"]) == ("AGENT", {"name": "Legal"})


async def test_retired_services_are_hidden_from_requesters_but_not_their_department(api, org: Org):
    # given IT's manager retires Laptops
    retired = ok(
        await act(api, org.it_manager, SERVICE_UPDATE, id=org.gid("Service", "laptops"), active=False), "service"
    )
    assert retired["active"] is False
    laptops = org.gid("Service", "laptops")
    # when / then: requesters and other departments no longer see it anywhere
    for outsider in (org.employee, org.hr_agent, org.fac_agent):
        services = (await api.ok(SERVICES, outsider))["services"]
        assert [e["node"]["name"] for e in services["edges"]] == ["Payroll questions"]
        assert services["totalCount"] == 1
        assert (await api.ok(NODE, outsider, id=laptops)) == {"node": None}
        it_services = (await api.ok(DEPARTMENT_SERVICES, outsider, id=org.gid("Department", "it")))["node"]
        assert it_services["services"] == {"totalCount": 0, "edges": []}
    # nor may requesters raise requests on it
    errors = await refused(api, org.employee, CREATE, serviceId=laptops, title="Slow laptop")
    assert errors == [{"field": ["input", "serviceId"], "code": "NOT_FOUND", "message": "No such service."}]
    # while IT still sees it, also in a filter for retired services
    for insider in (org.it_agent, org.it_manager, org.admin):
        services = (await api.ok(SERVICES, insider, filter={"active": False}))["services"]
        assert [(e["node"]["name"], e["node"]["active"]) for e in services["edges"]] == [("Laptops", False)]
        assert (await api.ok(NODE, insider, id=laptops))["node"] == {"__typename": "Service", "id": laptops}


async def test_a_request_on_a_retired_service_stays_visible_to_its_requester(api, org: Org):
    # given employee's request, then the service is retired
    request = await raise_request(api, org, org.employee)
    ok(await act(api, org.it_manager, SERVICE_UPDATE, id=org.gid("Service", "laptops"), active=False), "service")
    # when
    seen = await fetch(api, org.employee, request["id"])
    # then the request still names its service
    assert seen["service"] == {"name": "Laptops"}
