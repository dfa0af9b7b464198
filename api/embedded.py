"""The embedded PostgreSQL (pgserver): what `tandem serve` uses with no DATABASE_URL."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger("tandem.embedded")


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the embedded server under `data_dir`; return a URL for it.

    pgserver keeps the data folder between runs, so data survives a restart.
    """
    import pgserver  # imported late: only the embedded path needs it

    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir / "pg", cleanup_mode="stop")
    _ensure_database(server, "tandem")
    url = server.get_uri("tandem")
    # The URL is a local socket with no password; logged so `psql` can inspect the data.
    log.info("embedded PostgreSQL running", extra={"data_dir": str(data_dir), "url": url})
    return url


def _ensure_database(server, name: str) -> None:
    exists = server.psql(f"select 1 from pg_database where datname = '{name}';")
    if "(1 row)" not in exists:
        server.psql(f"create database {name};")
