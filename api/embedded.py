"""The embedded PostgreSQL (pgserver): what `tandem serve` uses with no DATABASE_URL."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from api.log_noise import shown_if_failing
from api.operator_errors import OperatorError

log = logging.getLogger("tandem.embedded")


def pgdata(data_dir: Path) -> Path:
    return data_dir.resolve() / "pg"


def exists(data_dir: Path) -> bool:
    """Whether a Tandem embedded database was ever created under `data_dir` (initdb writes PG_VERSION)."""
    return (pgdata(data_dir) / "PG_VERSION").is_file()


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the embedded server under `data_dir`; return a URL for it.

    pgserver keeps the data folder between runs, so data survives a restart.
    """
    data_dir = data_dir.resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OperatorError(
            f"cannot create the data folder {data_dir} ({error.strerror})",
            hint="set TANDEM_DATA_DIR to a folder Tandem may write, or DATABASE_URL to a PostgreSQL server",
        ) from None
    with shown_if_failing():
        server = _pgserver().get_server(pgdata(data_dir), cleanup_mode="stop")
        _ensure_database(server, "tandem")
    url = server.get_uri("tandem")
    # The URL is a local socket with no password; logged so `psql` can inspect the data.
    log.info("embedded PostgreSQL running", extra={"data_dir": str(data_dir), "url": url})
    return url


def _pgserver():
    # Imported late: only the embedded path needs it. On import, platformdirs warns when
    # XDG_RUNTIME_DIR is unset (containers, root shells) and pgserver falls back to /tmp, which works.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pgserver
    return pgserver


def _ensure_database(server, name: str) -> None:
    exists = server.psql(f"select 1 from pg_database where datname = '{name}';")
    if "(1 row)" not in exists:
        server.psql(f"create database {name};")
