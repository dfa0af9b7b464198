"""API tokens: a recognisable prefix, high entropy, a checksum that refuses typos without a lookup,
a stored hash; and who may make and revoke them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from domain.api_tokens import (
    ALL_SCOPES,
    Scope,
    hash_secret,
    is_well_formed,
    issue,
    looks_like_api_token,
    new_secret,
)
from domain.errors import DomainError
from domain.people import Role, new_service_account
from tests.unit.example_org import ADMIN, EMPLOYEE, IT, IT_AGENT, NOW

ACCOUNT = new_service_account(id=50, name="CI", role=Role.AGENT, department_id=IT, now=NOW)


def test_secrets_are_prefixed_random_and_checksummed():
    personal, service = new_secret(EMPLOYEE), new_secret(ACCOUNT)
    assert re.fullmatch(r"tdm_pat_[0-9A-Za-z]{38}", personal) and re.fullmatch(r"tdm_svc_[0-9A-Za-z]{38}", service)
    assert is_well_formed(personal) and is_well_formed(service)
    assert len({new_secret(EMPLOYEE) for _ in range(200)}) == 200


def test_a_typo_breaks_the_checksum():
    secret = new_secret(EMPLOYEE)
    i = 15
    typo = secret[:i] + ("a" if secret[i] != "a" else "b") + secret[i + 1 :]
    assert not is_well_formed(typo) and not is_well_formed(secret[:-1]) and not is_well_formed(secret + "x")
    assert looks_like_api_token(typo) and not looks_like_api_token("eyJhbGciOi.x.y")


def test_only_the_hash_is_kept():
    token, secret = issue(
        EMPLOYEE, EMPLOYEE, id=1, name="n", scopes=frozenset({Scope.READ}), expires_at=None, now=NOW, actor_scopes=None
    )
    assert token.token_hash == hash_secret(secret) and len(token.token_hash) == 64
    assert token.shown_prefix == secret[:12] and token.expires_at == NOW + timedelta(days=90)
    assert secret not in str(token.events[0].payload)


@pytest.mark.parametrize(
    "actor, owner, code",
    [
        (ADMIN, EMPLOYEE, "FORBIDDEN"),  # a personal token is made by its owner
        (IT_AGENT, ACCOUNT, "FORBIDDEN"),  # a service account's by an admin
    ],
)
def test_who_may_make_a_token(actor, owner, code):
    with pytest.raises(DomainError) as refused:
        issue(actor, owner, id=1, name="n", scopes=ALL_SCOPES, expires_at=None, now=NOW, actor_scopes=None)
    assert refused.value.code == code


def test_a_token_makes_no_token_with_more_scopes_than_its_own():
    with pytest.raises(DomainError) as refused:
        issue(
            EMPLOYEE,
            EMPLOYEE,
            id=1,
            name="n",
            scopes=frozenset({Scope.READ, Scope.ADMIN}),
            expires_at=None,
            now=NOW,
            actor_scopes=frozenset({Scope.ADMIN, Scope.WRITE}),
        )
    assert refused.value.code == "FORBIDDEN" and refused.value.field == ("scopes",)


def test_revoking_is_for_the_owner_and_admins():
    token, _ = issue(EMPLOYEE, EMPLOYEE, id=1, name="n", scopes=ALL_SCOPES, expires_at=None, now=NOW, actor_scopes=None)
    with pytest.raises(DomainError):
        token.revoke(IT_AGENT, EMPLOYEE, now=NOW)
    token.revoke(ADMIN, EMPLOYEE, now=NOW)
    token.revoke(EMPLOYEE, EMPLOYEE, now=NOW)  # again: nothing
    assert token.revoked_by_id == ADMIN.id and [e.type for e in token.events] == ["ApiTokenCreated", "ApiTokenRevoked"]
