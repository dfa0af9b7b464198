"""The real `tandem` CLI as a subprocess: `serve` on a free port, `token`, `migrate`, `seed`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any


def tandem_command() -> list[str]:
    """The installed console script next to this interpreter (what a user runs)."""
    script = Path(sys.executable).with_name("tandem")
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


# Kept from this process's environment: the suite runs again with both fast paths off (.ci/run).
FAST_PATH_SWITCHES = ("TANDEM_COMPILED_READS", "TANDEM_DIRECT_MUTATIONS")


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without Tandem settings but the fast paths' switches, so only
    `overrides` configure the server."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "DATABASE_URL" and (not k.startswith("TANDEM_") or k in FAST_PATH_SWITCHES)
    }
    return {**env, "PYTHONUNBUFFERED": "1", **overrides}


def tandem(*args: str, env: dict[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*tandem_command(), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def mint_token(email: str, *, env: dict[str, str], cwd: Path) -> str:
    done = tandem("token", "--email", email, env=env, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServedProcess:
    """A server in a subprocess on a free port of 127.0.0.1, its output in a log file: started,
    waited for until its readiness probe answers 200, and stopped with SIGTERM. The bench runs
    its peers (PostGraphile, a bare strawberry app) through this too."""

    name = "server"

    def __init__(self, *, log_path: Path, log_mode: str = "ab"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open(log_mode)
        self.process: subprocess.Popen | None = None

    def start(self, command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        self.process = subprocess.Popen(command, env=env, cwd=cwd, stdout=self._log, stderr=self._log)

    def probe(self) -> urllib.request.Request:
        """The request that answers 200 once the server is ready."""
        raise NotImplementedError

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_text()}")
            # urllib, not httpx: bench/ uses this too, with only the app's own dependencies.
            try:
                with urllib.request.urlopen(self.probe(), timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:  # refused while starting, or a 503 before it is ready
                pass
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"{self.name} was not ready within {timeout}s:\n{self.log_text()}")

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, as a process manager would; the server shuts down gracefully."""
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


class Server(ServedProcess):
    """`tandem serve` running in a subprocess; its stderr (JSON log lines) goes to a file."""

    name = "tandem serve"

    def __init__(
        self,
        *,
        env: dict[str, str],
        cwd: Path,
        log_path: Path,
        args: tuple[str, ...] = (),
        command_prefix: tuple[str, ...] = (),
    ):
        """`command_prefix` wraps the command, e.g. ("taskset", "-c", "0") to pin it to a CPU."""
        super().__init__(log_path=log_path)
        self.env, self.cwd = env, cwd
        self.start([*command_prefix, *tandem_command(), "serve", "--port", str(self.port), *args], env=env, cwd=cwd)

    def probe(self) -> urllib.request.Request:
        return urllib.request.Request(f"{self.url}/readyz")

    def log_entries(self) -> list[dict[str, Any]]:
        entries = []
        for line in self.log_text().splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                entries.append({"unparsed": line})
        return entries

    def wait_for_log(self, matches: Callable[[dict[str, Any]], bool], timeout: float = 5) -> dict[str, Any]:
        """The first log entry that matches; the access line is written just after the response."""
        deadline = time.monotonic() + timeout
        while True:
            found = next((e for e in self.log_entries() if matches(e)), None)
            if found is not None or time.monotonic() > deadline:
                assert found is not None, "no matching log line in:\n" + self.log_text()[-3000:]
                return found
            time.sleep(0.05)
