"""End-to-end fixtures: the real `tandem serve` on its own fresh database, real HTTP clients,
tokens minted by the real `tandem token`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest

from db.engine import create_engine
from tests.support.database import create_database, drop_database, server_url
from tests.support.org import Org, build_org
from tests.support.server import Server, clean_env, mint_token

SECRET = "e2e-secret-not-the-default-and-32-bytes-long"


@pytest.fixture(scope="session")
async def server_database():
    server = server_url()
    url, name = await create_database(server)  # empty: `tandem serve` migrates it itself
    yield url
    await drop_database(server, name)


@pytest.fixture(scope="session")
def server_env(server_database) -> dict[str, str]:
    return clean_env(DATABASE_URL=server_database, TANDEM_SECRET=SECRET)


@pytest.fixture(scope="session")
def server(server_env, tmp_path_factory) -> Iterator[Server]:
    # Run from an empty folder so no developer `.env` leaks into the server's settings.
    folder = tmp_path_factory.mktemp("serve")
    running = Server(env=server_env, cwd=folder, log_path=folder / "server.log")
    running.wait_ready()
    yield running
    running.stop()


@pytest.fixture(scope="session")
async def e2e_org(server, server_database) -> AsyncIterator[Org]:
    """The small test organisation, built in the server's database once it has migrated it."""
    engine = create_engine(server_database, pool_size=2)
    yield await build_org(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
def token_for(server, server_env, e2e_org) -> Callable[[str], str]:
    """Tokens for the test organisation's people, minted once each by the real CLI."""
    minted: dict[str, str] = {}

    def token(email: str) -> str:
        if email not in minted:
            minted[email] = mint_token(email, env=server_env, cwd=server.cwd)
        return minted[email]

    return token


@pytest.fixture
def http(server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client
