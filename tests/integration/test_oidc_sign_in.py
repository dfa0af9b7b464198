"""Signing people in with OpenID Connect tokens (api.oidc.sign_in) against a real provider on
loopback and the real database: linking, just-in-time provisioning (race-safe), role mapping."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from api.oidc import refusals
from api.oidc.config import OidcConfig
from api.oidc.refusals import Refused
from api.oidc.sign_in import OidcSignIn
from db import tables as t
from domain.identities import RoleMapping
from domain.people import Role
from tests.support.database import snapshot
from tests.support.oidc.provider import OpenIdProvider

AUDIENCE = "tandem-api"
ROLES = RoleMapping.parse({"tandem-admins": "ADMIN", "it-agents": "AGENT:it"})


@pytest.fixture(scope="module")
def provider():
    with OpenIdProvider(audience=AUDIENCE) as running:
        yield running


@pytest.fixture
async def sign_ins(org, provider):
    """OidcSignIn instances as processes would have them (each its own caches), closed after."""
    made: list[OidcSignIn] = []

    def make(**config) -> OidcSignIn:
        made.append(OidcSignIn(OidcConfig(issuers=(provider.issuer,), audience=AUDIENCE, **config), engine=org.engine))
        return made[-1]

    yield make
    for sign_in in made:
        await sign_in.aclose()


async def people_with(engine, email: str) -> list:
    async with engine.connect() as conn:
        return (await conn.execute(select(t.people).where(t.people.c.email == email))).all()


async def count(engine, table, *where) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


async def test_first_sign_ins_at_once_make_one_person_and_one_link(org, provider, sign_ins):
    # given five processes, each with its own token for the same new person (and a second identity, same email)
    claims = {"email": "newbie@example.com", "email_verified": True, "name": "Nina Newbie"}
    tokens = [provider.sign(sub="newbie", **claims) for _ in range(5)] + [provider.sign(sub="newbie-2", **claims)]
    # when they all sign in at once
    ids = await asyncio.gather(*(sign_ins().person_id(token) for token in tokens))
    # then one person, linked from both identities, created once
    (person,) = await people_with(org.engine, "newbie@example.com")
    assert set(ids) == {person.id} and person.role == "REQUESTER" and person.name == "Nina Newbie"
    assert await count(org.engine, t.person_identities, t.person_identities.c.person_id == person.id) == 2
    assert await count(org.engine, t.events, t.events.c.type == "PersonCreated", t.events.c.actor_id == person.id) == 1


async def test_an_existing_person_is_linked_by_a_verified_email(org, provider, sign_ins):
    token = provider.sign(sub="ian-at-idp", email="IT.Agent@example.com", email_verified=True)
    assert await sign_ins().person_id(token) == org.it_agent.id
    assert await count(org.engine, t.people) == len(org.people)


async def test_an_unverified_email_links_and_provisions_nothing(org, provider, sign_ins):
    before = await snapshot(org.engine)
    for email in ("it.agent@example.com", "stranger@example.com"):
        with pytest.raises(Refused) as refused:
            await sign_ins().person_id(provider.sign(sub=f"unverified-{email}", email=email, email_verified=False))
        assert refused.value.reason == refusals.UNVERIFIED_EMAIL
    assert await snapshot(org.engine) == before


async def test_without_provisioning_an_unknown_person_is_refused(org, provider, sign_ins):
    before = await snapshot(org.engine)
    with pytest.raises(Refused) as refused:
        await sign_ins(provision=False).person_id(
            provider.sign(sub="stranger", email="stranger@example.com", email_verified=True)
        )
    assert refused.value.reason == refusals.NO_PERSON
    assert await snapshot(org.engine) == before


async def test_an_email_missing_from_the_token_is_read_from_userinfo(org, provider, sign_ins):
    provider.add_account("hugo-at-idp", email="hr.manager@example.com", email_verified=True)
    assert await sign_ins().person_id(provider.sign(sub="hugo-at-idp")) == org.hr_manager.id


async def test_without_a_mapping_roles_stay_as_tandem_has_them(org, provider, sign_ins):
    token = provider.sign(sub="ian", email="it.agent@example.com", email_verified=True, groups=["tandem-admins"])
    await sign_ins().person_id(token)
    (ian,) = await people_with(org.engine, "it.agent@example.com")
    assert (ian.role, ian.department_id) == ("AGENT", org.departments["it"])


async def test_a_mapping_gives_roles_from_groups_at_each_sign_in(org, provider, sign_ins):
    def token(*groups: str) -> str:
        return provider.sign(sub="emma", email="employee@example.com", email_verified=True, groups=list(groups))

    # an employee the provider puts in the IT agents' group
    await sign_ins(roles=ROLES).person_id(token("it-agents", "unmapped"))
    (emma,) = await people_with(org.engine, "employee@example.com")
    assert (emma.role, emma.department_id) == ("AGENT", org.departments["it"])
    # an admin too: the strongest role wins
    await sign_ins(roles=ROLES).person_id(token("it-agents", "tandem-admins"))
    (emma,) = await people_with(org.engine, "employee@example.com")
    assert (emma.role, emma.department_id) == ("ADMIN", None)
    # in no mapped group any more: a requester
    await sign_ins(roles=ROLES).person_id(token())
    (emma,) = await people_with(org.engine, "employee@example.com")
    assert (Role(emma.role), emma.department_id) == (Role.REQUESTER, None)
    assert await count(org.engine, t.events, t.events.c.type == "PersonRoleChanged") == 3
    # a new person is provisioned with the mapped role
    new_admin = await sign_ins(roles=ROLES).person_id(
        provider.sign(sub="boss", email="boss@example.com", email_verified=True, groups=["tandem-admins"])
    )
    (boss,) = await people_with(org.engine, "boss@example.com")
    assert (boss.id, boss.role) == (new_admin, "ADMIN")


@pytest.mark.parametrize("token", ["caf\u00e9-token", "two words", "line\r\nInjected: header", "x" * 5000])
async def test_an_opaque_token_that_is_no_bearer_token_is_not_sent_to_the_provider(org, provider, sign_ins, token):
    introspections, requests = provider.introspections, provider.jwks_requests
    with pytest.raises(Refused) as refused:
        await sign_ins(opaque_issuers=(provider.issuer,)).person_id(token)
    assert refused.value.reason == refusals.MALFORMED
    assert (provider.introspections, provider.jwks_requests) == (introspections, requests)
