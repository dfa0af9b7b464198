"""A key result's scope names its services and forms as `node(id:)` shows them: a retired
service (and its forms) only to its department and admins, even to readers of the goal."""

from __future__ import annotations

from tests.graphql.goal_ops import create_goal, key_result
from tests.graphql.request_ops import NODE, act, ok
from tests.support.org import Org

SERVICE_UPDATE = """mutation($input: ServiceUpdateInput!) { serviceUpdate(input: $input) {
  service { id } userErrors { field code message } } }"""
SCOPE = """query($id: ID!) { node(id: $id) { ... on SharedGoal { keyResults {
  scope { services { name description } requestTypes { name } everyService everyRequestType } } } } }"""
READERS = ("admin", "it_agent", "it_manager", "hr_agent", "hr_manager")


async def test_a_retired_service_shows_through_a_scope_only_to_those_who_may_see_it(api, org: Org):
    # given IT's and HR's goal counting laptops and payroll requests, then payroll renamed and retired
    scope = {
        "serviceIds": [org.gid("Service", "laptops"), org.gid("Service", "payroll")],
        "requestTypeIds": [org.gid("RequestType", "new_laptop"), org.gid("RequestType", "payslip")],
    }
    goal = await create_goal(
        api, org, departments=("it", "hr"), key_results=[key_result("REQUESTS_RESOLVED", 10, scope=scope)]
    )
    payroll = org.gid("Service", "payroll")
    ok(
        await act(
            api, org.admin, SERVICE_UPDATE, id=payroll, name="Payroll (old system)", description="Closing at year end"
        ),
        "service",
    )
    ok(await act(api, org.admin, SERVICE_UPDATE, id=payroll, active=False), "service")
    for name in READERS:
        viewer = getattr(org, name)
        (kr,) = (await api.ok(SCOPE, viewer, id=goal["id"]))["node"]["keyResults"]
        # then the scope shows the retired service (and its form) exactly where node(id:) shows it
        if (await api.ok(NODE, viewer, id=payroll))["node"] is not None:
            assert kr["scope"]["services"][1] == {
                "name": "Payroll (old system)",
                "description": "Closing at year end",
            }, name
            assert [t["name"] for t in kr["scope"]["requestTypes"]] == ["New laptop", "Payslip question"], name
        else:
            assert [s["name"] for s in kr["scope"]["services"]] == ["Laptops"], name
            assert [t["name"] for t in kr["scope"]["requestTypes"]] == ["New laptop"], name
        # and still says the key result counts only some services and forms, whoever reads it
        assert (kr["scope"]["everyService"], kr["scope"]["everyRequestType"]) == (False, False), name
    assert {n for n in READERS if (await api.ok(NODE, getattr(org, n), id=payroll))["node"]} == {
        "admin",
        "hr_agent",
        "hr_manager",
    }


async def test_a_scope_of_only_services_hidden_from_the_reader_does_not_read_as_every_service(api, org: Org):
    scope = {"serviceIds": [org.gid("Service", "payroll")], "requestTypeIds": [org.gid("RequestType", "payslip")]}
    goal = await create_goal(
        api, org, departments=("it", "hr"), key_results=[key_result("REQUESTS_RESOLVED", 10, scope=scope)]
    )
    ok(await act(api, org.admin, SERVICE_UPDATE, id=org.gid("Service", "payroll"), active=False), "service")

    (kr,) = (await api.ok(SCOPE, org.it_agent, id=goal["id"]))["node"]["keyResults"]

    assert kr["scope"] == {"services": [], "requestTypes": [], "everyService": False, "everyRequestType": False}


async def test_a_scope_without_services_counts_every_service(api, org: Org):
    goal = await create_goal(api, org, departments=("it", "hr"), key_results=[key_result("REQUESTS_RESOLVED", 10)])

    (kr,) = (await api.ok(SCOPE, org.it_agent, id=goal["id"]))["node"]["keyResults"]

    assert kr["scope"] == {"services": [], "requestTypes": [], "everyService": True, "everyRequestType": True}
