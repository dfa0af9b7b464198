"""Signing in with an API token (api.credentials): each reason to refuse has its own fixed
message, nothing is written for a refused token, and a token's last use is written at most once
a minute."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from api import api_tokens
from api.auth import DEACTIVATED, SERVICE_ACCOUNT, AuthError, mint_token
from api.credentials import Credentials
from db.uow import SqlUnitOfWork
from domain import commands
from domain.api_tokens import Scope
from domain.handlers import api_tokens as tokens
from domain.handlers import people
from tests.support.database import snapshot
from tests.support.org import Org

NOW = datetime.now(UTC)


async def make_token(org: Org, owner=None, *, scopes=frozenset({Scope.READ}), expires_at=None) -> tuple[int, str]:
    owner = owner or org.employee
    return await tokens.create_token(
        commands.CreateApiToken(name="script", scopes=scopes, expires_at=expires_at),
        uow=SqlUnitOfWork(org.engine),
        actor=owner,
        now=datetime.now(UTC),
        actor_scopes=None,
    )


async def refusal(credentials: Credentials, engine, token: str) -> str:
    before = await snapshot(engine)
    with pytest.raises(AuthError) as refused:
        await credentials.credential(f"Bearer {token}")
    assert await snapshot(engine) == before
    return str(refused.value)


async def test_a_token_signs_its_person_in_with_its_scopes(org: Org):
    token_id, secret = await make_token(org, scopes=frozenset({Scope.READ, Scope.EVENTS}))

    credential = await Credentials(org.engine, secret="s" * 40).credential(f"Bearer {secret}")

    assert credential.person.id == org.employee.id and credential.person.email == "employee@example.com"
    assert credential.scopes == {Scope.READ, Scope.EVENTS} and credential.token_id == token_id
    assert credential.expires_at > datetime.now(UTC).timestamp()


@pytest.mark.parametrize(
    "token",
    [
        "tdm_pat_",
        "tdm_pat_short",
        "tdm_xyz_" + "a" * 38,
        "tdm_pat_" + "a" * 37 + "!",
        "tdm_pat_" + "a" * 38,  # the right shape, a wrong checksum: never looked up
    ],
)
async def test_a_malformed_token_is_refused_as_such(org: Org, token):
    assert await refusal(Credentials(org.engine, secret="s" * 40), org.engine, token) == api_tokens.MALFORMED


async def test_an_unknown_but_well_formed_token_is_refused_as_unknown(org: Org):
    _id, secret = await make_token(org)
    async with org.engine.begin() as conn:
        await conn.execute(text("delete from api_tokens"))
    assert await refusal(Credentials(org.engine, secret="s" * 40), org.engine, secret) == api_tokens.UNKNOWN


async def test_a_revoked_token_is_refused_on_the_next_call_of_the_process_that_revoked_it(org: Org):
    token_id, secret = await make_token(org)
    credentials = Credentials(org.engine, secret="s" * 40)
    await credentials.credential(f"Bearer {secret}")  # read, and remembered for a second

    await tokens.revoke_token(
        commands.RevokeApiToken(token_id),
        uow=SqlUnitOfWork(org.engine),
        actor=org.employee,
        now=datetime.now(UTC),
    )
    credentials.forget()  # what the mutation's context tells the process (schema.tokens.mutations)

    assert await refusal(credentials, org.engine, secret) == api_tokens.REVOKED


async def test_another_process_refuses_a_revoked_token_within_a_second(org: Org):
    token_id, secret = await make_token(org)
    moments = [0.0]
    other = Credentials(org.engine, secret="s" * 40)
    other.api_tokens.clock = lambda: moments[0]
    await other.credential(f"Bearer {secret}")
    await tokens.revoke_token(
        commands.RevokeApiToken(token_id),
        uow=SqlUnitOfWork(org.engine),
        actor=org.admin,
        now=datetime.now(UTC),
    )

    moments[0] = 1.01  # past the second its read is trusted for

    assert await refusal(other, org.engine, secret) == api_tokens.REVOKED


async def test_an_expired_token_is_refused(org: Org):
    _id, secret = await make_token(org)
    async with org.engine.begin() as conn:
        await conn.execute(text("update api_tokens set expires_at = now() - interval '1 second'"))
    assert await refusal(Credentials(org.engine, secret="s" * 40), org.engine, secret) == api_tokens.EXPIRED


async def test_a_deactivated_persons_token_is_refused(org: Org):
    _id, secret = await make_token(org, org.it_agent)
    await people.set_person_active(
        commands.SetPersonActive(org.it_agent.id, active=False),
        uow=SqlUnitOfWork(org.engine),
        actor=org.admin,
        now=datetime.now(UTC),
    )
    assert await refusal(Credentials(org.engine, secret="s" * 40), org.engine, secret) == api_tokens.DEACTIVATED


async def test_the_last_use_is_written_at_most_once_a_minute(org: Org):
    token_id, secret = await make_token(org)
    moments = [0.0]
    credentials = Credentials(org.engine, secret="s" * 40)
    credentials.api_tokens.clock = lambda: moments[0]

    async def last_used():
        async with org.engine.connect() as conn:
            return (
                await conn.execute(text("select last_used_at from api_tokens where id = :id"), {"id": token_id})
            ).scalar_one()

    await credentials.credential(f"Bearer {secret}")
    first = await last_used()
    for second in (1.5, 30.0, 59.0):
        moments[0] = second
        await credentials.credential(f"Bearer {secret}")
    assert first is not None and await last_used() == first

    async with org.engine.begin() as conn:  # as if the minute had passed
        await conn.execute(text("update api_tokens set last_used_at = last_used_at - interval '2 minutes'"))
    moments[0] = 61.0
    await credentials.credential(f"Bearer {secret}")
    assert await last_used() >= first


async def test_a_deactivated_persons_development_token_is_refused(org: Org):
    token = mint_token(person_id=org.hr_agent.id, email=org.hr_agent.email, secret="s" * 40, hours=1)
    credentials = Credentials(org.engine, secret="s" * 40)
    assert (await credentials.credential(f"Bearer {token}")).person.id == org.hr_agent.id
    await people.set_person_active(
        commands.SetPersonActive(org.hr_agent.id, active=False),
        uow=SqlUnitOfWork(org.engine),
        actor=org.admin,
        now=datetime.now(UTC),
    )
    credentials.forget()

    assert await refusal(credentials, org.engine, token) == DEACTIVATED


async def test_a_service_account_signs_in_only_with_its_api_tokens(org: Org):
    account = await people.create_service_account(
        commands.CreateServiceAccount(name="CI bot", role=org.employee.role),
        uow=SqlUnitOfWork(org.engine),
        actor=org.admin,
        now=datetime.now(UTC),
    )
    token = mint_token(person_id=account, email="ci@example.com", secret="s" * 40, hours=1)
    assert await refusal(Credentials(org.engine, secret="s" * 40), org.engine, token) == SERVICE_ACCOUNT
