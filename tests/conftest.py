"""Shared fixtures: one migrated database per test session, emptied before each test."""

from __future__ import annotations

import pytest

from db.engine import create_engine
from db.migrate import upgrade_async
from tests.support.api import Api
from tests.support.database import create_database, drop_database, server_url, truncate_all
from tests.support.org import build_org


@pytest.fixture(scope="session")
async def database_url():
    server = server_url()
    url, name = await create_database(server)
    await upgrade_async(url)  # migrations are the only way the schema is made, here too
    yield url
    await drop_database(server, name)


@pytest.fixture(scope="session")
async def engine(database_url):
    engine = create_engine(database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(engine):
    """An empty database for this test."""
    await truncate_all(engine)
    return engine


@pytest.fixture
async def org(db):
    return await build_org(db)


@pytest.fixture
def api(db):
    return Api(db)
