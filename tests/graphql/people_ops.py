"""GraphQL operations of people administration and API tokens, shared by their tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

ERRORS = "userErrors { field code message }"
PERSON = "id name email role kind active deactivatedAt version department { name }"
TOKEN = "id name prefix scopes createdAt expiresAt lastUsedAt revokedAt active person { email } createdBy { email }"


def _person_mutation(name: str, input_type: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ person {{ {PERSON} }} {ERRORS} }} }}"


PERSON_UPDATE = _person_mutation("personUpdate", "PersonUpdateInput")
PERSON_DEACTIVATE = _person_mutation("personDeactivate", "PersonDeactivateInput")
PERSON_REACTIVATE = _person_mutation("personReactivate", "PersonReactivateInput")
SERVICE_ACCOUNT_CREATE = _person_mutation("serviceAccountCreate", "ServiceAccountCreateInput")
PERSON_BY_ID = f"query($id: ID!) {{ node(id: $id) {{ ... on Person {{ {PERSON} }} }} }}"

TOKEN_CREATE = f"""mutation($input: ApiTokenCreateInput!) {{ apiTokenCreate(input: $input) {{
  apiToken {{ {TOKEN} }} secret {ERRORS} }} }}"""
TOKEN_REVOKE = f"""mutation($input: ApiTokenRevokeInput!) {{ apiTokenRevoke(input: $input) {{
  apiToken {{ {TOKEN} }} {ERRORS} }} }}"""
TOKENS = f"""query($personId: ID, $includeRevoked: Boolean, $first: Int, $after: String) {{
  apiTokens(personId: $personId, includeRevoked: $includeRevoked, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {TOKEN} }} }} }} }}"""


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def events_of(engine: AsyncEngine, *types: str) -> list[tuple[str, int | None, dict, list[int]]]:
    """(type, actor, payload, departments) of the logged events of these types, in order."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("select type, actor_id, payload, department_ids from events where type = any(:types) order by seq"),
            {"types": list(types)},
        )
        return [(r.type, r.actor_id, r.payload, list(r.department_ids)) for r in rows]
