"""PostGraphile 4, the peer: installed from the npm registry into bench/.cache (not committed)
and run on the same database, pinned to the same CPU as Tandem.

PostGraphile compiles each GraphQL query to one SQL statement building the JSON; it has no
notion of Tandem's visibility rules, so its documents (bench.peer_operations) ask for the
same data with plain conditions.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.support.server import free_port

INSTALL_DIR = Path(__file__).resolve().parent / ".cache" / "postgraphile"
PACKAGES = ("postgraphile@4.14.1", "postgraphile-plugin-connection-filter@2.3.0")
BINARY = INSTALL_DIR / "node_modules" / ".bin" / "postgraphile"


def ensure_installed() -> Path:
    """The postgraphile CLI, installed with npm on first use."""
    if BINARY.exists():
        return BINARY
    if not shutil.which("npm"):
        raise RuntimeError("PostGraphile needs Node.js and npm on the PATH (https://nodejs.org)")
    INSTALL_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "install", "--prefix", str(INSTALL_DIR), "--no-audit", "--no-fund", *PACKAGES],
                   check=True, capture_output=True)
    return BINARY


def installed_version() -> str:
    package = INSTALL_DIR / "node_modules" / "postgraphile" / "package.json"
    return json.loads(package.read_text())["version"]


class PostGraphile:
    """`postgraphile` serving `database_url` in a subprocess; call `wait_ready()` before use."""

    def __init__(self, *, database_url: str, log_path: Path, cpu: int | None):
        binary = ensure_installed()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("wb")
        command = [str(binary), "--connection", database_url, "--schema", "public",
                   "--append-plugins", "postgraphile-plugin-connection-filter", "--dynamic-json",
                   "--disable-graphiql", "--disable-query-log", "--host", "127.0.0.1", "--port", str(self.port)]
        prefix = ["taskset", "-c", str(cpu)] if cpu is not None else []
        env = {**os.environ, "NODE_ENV": "production"}
        self.process = subprocess.Popen([*prefix, *command], env=env, cwd=INSTALL_DIR, stdout=self._log,
                                        stderr=self._log)

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        request = urllib.request.Request(f"{self.url}/graphql", data=b'{"query": "{ __typename }"}',
                                         headers={"Content-Type": "application/json"})
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgraphile exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(request, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:  # refused while it introspects the database
                pass
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"postgraphile was not ready within {timeout}s:\n{self.log_text()}")

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")
