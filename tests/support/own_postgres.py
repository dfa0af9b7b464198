"""A PostgreSQL of the test's own, which it may crash or configure: pgserver's bundled binaries (the
version the embedded server runs), a fresh cluster in a temporary folder, on a free port of
127.0.0.1, with PostgreSQL's defaults (fsync on, synchronous_commit on) unless a test sets others."""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pgserver

from tests.support.server import free_port

BIN = Path(pgserver.__file__).parent / "pginstall" / "bin"
# PostgreSQL refuses to run as root: as root, run it as the user pgserver itself runs it as.
SYSTEM_USER = "pgserver"


def _system_user() -> str | None:
    if os.geteuid() != 0:
        return None
    from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

    # What pgserver does before its own initdb as root: the user, and binaries it may run.
    ensure_user_exists(SYSTEM_USER)
    ensure_prefix_permissions(BIN)
    readable, runnable = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
    ensure_folder_permissions(BIN, readable | runnable)
    ensure_folder_permissions(BIN.parent / "lib", readable)
    return SYSTEM_USER


class OwnPostgres:
    """initdb'd on creation; `start`, `stop` (`fast`: sessions end, a clean shut-down) and `crash`
    (`pg_ctl stop -m immediate`: every process quits at once, WAL still in PostgreSQL's buffers is
    lost, the next start recovers); `remove` deletes it. `settings` hold for every start."""

    def __init__(self, *, settings: dict[str, str] | None = None) -> None:
        self.settings = settings or {}
        self.user = _system_user()
        self.folder = Path(tempfile.mkdtemp(prefix="tandem-own-pg-"))
        if self.user is not None:
            shutil.chown(self.folder, self.user, self.user)
        self.data = self.folder / "data"
        self.port = free_port()
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=utf8")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self, **settings: str) -> None:
        """Start it (recovering from the WAL after a crash), with `settings` for this run only."""
        chosen = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.folder),
            **self.settings,
            **settings,
        }
        options = f"-p {self.port} " + " ".join(f"-c {name}={shlex.quote(value)}" for name, value in chosen.items())
        self._run(
            "pg_ctl",
            "start",
            "-D",
            str(self.data),
            "-w",
            "-t",
            "120",
            "-o",
            options,
            "-l",
            str(self.folder / "postgres.log"),
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w")

    def crash(self) -> None:
        self.stop("immediate")

    def remove(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.crash()  # the cluster is thrown away: no need to shut down cleanly
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def log_text(self) -> str:
        path = self.folder / "postgres.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _run(self, program: str, *args: str) -> None:
        # Output to a file, not a pipe: the postmaster pg_ctl starts would hold a pipe open.
        with (self.folder / "commands.log").open("ab") as log:
            done = subprocess.run(
                [str(BIN / program), *args], stdout=log, stderr=log, user=self.user, cwd=self.folder, timeout=180
            )
        if done.returncode != 0:
            raise RuntimeError(
                f"{program} failed ({done.returncode}):\n"
                f"{(self.folder / 'commands.log').read_text(errors='replace')[-3000:]}"
            )
