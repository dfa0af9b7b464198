"""People administration through the schema: admins change people's name, role and department,
deactivate and reactivate them, make service accounts; each change is an event on the timeline,
and every refusal is a coded userError that writes nothing."""

from __future__ import annotations

import pytest

from tests.graphql.people_ops import (
    PERSON_BY_ID,
    PERSON_DEACTIVATE,
    PERSON_REACTIVATE,
    PERSON_UPDATE,
    SERVICE_ACCOUNT_CREATE,
    codes,
    events_of,
)
from tests.support.database import snapshot
from tests.support.org import Org


async def refused(api, viewer, mutation: str, **input) -> dict:
    """The payload of a mutation that must be refused, having checked it wrote nothing."""
    before = await snapshot(api.engine)
    payload = await api.mutate(mutation, viewer, input=input)
    assert payload["person"] is None
    assert payload["userErrors"], payload
    assert await snapshot(api.engine) == before
    return payload


async def test_an_admin_moves_an_agent_to_another_department_as_manager(api, org: Org):
    # when
    payload = await api.mutate(
        PERSON_UPDATE,
        org.admin,
        input={
            "id": org.gid("Person", "it_agent"),
            "expectedVersion": 1,
            "role": "MANAGER",
            "departmentId": org.gid("Department", "hr"),
            "name": " Ian Moved ",
        },
    )
    # then
    assert payload["userErrors"] == []
    assert payload["person"] | {"id": None, "deactivatedAt": None} == {
        "id": None,
        "name": "Ian Moved",
        "email": "it.agent@example.com",
        "role": "MANAGER",
        "kind": "PERSON",
        "active": True,
        "deactivatedAt": None,
        "version": 2,
        "department": {"name": "HR"},
    }
    ((kind, actor, event, departments),) = await events_of(api.engine, "PersonUpdated")
    assert (kind, actor) == ("PersonUpdated", org.admin.id)
    assert event == {
        "personId": org.it_agent.id,
        "name": "Ian Moved",
        "changed": ["departmentId", "name", "role"],
        "role": "MANAGER",
        "from": "AGENT",
    }
    assert sorted(departments) == sorted([org.departments["it"], org.departments["hr"]])


async def test_absent_fields_stay_and_a_null_department_clears_it(api, org: Org):
    person = org.gid("Person", "it_agent")
    renamed = await api.mutate(PERSON_UPDATE, org.admin, input={"id": person, "expectedVersion": 1, "name": "Ian"})
    assert renamed["person"]["department"] == {"name": "IT"} and renamed["person"]["role"] == "AGENT"

    cleared = await api.mutate(
        PERSON_UPDATE, org.admin, input={"id": person, "expectedVersion": 2, "role": "REQUESTER", "departmentId": None}
    )

    assert cleared["userErrors"] == []
    assert (cleared["person"]["role"], cleared["person"]["department"]) == ("REQUESTER", None)


async def test_an_update_that_changes_nothing_writes_nothing(api, org: Org):
    before = await snapshot(api.engine)
    payload = await api.mutate(
        PERSON_UPDATE,
        org.admin,
        input={"id": org.gid("Person", "it_agent"), "expectedVersion": 1, "name": "Ian Agent", "role": "AGENT"},
    )
    assert payload["userErrors"] == [] and payload["person"]["version"] == 1
    assert await snapshot(api.engine) == before


@pytest.mark.parametrize(
    "input, field, code",
    [
        ({"expectedVersion": 7}, ["input", "expectedVersion"], "STALE_VERSION"),
        (
            {"expectedVersion": 1, "role": "AGENT", "departmentId": None},
            ["input", "departmentId"],
            "DEPARTMENT_REQUIRED",
        ),
        ({"expectedVersion": 1, "name": "   "}, ["input", "name"], "INVALID_INPUT"),
        ({"expectedVersion": 1, "departmentId": "RGVwYXJ0bWVudDo5OTk"}, ["input", "departmentId"], "NOT_FOUND"),
        ({"expectedVersion": 1, "departmentId": "not-an-id"}, ["input", "departmentId"], "NOT_FOUND"),
    ],
)
async def test_a_bad_update_is_refused_and_writes_nothing(api, org: Org, input, field, code):
    payload = await refused(api, org.admin, PERSON_UPDATE, id=org.gid("Person", "it_agent"), **input)
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]


@pytest.mark.parametrize(
    "mutation, extra",
    [(PERSON_UPDATE, {"expectedVersion": 1, "role": "ADMIN"}), (PERSON_DEACTIVATE, {}), (PERSON_REACTIVATE, {})],
)
@pytest.mark.parametrize("who", ["it_manager", "employee", "it_agent"])
async def test_only_admins_manage_people(api, org: Org, mutation, extra, who):
    payload = await refused(api, getattr(org, who), mutation, id=org.gid("Person", "other"), **extra)
    assert codes(payload) == ["FORBIDDEN"]


