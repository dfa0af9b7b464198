"""The real `tandem serve` (one worker) in a subprocess, pinned to its own CPU when possible."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

SERVER_CPU = 0
LOAD_CPU = 1


def tandem_command() -> list[str]:
    """The installed console script next to this interpreter: what a user runs."""
    script = Path(sys.executable).with_name("tandem")
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


def can_pin() -> bool:
    """Two CPUs to split, and taskset to pin the server: otherwise run unpinned (and say so)."""
    return hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) >= 2 and bool(shutil.which("taskset"))


def pin_this_process_to_load_cpu() -> None:
    os.sched_setaffinity(0, {LOAD_CPU})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BenchServer:
    def __init__(self, *, database_url: str, secret: str, log_path: Path, pin: bool):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Only what we set configures the server: no DATABASE_URL or TANDEM_* from this shell.
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("TANDEM_")}
        env.update(DATABASE_URL=database_url, TANDEM_SECRET=secret, PYTHONUNBUFFERED="1")
        pinning = ["taskset", "-c", str(SERVER_CPU)] if pin else []
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [*pinning, *tandem_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"],
            env=env, stdout=self._log, stderr=self._log)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tandem serve exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"tandem serve was not ready within {timeout}s; see {self.log_path}")

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM, as a process manager would: uvicorn shuts down gracefully."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
