"""`tandem serve` with no DATABASE_URL: an embedded PostgreSQL under TANDEM_DATA_DIR whose data
survives a restart of the server."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from db import tables as t
from db.engine import create_engine
from tests.e2e.client import bearer, error_codes
from tests.e2e.conftest import SECRET
from tests.support.server import Server, clean_env, mint_token
from tests.support.sync import run_apart

CREATE = """mutation($input: DepartmentCreateInput!) { departmentCreate(input: $input) {
  department { id name } userErrors { code message } } }"""
NAMES = "{ departments(first: 100) { edges { node { name } } } }"


async def _insert_admin(url: str) -> None:
    """An empty embedded database has nobody to sign in as: the first admin comes from SQL."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(t.people.insert().values(name="Ada Admin", email="admin@example.com", role="ADMIN"))
    finally:
        await engine.dispose()


def _graphql(server: Server, query: str, token: str | None = None, **variables) -> httpx.Response:
    return httpx.post(
        f"{server.url}/graphql",
        json={"query": query, "variables": variables},
        headers=bearer(token) if token else {},
        timeout=30,
    )


def _stop_leftover_postgres(pgdata: Path) -> None:
    """If a failing test left the embedded server up, take it down (as its last handle)."""
    if (pgdata / "postmaster.pid").exists():
        import pgserver

        pgserver.get_server(pgdata, cleanup_mode="stop").cleanup()


@pytest.fixture
def embedded_env(tmp_path) -> dict[str, str]:
    env = clean_env(TANDEM_DATA_DIR=str(tmp_path / "data"), TANDEM_SECRET=SECRET)
    yield env
    _stop_leftover_postgres(tmp_path / "data" / "pg")


def test_serve_without_database_url_keeps_its_data_across_a_restart(embedded_env, tmp_path):
    data_dir = tmp_path / "data"

    # given the server starts with no database configured
    first = Server(env=embedded_env, cwd=tmp_path, log_path=tmp_path / "first.log")
    try:
        first.wait_ready(timeout=120)
        started = first.wait_for_log(lambda e: e.get("message") == "embedded PostgreSQL running")
        assert started["data_dir"] == str(data_dir.resolve())
        assert (data_dir / "pg" / "PG_VERSION").exists()
        # and pgserver's account of initdb and pg_ctl (twenty-odd lines) stayed quiet: it worked
        noise = [e for e in first.log_entries() if e.get("logger") in ("pgserver", "py.warnings")]
        assert noise == []
        assert error_codes(_graphql(first, NAMES)) == ["UNAUTHENTICATED"]

        # when an admin (made with SQL, through the URL it logged) creates a department
        run_apart(_insert_admin(started["url"]))
        token = mint_token("admin@example.com", env=embedded_env, cwd=tmp_path)  # the CLI joins the server
        created = _graphql(first, CREATE, token, input={"name": "Embedded Ops"}).json()
        assert created["data"]["departmentCreate"]["userErrors"] == []
    finally:
        code = first.stop()

    # then the server stopped cleanly, and its PostgreSQL with it
    assert code == 0, first.log_text()[-3000:]
    assert not (data_dir / "pg" / "postmaster.pid").exists()

    # and after a restart the department is still there
    second = Server(env=embedded_env, cwd=tmp_path, log_path=tmp_path / "second.log")
    try:
        second.wait_ready(timeout=120)
        response = _graphql(second, NAMES, token)
    finally:
        second.stop()
    assert response.status_code == 200, response.text
    assert [e["node"]["name"] for e in response.json()["data"]["departments"]["edges"]] == ["Embedded Ops"]