async def test_an_unknown_person_is_not_found(api, org: Org):
    for mutation, extra in ((PERSON_UPDATE, {"expectedVersion": 1}), (PERSON_DEACTIVATE, {}), (PERSON_REACTIVATE, {})):
        payload = await refused(api, org.admin, mutation, id="UGVyc29uOjk5OTk", **extra)
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["input", "id"], "NOT_FOUND")]


async def test_deactivation_and_reactivation_are_events_and_bump_the_version(api, org: Org):
    person = org.gid("Person", "hr_agent")

    off = await api.mutate(PERSON_DEACTIVATE, org.admin, input={"id": person, "expectedVersion": 1})
    on = await api.mutate(PERSON_REACTIVATE, org.admin, input={"id": person, "expectedVersion": 2})

    assert off["userErrors"] == [] and off["person"]["active"] is False and off["person"]["deactivatedAt"]
    assert on["userErrors"] == [] and on["person"]["active"] is True and on["person"]["version"] == 3
    logged = await events_of(api.engine, "PersonDeactivated", "PersonReactivated")
    assert [(kind, actor, event["personId"], departments) for kind, actor, event, departments in logged] == [
        ("PersonDeactivated", org.admin.id, org.hr_agent.id, [org.departments["hr"]]),
        ("PersonReactivated", org.admin.id, org.hr_agent.id, [org.departments["hr"]]),
    ]


async def test_deactivating_twice_changes_nothing_the_second_time(api, org: Org):
    person = org.gid("Person", "employee")
    await api.mutate(PERSON_DEACTIVATE, org.admin, input={"id": person})
    before = await snapshot(api.engine)

    again = await api.mutate(PERSON_DEACTIVATE, org.admin, input={"id": person})

    assert again["userErrors"] == [] and again["person"]["active"] is False
    assert await snapshot(api.engine) == before


async def test_an_admin_cannot_deactivate_themselves(api, org: Org):
    payload = await refused(api, org.admin, PERSON_DEACTIVATE, id=org.gid("Person", "admin"))
    assert codes(payload) == ["CANNOT_DEACTIVATE_SELF"]


async def test_the_last_admin_cannot_stop_being_one(api, org: Org):
    payload = await refused(
        api, org.admin, PERSON_UPDATE, id=org.gid("Person", "admin"), expectedVersion=1, role="REQUESTER"
    )
    assert codes(payload) == ["LAST_ADMIN"]


async def test_with_another_admin_an_admin_may_step_down(api, org: Org):
    await api.mutate(
        PERSON_UPDATE, org.admin, input={"id": org.gid("Person", "other"), "expectedVersion": 1, "role": "ADMIN"}
    )
    payload = await api.mutate(
        PERSON_UPDATE, org.admin, input={"id": org.gid("Person", "admin"), "expectedVersion": 1, "role": "REQUESTER"}
    )
    assert payload["userErrors"] == [] and payload["person"]["role"] == "REQUESTER"


async def test_an_admin_makes_a_service_account(api, org: Org):
    payload = await api.mutate(
        SERVICE_ACCOUNT_CREATE,
        org.admin,
        input={"name": "CI bot", "role": "AGENT", "departmentId": org.gid("Department", "it")},
    )

    assert payload["userErrors"] == []
    account = payload["person"]
    assert (account["name"], account["kind"], account["role"], account["department"]) == (
        "CI bot",
        "SERVICE_ACCOUNT",
        "AGENT",
        {"name": "IT"},
    )
    assert account["email"].endswith("@service-accounts.invalid")
    assert (await api.ok(PERSON_BY_ID, org.employee, id=account["id"]))["node"]["kind"] == "SERVICE_ACCOUNT"
    ((_kind, actor, event, _departments),) = await events_of(api.engine, "ServiceAccountCreated")
    assert actor == org.admin.id and event["name"] == "CI bot"


@pytest.mark.parametrize(
    "viewer, input, code",
    [
        ("it_manager", {"name": "Bot", "role": "REQUESTER"}, "FORBIDDEN"),
        ("admin", {"name": " ", "role": "REQUESTER"}, "INVALID_INPUT"),
        ("admin", {"name": "Bot", "role": "AGENT"}, "DEPARTMENT_REQUIRED"),
    ],
)
async def test_a_bad_service_account_is_refused_and_writes_nothing(api, org: Org, viewer, input, code):
    payload = await refused(api, getattr(org, viewer), SERVICE_ACCOUNT_CREATE, **input)
    assert codes(payload) == [code]
