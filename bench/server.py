"""The real `tandem serve` (one worker) in a subprocess, pinned to its own CPU when possible."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.support.server import Server, clean_env

SERVER_CPU = 0
LOAD_CPU = 1


def can_pin() -> bool:
    """Two CPUs to split, and taskset to pin the server: otherwise run unpinned (and say so)."""
    return hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) >= 2 and bool(shutil.which("taskset"))


def pin_this_process_to_load_cpu() -> None:
    os.sched_setaffinity(0, {LOAD_CPU})


def start_server(
    *, database_url: str, secret: str, log_path: Path, pin: bool, settings: dict[str, str] | None = None
) -> Server:
    """`tandem serve` with only what we set as its configuration (no DATABASE_URL or TANDEM_* from
    this shell), on CPU 0 when pinned; call `wait_ready()` before using it."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_bytes(b"")
    # No cost budget per minute: the bench drives one agent's token as fast as the server goes.
    # The fast paths as the bench says, not as this shell does (clean_env keeps their switches).
    defaults = {"TANDEM_COST_PER_MINUTE": "0", "TANDEM_COMPILED_READS": "true", "TANDEM_DIRECT_MUTATIONS": "true"}
    settings = {**defaults, **(settings or {})}
    env = clean_env(DATABASE_URL=database_url, TANDEM_SECRET=secret, **settings)
    return Server(
        env=env,
        cwd=log_path.parent,
        log_path=log_path,
        args=("--host", "127.0.0.1", "--workers", "1"),
        command_prefix=("taskset", "-c", str(SERVER_CPU)) if pin else (),
    )
