"""First run, as a new user does it, through the real CLI: an empty database, `tandem token`
saying to run `tandem init`, `tandem init` making the first admin once, and a server that
refuses to start against a real database with a signing secret anyone could know."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

from api.settings import DEV_SECRET
from tests.e2e.client import data
from tests.e2e.conftest import SECRET
from tests.support.database import create_database, drop_database, server_url
from tests.support.server import Server, clean_env, tandem

EMAIL = "me@corp.example"


@pytest.fixture
async def empty_database() -> AsyncIterator[str]:
    server = server_url()
    url, name = await create_database(server)  # never migrated: nothing has run against it
    yield url
    await drop_database(server, name)


def test_init_makes_the_first_admin_once(empty_database, tmp_path):
    env = clean_env(DATABASE_URL=empty_database, TANDEM_SECRET=SECRET)

    before = tandem("token", "--email", EMAIL, env=env, cwd=tmp_path)
    made = tandem("init", "--admin-email", EMAIL, "--name", "Me", env=env, cwd=tmp_path)
    again = tandem("init", "--admin-email", EMAIL, env=env, cwd=tmp_path)
    other = tandem("init", "--admin-email", "someone@corp.example", env=env, cwd=tmp_path)
    token = tandem("token", "--email", EMAIL, env=env, cwd=tmp_path)

    assert before.returncode == 1
    assert f"run `tandem init --admin-email {EMAIL}` first" in before.stderr and "Traceback" not in before.stderr
    assert made.returncode == 0, made.stderr
    assert f"{EMAIL} is now the first admin." in made.stdout and f"tandem token --email {EMAIL}" in made.stdout
    assert again.returncode == 0 and "already an admin; nothing changed" in again.stdout
    assert other.returncode == 1 and "already has an admin" in other.stderr and "Traceback" not in other.stderr
    assert token.returncode == 0, token.stderr

    server = Server(env=env, cwd=tmp_path, log_path=tmp_path / "server.log")
    try:
        server.wait_ready()
        import httpx

        with httpx.Client(base_url=server.url, timeout=30) as http:
            viewer = data(http, "{ viewer { email name role } }", token=token.stdout.strip())["viewer"]
    finally:
        server.stop()
    assert viewer == {"email": EMAIL, "name": "Me", "role": "ADMIN"}


@pytest.mark.parametrize(
    "secret, says",
    [
        (None, "TANDEM_SECRET is the development default"),
        (DEV_SECRET, "TANDEM_SECRET is the development default"),
        ("short-but-not-default", "TANDEM_SECRET is shorter than 32 bytes"),
    ],
)
def test_serve_refuses_a_weak_secret_with_an_external_database(empty_database, tmp_path, secret, says):
    env = clean_env(DATABASE_URL=empty_database, **({"TANDEM_SECRET": secret} if secret else {}))

    done = tandem("serve", "--port", "1", env=env, cwd=tmp_path, timeout=60)

    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tandem: refusing to start: ") and says in lines[0]
    assert "TANDEM_DEV_MODE=true" in lines[0] and done.stdout == ""


def test_the_app_factory_refuses_too(empty_database, tmp_path):
    """For those who run `uvicorn api.app:create_app --factory` themselves."""
    env = clean_env(DATABASE_URL=empty_database, TANDEM_SECRET="short")
    done = subprocess.run(
        [sys.executable, "-c", "from api.app import create_app; create_app()"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("tandem: refusing to start:")
    assert "Traceback" not in done.stderr


def test_development_mode_must_be_asked_for(empty_database, tmp_path):
    env = clean_env(DATABASE_URL=empty_database, TANDEM_DEV_MODE="true")
    server = Server(env=env, cwd=tmp_path, log_path=tmp_path / "server.log")
    try:
        server.wait_ready()
    finally:
        assert server.stop() == 0
