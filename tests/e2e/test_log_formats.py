"""TANDEM_LOG_FORMAT through the real CLI: text on a terminal, JSON lines anywhere else, or either
when asked for."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from collections.abc import AsyncIterator

import pytest

from tests.e2e.conftest import SECRET
from tests.support.database import create_database, drop_database, server_url
from tests.support.server import clean_env, tandem_command


@pytest.fixture
async def database() -> AsyncIterator[str]:
    server = server_url()
    url, name = await create_database(server)
    yield url
    await drop_database(server, name)


def migrate_logs(database: str, tmp_path, *, log_format: str | None, terminal: bool) -> list[str]:
    """What `tandem migrate` writes on stderr, which is a terminal (a pseudo-terminal) or a pipe."""
    chosen = {"TANDEM_LOG_FORMAT": log_format} if log_format else {}
    env = clean_env(DATABASE_URL=database, TANDEM_SECRET=SECRET, **chosen)
    if not terminal:
        done = subprocess.run([*tandem_command(), "migrate"], env=env, cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stderr.splitlines()
    controller, terminal_end = pty.openpty()
    try:
        done = subprocess.run([*tandem_command(), "migrate"], env=env, cwd=tmp_path, stderr=terminal_end, timeout=120)
    finally:
        os.close(terminal_end)
    output = b""
    while True:  # the few lines written are all in the terminal's buffer by now
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: nothing more, the other end is closed
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert done.returncode == 0, output
    return output.decode().replace("\r\n", "\n").splitlines()


def is_json(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


@pytest.mark.parametrize(
    "log_format, terminal, json_lines",
    [(None, True, False), (None, False, True), ("text", False, False), ("json", True, True)],
    ids=["auto-terminal", "auto-pipe", "text-pipe", "json-terminal"],
)
def test_the_log_format(database, tmp_path, log_format, terminal, json_lines):
    lines = migrate_logs(database, tmp_path, log_format=log_format, terminal=terminal)

    said = [line for line in lines if "database schema up to date" in line]
    assert len(said) == 1, lines
    if json_lines:
        assert all(is_json(line) for line in lines), lines
        assert json.loads(said[0])["logger"] == "tandem.cli"
    else:
        assert not any(is_json(line) for line in lines), lines
        assert " INFO    tandem.cli      database schema up to date" in said[0]
    assert not [line for line in lines if "Running upgrade" in line or "Context impl" in line]
