"""The `tandem` command line as an operator meets it, through the real CLI in a subprocess: every
mistake answered in one line with a hint and the exit status 2, changing nothing; --version;
--help with defaults and environment variables."""

from __future__ import annotations

import socket
import uuid
from importlib import metadata

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.e2e.conftest import SECRET
from tests.support.database import asyncpg_dsn, create_database, drop_database, server_url, with_database
from tests.support.server import clean_env, free_port, tandem
from tests.support.sync import run_apart

COMMANDS = {"migrate": ("migrate",), "token": ("token", "--email", "admin@example.com")}


def one_line_error(done, *, says: str, hint: str) -> str:
    """The only line on stderr, checked; the command printed nothing else and exited with 2."""
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert says in lines[0] and hint in lines[0], lines[0]
    return lines[0]


def command(name: str) -> tuple[str, ...]:
    return ("serve", "--port", str(free_port())) if name == "serve" else COMMANDS[name]


def missing_database() -> tuple[str, str]:
    name = f"tandem_missing_{uuid.uuid4().hex[:8]}"
    return with_database(server_url(), name), name


# Each bad DATABASE_URL (made when the test runs: the server's URL is known only then), what the
# line says and the hint it gives.
BAD_URLS = {
    "refused": (
        lambda: f"postgresql://postgres@127.0.0.1:{free_port()}/postgres",  # nothing listens there
        "(connection refused)",
        "is it running?",
    ),
    "no-database": (lambda: missing_database()[0], "does not exist on PostgreSQL", "createdb"),
    "no-role": (
        lambda: make_url(server_url()).set(username=f"nobody_{uuid.uuid4().hex[:8]}").render_as_string(False),
        "refused the connection: role",
        "check DATABASE_URL",
    ),
    "unknown-host": (
        lambda: "postgresql://postgres@db.invalid/tandem",  # .invalid never resolves (RFC 2606)
        "cannot find the host 'db.invalid' of DATABASE_URL",
        "check DATABASE_URL",
    ),
    "not-a-url": (lambda: "not a url", "DATABASE_URL is not a database URL", "expected postgresql://"),
    "mysql": (lambda: "mysql://me@db.example/shop", "names a mysql database", "PostgreSQL"),
}


async def database_exists(name: str) -> bool:
    conn = await asyncpg.connect(asyncpg_dsn(server_url()))
    try:
        return await conn.fetchval("select exists (select 1 from pg_database where datname = $1)", name)
    finally:
        await conn.close()


@pytest.mark.parametrize("name", ["migrate", "token", "serve"])
@pytest.mark.parametrize("case", list(BAD_URLS))
def test_a_bad_database_url_is_one_line_and_changes_nothing(tmp_path, name, case):
    url, says, hint = BAD_URLS[case]
    env = clean_env(DATABASE_URL=url(), TANDEM_SECRET=SECRET)

    done = tandem(*command(name), env=env, cwd=tmp_path, timeout=60)

    line = one_line_error(done, says=says, hint=hint)
    assert line.startswith("tandem: error: ")
    assert list(tmp_path.iterdir()) == []  # no embedded database started instead


def test_a_server_that_does_not_answer_is_one_line_within_the_connect_timeout(tmp_path):
    with socket.socket() as silent:  # accepts connections (the kernel does) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"postgresql://postgres@127.0.0.1:{silent.getsockname()[1]}/postgres"
        env = clean_env(DATABASE_URL=url, TANDEM_DB_CONNECT_TIMEOUT="0.5")

        done = tandem("migrate", env=env, cwd=tmp_path, timeout=60)

    one_line_error(done, says="did not answer within 0.5 s", hint="TANDEM_DB_CONNECT_TIMEOUT")


