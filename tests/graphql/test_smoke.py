from tests.support.org import Org


async def test_requester_raises_and_lists_a_request(api, org: Org):
    payload = await api.mutate(
        """
      mutation($input: RequestCreateInput!) { requestCreate(input: $input) {
        request { id number title status priority version requester { email } ownerDepartment { name }
                  tasks { title status department { name } } fields { key value } sla { breached paused } }
        userErrors { field code message } } }""",
        org.employee,
        input={
            "serviceId": org.gid("Service", "laptops"),
            "requestTypeId": org.gid("RequestType", "new_laptop"),
            "title": "New starter laptop",
            "fields": [{"key": "model", "value": "13-inch"}],
        },
    )
    assert payload["userErrors"] == []
    request = payload["request"]
    assert request["number"] == "REQ-1001"
    assert request["status"] == "NEW"
    assert request["tasks"] == [{"title": "Set up desk", "status": "OPEN", "department": {"name": "Facilities"}}]
    data = await api.ok("{ requests(first: 10) { totalCount edges { node { number } } } }", org.employee)
    assert data["requests"]["totalCount"] == 1
