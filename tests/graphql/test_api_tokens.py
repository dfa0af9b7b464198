"""API tokens through the schema: people make their own, admins make service accounts' and revoke
any; the secret is answered once and only its hash is kept; every refusal is a coded userError
(or a FORBIDDEN error for a list) that writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from domain.api_tokens import Scope, hash_secret, is_well_formed
from schema.context import Context
from tests.graphql.people_ops import (
    SERVICE_ACCOUNT_CREATE,
    TOKEN_CREATE,
    TOKEN_REVOKE,
    TOKENS,
    codes,
    events_of,
)
from tests.support.api import SCHEMA
from tests.support.database import snapshot
from tests.support.org import Org


async def create(api, viewer, **input) -> dict:
    payload = await api.mutate(TOKEN_CREATE, viewer, input={"name": "laptop script", "scopes": ["READ"], **input})
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def refused(api, viewer, mutation: str, **input) -> dict:
    before = await snapshot(api.engine)
    payload = await api.mutate(mutation, viewer, input=input)
    assert payload["apiToken"] is None and payload["userErrors"], payload
    assert await snapshot(api.engine) == before
    return payload


async def service_account(api, org: Org) -> str:
    payload = await api.mutate(SERVICE_ACCOUNT_CREATE, org.admin, input={"name": "CI bot", "role": "REQUESTER"})
    return payload["person"]["id"]


async def test_a_person_makes_a_personal_access_token_whose_secret_is_shown_once(api, org: Org):
    payload = await create(api, org.employee, scopes=["READ", "EVENTS"])

    secret, token = payload["secret"], payload["apiToken"]
    assert secret.startswith("tdm_pat_") and is_well_formed(secret) and len(secret) == 46
    assert token["prefix"] == secret[:12]
    assert (token["name"], token["scopes"], token["active"], token["person"], token["createdBy"]) == (
        "laptop script",
        ["EVENTS", "READ"],
        True,
        {"email": "employee@example.com"},
        {"email": "employee@example.com"},
    )
    expires = datetime.fromisoformat(token["expiresAt"]) - datetime.now(UTC)
    assert timedelta(days=89) < expires <= timedelta(days=90)
    async with api.engine.connect() as conn:
        stored = (await conn.execute(text("select token_hash from api_tokens"))).scalar_one()
    assert stored == hash_secret(secret) and secret not in stored
    listed = await api.ok(TOKENS, org.employee)
    assert [e["node"]["id"] for e in listed["apiTokens"]["edges"]] == [token["id"]]
    assert "secret" not in str(listed) and secret not in str(listed)


async def test_making_and_revoking_are_events_without_the_secret(api, org: Org):
    payload = await create(api, org.employee)
    await api.mutate(TOKEN_REVOKE, org.employee, input={"id": payload["apiToken"]["id"]})

    logged = await events_of(api.engine, "ApiTokenCreated", "ApiTokenRevoked")
    assert [(kind, actor, event["personId"], event["tokenName"]) for kind, actor, event, _ in logged] == [
        ("ApiTokenCreated", org.employee.id, org.employee.id, "laptop script"),
        ("ApiTokenRevoked", org.employee.id, org.employee.id, "laptop script"),
    ]
    assert payload["secret"] not in str(logged) and hash_secret(payload["secret"]) not in str(logged)


async def test_an_admin_makes_a_service_account_token(api, org: Org):
    account = await service_account(api, org)
    payload = await create(api, org.admin, personId=account, scopes=["READ", "WRITE"])

    assert payload["secret"].startswith("tdm_svc_")
    assert payload["apiToken"]["person"]["email"].endswith("@service-accounts.invalid")
    listed = await api.ok(TOKENS, org.admin, personId=account)
    assert listed["apiTokens"]["totalCount"] == 1


async def test_revoking_keeps_the_token_listed_only_when_asked(api, org: Org):
    token = (await create(api, org.employee))["apiToken"]

    revoked = await api.mutate(TOKEN_REVOKE, org.employee, input={"id": token["id"]})
    again = await api.mutate(TOKEN_REVOKE, org.admin, input={"id": token["id"]})

    assert revoked["userErrors"] == [] and revoked["apiToken"]["revokedAt"] and not revoked["apiToken"]["active"]
    assert again["userErrors"] == [] and again["apiToken"]["revokedAt"] == revoked["apiToken"]["revokedAt"]
    assert (await api.ok(TOKENS, org.employee))["apiTokens"]["totalCount"] == 0
    assert (await api.ok(TOKENS, org.employee, includeRevoked=True))["apiTokens"]["totalCount"] == 1
    assert len(await events_of(api.engine, "ApiTokenRevoked")) == 1


async def test_an_admin_revokes_anyones_token(api, org: Org):
    token = (await create(api, org.it_agent))["apiToken"]
    payload = await api.mutate(TOKEN_REVOKE, org.admin, input={"id": token["id"]})
    assert payload["userErrors"] == [] and payload["apiToken"]["revokedAt"]


@pytest.mark.parametrize(
    "input, field, code",
    [
        ({"scopes": []}, ["input", "scopes"], "INVALID_SCOPES"),
        ({"name": "  "}, ["input", "name"], "INVALID_INPUT"),
        ({"name": "x" * 101}, ["input", "name"], "INVALID_INPUT"),
        ({"expiresAt": "2020-01-01T00:00:00Z"}, ["input", "expiresAt"], "INVALID_EXPIRY"),
        (
            {"expiresAt": (datetime.now(UTC) + timedelta(days=400)).isoformat()},
            ["input", "expiresAt"],
            "INVALID_EXPIRY",
        ),
        ({"personId": "UGVyc29uOjk5OTk"}, ["input", "personId"], "NOT_FOUND"),
        ({"personId": "bad"}, ["input", "personId"], "NOT_FOUND"),
    ],
)
async def test_a_bad_token_request_is_refused_and_writes_nothing(api, org: Org, input, field, code):
    payload = await refused(api, org.employee, TOKEN_CREATE, **{"name": "script", "scopes": ["READ"], **input})
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]


async def test_nobody_makes_a_personal_access_token_for_someone_else(api, org: Org):
    for viewer in (org.admin, org.it_manager):
        payload = await refused(
            api, viewer, TOKEN_CREATE, name="x", scopes=["READ"], personId=org.gid("Person", "employee")
        )
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["input", "personId"], "FORBIDDEN")]


async def test_only_admins_make_a_service_accounts_tokens(api, org: Org):
    account = await service_account(api, org)
    payload = await refused(api, org.it_manager, TOKEN_CREATE, name="x", scopes=["READ"], personId=account)
    assert codes(payload) == ["FORBIDDEN"]


async def test_a_deactivated_service_account_gets_no_token(api, org: Org):
    from tests.graphql.people_ops import PERSON_DEACTIVATE

    account = await service_account(api, org)
    await api.mutate(PERSON_DEACTIVATE, org.admin, input={"id": account})
    payload = await refused(api, org.admin, TOKEN_CREATE, name="x", scopes=["READ"], personId=account)
    assert codes(payload) == ["PERSON_DEACTIVATED"]


async def test_a_non_admin_cannot_revoke_someone_elses_token(api, org: Org):
    token = (await create(api, org.it_agent))["apiToken"]
    payload = await refused(api, org.it_agent2, TOKEN_REVOKE, id=token["id"])
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["input", "id"], "FORBIDDEN")]


@pytest.mark.parametrize("token_id", ["QXBpVG9rZW46OTk5", "nonsense", "UGVyc29uOjE"])
async def test_revoking_an_unknown_token_is_not_found(api, org: Org, token_id):
    payload = await refused(api, org.admin, TOKEN_REVOKE, id=token_id)
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["input", "id"], "NOT_FOUND")]


async def test_a_non_admin_cannot_list_someone_elses_tokens(api, org: Org):
    await create(api, org.it_agent)
    result = await api.run(TOKENS, org.it_agent2, personId=org.gid("Person", "it_agent"))
    assert result.data is None
    assert [e.extensions["code"] for e in result.errors] == ["FORBIDDEN"]


async def test_tokens_are_nodes_only_their_owner_and_admins_see(api, org: Org):
    token = (await create(api, org.it_agent))["apiToken"]
    query = "query($id: ID!) { node(id: $id) { ... on ApiToken { name } } }"
    assert (await api.ok(query, org.it_agent, id=token["id"]))["node"] == {"name": "laptop script"}
    assert (await api.ok(query, org.admin, id=token["id"]))["node"] == {"name": "laptop script"}
    assert (await api.ok(query, org.it_agent2, id=token["id"]))["node"] is None


async def test_a_token_cannot_make_a_token_with_more_scopes(api, org: Org):
    before = await snapshot(api.engine)
    context = Context(engine=api.engine, viewer=org.employee, scopes=frozenset({Scope.WRITE, Scope.ADMIN}))
    result = await SCHEMA.execute(
        TOKEN_CREATE, variable_values={"input": {"name": "x", "scopes": ["READ"]}}, context_value=context
    )
    assert result.errors is None
    assert codes(result.data["apiTokenCreate"]) == ["FORBIDDEN"]
    assert await snapshot(api.engine) == before