def test_init_does_not_create_the_database_a_url_names(tmp_path):
    url, name = missing_database()

    done = tandem("init", "--admin-email", "me@corp.example", env=clean_env(DATABASE_URL=url), cwd=tmp_path)

    one_line_error(done, says=f'database "{name}" does not exist', hint=f"createdb {name}")
    assert run_apart(database_exists(name)) is False
    assert list(tmp_path.iterdir()) == []


def test_a_password_is_never_repeated(tmp_path):
    url = f"postgresql://postgres:hunter2-secret@127.0.0.1:{free_port()}/postgres"

    done = tandem("migrate", env=clean_env(DATABASE_URL=url), cwd=tmp_path, timeout=60)

    one_line_error(done, says="connection refused", hint="DATABASE_URL")
    assert "hunter2" not in done.stderr


def test_token_where_there_is_no_database_says_so_and_creates_none(tmp_path):
    # given a folder where Tandem never ran, and no DATABASE_URL
    env = clean_env(TANDEM_SECRET=SECRET)

    # when a token is asked for there
    done = tandem("token", "--email", "admin@example.com", env=env, cwd=tmp_path, timeout=60)

    # then one line says why, and no embedded database was set up in that folder
    one_line_error(done, says="no Tandem database here", hint="set DATABASE_URL")
    assert str((tmp_path / ".tandem").resolve()) in done.stderr
    assert not (tmp_path / ".tandem").exists()


