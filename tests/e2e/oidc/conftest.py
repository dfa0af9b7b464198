"""Three real OpenID providers on loopback (authlib's with JWT access tokens, authlib's with opaque
tokens and introspection, oidc-provider-mock with opaque tokens and userinfo) and a `tandem serve`
configured for all three, on its own database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import httpx
import oidc_provider_mock
import pytest

from db.engine import create_engine
from tests.e2e.conftest import SECRET
from tests.support.database import create_database, drop_database, server_url
from tests.support.oidc.portal import REDIRECT_URI
from tests.support.oidc.provider import OpenIdProvider
from tests.support.oidc.served import ServedInThread
from tests.support.org import Org, build_org
from tests.support.server import Server, clean_env

AUDIENCE = "tandem-api"
ALGORITHMS = ("RS256", "ES256", "PS256", "EdDSA")
ROLES = {"tandem-admins": "ADMIN", "it-agents": "AGENT:it"}
INTROSPECTION_CLIENT = ("tandem", "tandem-introspects")
JWKS_COOLDOWN = 1.0


@pytest.fixture(scope="session")
def jwt_provider() -> Iterator[OpenIdProvider]:
    with OpenIdProvider(audience=AUDIENCE, algs=ALGORITHMS) as provider:
        provider.add_client("portal", redirect_uris=(REDIRECT_URI,))
        yield provider


@pytest.fixture(scope="session")
def introspected_provider() -> Iterator[OpenIdProvider]:
    with OpenIdProvider(audience=AUDIENCE, opaque=True) as provider:
        provider.add_client("portal", redirect_uris=(REDIRECT_URI,))
        provider.add_client(INTROSPECTION_CLIENT[0], secret=INTROSPECTION_CLIENT[1])
        yield provider


@pytest.fixture(scope="session")
def mock_provider() -> Iterator[str]:
    """oidc-provider-mock: opaque tokens, checked at its userinfo endpoint. Its URL (the issuer)."""
    served = ServedInThread(oidc_provider_mock.app())
    served.start()
    yield served.url
    served.stop()


@pytest.fixture(scope="session")
async def oidc_database() -> AsyncIterator[str]:
    server = server_url()
    url, name = await create_database(server)
    yield url
    await drop_database(server, name)


@pytest.fixture(scope="session")
def oidc_server(
    oidc_database, jwt_provider, introspected_provider, mock_provider, tmp_path_factory
) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("serve-oidc")
    env = clean_env(
        DATABASE_URL=oidc_database,
        TANDEM_SECRET=SECRET,
        TANDEM_OIDC_ISSUER=",".join([jwt_provider.issuer, introspected_provider.issuer, mock_provider]),
        TANDEM_OIDC_AUDIENCE=AUDIENCE,
        TANDEM_OIDC_OPAQUE_ISSUERS=",".join([mock_provider, introspected_provider.issuer]),
        TANDEM_OIDC_CLIENT_ID=INTROSPECTION_CLIENT[0],
        TANDEM_OIDC_CLIENT_SECRET=INTROSPECTION_CLIENT[1],
        TANDEM_OIDC_ROLES=json.dumps(ROLES),
        TANDEM_OIDC_JWKS_COOLDOWN=str(JWKS_COOLDOWN),
    )
    running = Server(env=env, cwd=folder, log_path=folder / "server.log")
    running.wait_ready()
    yield running
    running.stop()


@pytest.fixture(scope="session")
async def oidc_org(oidc_server, oidc_database) -> AsyncIterator[Org]:
    engine = create_engine(oidc_database, pool_size=2)
    yield await build_org(engine)
    await engine.dispose()


@pytest.fixture
def oidc_http(oidc_server, oidc_org) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=oidc_server.url, timeout=30) as client:
        yield client
