"""Bearer tokens over HTTP: minted by the real `tandem token`, refused with 401 when absent or bad."""

import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from api.auth import ALGORITHM, AUDIENCE, mint_token
from tests.e2e.client import error_codes, post
from tests.e2e.conftest import SECRET
from tests.e2e.raw_http import assert_logged_no_failure
from tests.support.org import Org
from tests.support.server import tandem

QUERY = "{ requests(first: 5) { totalCount } }"


def test_a_token_from_the_cli_signs_the_person_in(http, e2e_org: Org, token_for):
    response = post(http, "{ viewer { email role department { name } } }", token=token_for("it.agent@example.com"))

    assert response.status_code == 200
    assert response.json()["data"]["viewer"] == {
        "email": "it.agent@example.com",
        "role": "AGENT",
        "department": {"name": "IT"},
    }


def test_a_missing_token_is_401_unauthenticated(http, e2e_org: Org):
    response = post(http, QUERY)

    assert response.status_code == 401
    assert error_codes(response) == ["UNAUTHENTICATED"]
    assert "Bearer" in response.json()["errors"][0]["message"]


def test_a_token_signed_with_another_secret_is_401(http, e2e_org: Org, server, server_env):
    # the real CLI, run against the same database with a different secret: a forgery
    forged = tandem(
        "token",
        "--email",
        "admin@example.com",
        cwd=server.cwd,
        env={**server_env, "TANDEM_SECRET": "not-the-server-secret"},
    )
    assert forged.returncode == 0, forged.stderr

    response = post(http, QUERY, token=forged.stdout.strip())

    assert response.status_code == 401
    assert error_codes(response) == ["UNAUTHENTICATED"]
    assert response.json()["errors"][0]["message"] == (
        "Invalid token: the signature does not match; it was not minted by this server."
    )


def test_an_expired_token_is_401(http, e2e_org: Org):
    expired = mint_token(person_id=e2e_org.admin.id, email="admin@example.com", secret=SECRET, hours=-1)

    response = post(http, QUERY, token=expired)

    assert response.status_code == 401
    assert error_codes(response) == ["UNAUTHENTICATED"]
    assert "expired" in response.json()["errors"][0]["message"].lower()


@pytest.mark.parametrize("header", ["Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer not.a.jwt"])
def test_a_malformed_authorization_header_is_401(http, e2e_org: Org, header):
    response = http.post("/graphql", json={"query": QUERY}, headers={"Authorization": header})

    assert response.status_code == 401
    assert error_codes(response) == ["UNAUTHENTICATED"]


def test_the_cli_refuses_an_unknown_email(server):
    done = tandem("token", "--email", "nobody@example.com", cwd=server.cwd, env=server.env)

    assert done.returncode == 1
    assert "nobody@example.com" in done.stderr


def test_a_bad_token_is_refused_even_for_a_query_that_needs_no_viewer(http, e2e_org: Org):
    response = post(http, "{ __typename }", token="Bearer-less.garbage.token")

    assert response.status_code == 401
    assert error_codes(response) == ["UNAUTHENTICATED"]
    assert "data" not in response.json()


def _signed(**claims) -> str:
    return jwt.encode({"aud": AUDIENCE, **claims}, SECRET, algorithm=ALGORITHM)


IN_AN_HOUR = datetime.now(UTC) + timedelta(hours=1)


@pytest.mark.parametrize(
    "token, message",
    [
        (_signed(sub=str(2**63), exp=IN_AN_HOUR), "Invalid token: its subject (sub) is not a person's id."),
        (_signed(sub="1" * 40, exp=IN_AN_HOUR), "Invalid token: its subject (sub) is not a person's id."),
        (_signed(sub="admin", exp=IN_AN_HOUR), "Invalid token: its subject (sub) is not a person's id."),
        (_signed(sub="1"), "Invalid token: it has no expiry (exp); Tandem accepts only tokens that expire."),
    ],
)
def test_a_token_tandem_never_mints_is_401_with_a_fixed_message(http, e2e_org: Org, server, token, message):
    # signed with the server's secret: only the claims are wrong (a subject past bigint used to fail
    # in the database with a plain-text 500; a token without exp used to sign in for ever)
    request_id = f"tok-{uuid.uuid4().hex}"

    response = post(http, QUERY, token=token, headers={"X-Request-ID": request_id})

    assert response.status_code == 401
    assert error_codes(response) == ["UNAUTHENTICATED"]
    assert response.json()["errors"][0]["message"] == message
    assert_logged_no_failure(server, request_id)


def test_the_cli_mints_only_tokens_that_expire(server):
    done = tandem("token", "--email", "admin@example.com", "--hours", "0", cwd=server.cwd, env=server.env)

    assert done.returncode == 2
    assert "--hours" in done.stderr