@pytest.mark.parametrize(
    "name, setting, value, says",
    [
        ("serve", "TANDEM_MAX_DEPTH", "1", "TANDEM_MAX_DEPTH='1': input should be greater than or equal to 2"),
        ("serve", "TANDEM_DB_POOL_SIZE", "many", "TANDEM_DB_POOL_SIZE='many': input should be a valid integer"),
        ("migrate", "TANDEM_LOG_FORMAT", "xml", "TANDEM_LOG_FORMAT='xml': input should be 'auto', 'text' or 'json'"),
        ("migrate", "TANDEM_LOG_LEVEL", "loud", "TANDEM_LOG_LEVEL='loud': must be one of DEBUG"),
        ("token", "TANDEM_TOKEN_HOURS", "0", "TANDEM_TOKEN_HOURS='0': input should be greater than or equal to 1"),
        ("serve", "TANDEM_GRAPHIQL", "perhaps", "TANDEM_GRAPHIQL='perhaps': input should be a valid boolean"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(tmp_path, name, setting, value, says):
    env = clean_env(TANDEM_SECRET=SECRET, **{setting: value})

    done = tandem(*command(name), env=env, cwd=tmp_path, timeout=60)

    one_line_error(done, says=says, hint="docs/configuration.md")
    assert list(tmp_path.iterdir()) == []


def test_sign_in_settings_that_cannot_work_stop_serve_before_it_starts(tmp_path):
    env = clean_env(TANDEM_SECRET=SECRET, TANDEM_OIDC_ISSUER="idp.example")

    done = tandem(*command("serve"), env=env, cwd=tmp_path, timeout=60)

    one_line_error(done, says="TANDEM_OIDC_ISSUER: 'idp.example' is not an http(s) URL", hint="docs/sign-in.md")
    assert list(tmp_path.iterdir()) == []


def test_serve_on_a_port_in_use_says_so_before_starting_anything(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        done = tandem("serve", "--port", str(port), env=clean_env(TANDEM_SECRET=SECRET), cwd=tmp_path, timeout=60)

    one_line_error(done, says=f"cannot listen on 127.0.0.1:{port}", hint="pass --port")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args, says",
    [
        (("token", "--email", "a@example.com", "--hours", "0"), "argument --hours: 0 is out of range: from 1 to"),
        (("token", "--email", "a@example.com", "--hours", "-3"), "argument --hours: -3 is out of range"),
        (("token", "--email", "a@example.com", "--hours", "soon"), "argument --hours: 'soon' is not a whole number"),
        (("token",), "the following arguments are required: --email"),
        (("serve", "--port", "0"), "argument --port: 0 is out of range: from 1 to 65,535"),
        (("serve", "--port", "70000"), "argument --port: 70000 is out of range"),
        (("serve", "--workers", "0"), "argument --workers: 0 is out of range"),
        (("seed",), "the following arguments are required: --demo"),
        (("launch",), "invalid choice: 'launch'"),
        ((), "the following arguments are required: command"),
    ],
)
def test_a_bad_argument_is_one_line_pointing_to_help(tmp_path, args, says):
    done = tandem(*args, env=clean_env(TANDEM_SECRET=SECRET), cwd=tmp_path, timeout=60)

    line = one_line_error(done, says=says, hint="--help`")
    assert line.startswith("tandem")
    assert list(tmp_path.iterdir()) == []


def test_version_is_the_installed_package_version(tmp_path):
    done = tandem("--version", env=clean_env(), cwd=tmp_path, timeout=60)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"tandem {metadata.version('tandem')}"


@pytest.mark.parametrize("name", ["serve", "migrate", "seed", "init", "token"])
def test_each_command_help_shows_the_environment_it_reads_with_defaults(tmp_path, name):
    done = tandem(name, "--help", env=clean_env(), cwd=tmp_path, timeout=60)

    text = " ".join(done.stdout.split())  # argparse wraps to the terminal's width
    assert done.returncode == 0, done.stderr
    assert "environment (or a .env file in the working directory):" in text
    for setting, default in [("DATABASE_URL", "unset"), ("TANDEM_DATA_DIR", ".tandem"), ("TANDEM_LOG_FORMAT", "auto")]:
        assert setting in text and f"(default: {default})" in text
    assert list(tmp_path.iterdir()) == []


def test_serve_help_shows_the_defaults_of_its_options(tmp_path):
    done = tandem("serve", "--help", env=clean_env(), cwd=tmp_path, timeout=60)

    text = " ".join(done.stdout.split())  # argparse wraps to the terminal's width
    assert "port to listen on (default: 8000)" in text
    assert "(default: 127.0.0.1)" in text and "worker processes (default: 1)" in text
    assert "TANDEM_SECRET" in text and "TANDEM_GRAPHIQL" in text


def test_token_help_says_where_its_lifetime_comes_from(tmp_path):
    done = tandem("token", "--help", env=clean_env(), cwd=tmp_path, timeout=60)

    text = " ".join(done.stdout.split())
    assert "(default: TANDEM_TOKEN_HOURS, which defaults to 168)" in text
    assert "TANDEM_TOKEN_HOURS lifetime of minted tokens" in text


async def _with_foreign_table(name: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(with_database(server_url(), name)))
    try:
        await conn.execute("create table departments (legacy text)")
    finally:
        await conn.close()


def test_a_failing_migration_shows_the_migration_chatter_then_one_error_line(tmp_path):
    # given a database another application already uses
    url, name = run_apart(create_database(server_url()))
    run_apart(_with_foreign_table(name))
    try:
        # when Tandem is pointed at it
        done = tandem("migrate", env=clean_env(DATABASE_URL=url, TANDEM_LOG_FORMAT="text"), cwd=tmp_path)
    finally:
        run_apart(drop_database(server_url(), name))

    # then Alembic's lines, quiet otherwise, say which migration failed, and one line says why
    *chatter, last = done.stderr.splitlines()
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert last.startswith('tandem: error: migrating the database failed: relation "departments" already exists')
    assert "a database of Tandem's own" in last
    assert any("Running upgrade" in line for line in chatter)


def test_a_data_folder_that_cannot_be_made_is_one_line(tmp_path):
    (tmp_path / "a-file").write_text("")
    env = clean_env(TANDEM_SECRET=SECRET, TANDEM_DATA_DIR=str(tmp_path / "a-file" / "data"))

    done = tandem("migrate", env=env, cwd=tmp_path, timeout=60)

    one_line_error(done, says="cannot create the data folder", hint="set TANDEM_DATA_DIR")
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]
