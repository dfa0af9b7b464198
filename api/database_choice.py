"""Which PostgreSQL a command uses: DATABASE_URL, or the embedded one under TANDEM_DATA_DIR."""

from __future__ import annotations

import os

from api import embedded
from api.database_check import check_reachable
from api.operator_errors import OperatorError
from api.settings import Settings
from api.signing_secret import EMBEDDED_URL


def database_url(settings: Settings, *, create: bool = True) -> str:
    """DATABASE_URL, checked with one connection; otherwise the embedded PostgreSQL, started on demand.

    `create=False` is for commands that only read (`tandem token`): run from another folder they
    would otherwise make an empty database there and find nobody in it."""
    if settings.database_url:
        if settings.database_url != os.environ.get(EMBEDDED_URL):  # our own was checked as it started
            check_reachable(settings.database_url, timeout=settings.tandem_db_connect_timeout)
        return settings.database_url
    if not create and not embedded.exists(settings.tandem_data_dir):
        raise OperatorError(
            f"no Tandem database here: DATABASE_URL is not set and there is no embedded database in "
            f"{settings.tandem_data_dir.resolve()}",
            hint="run this in the folder where `tandem serve` runs, or set DATABASE_URL (or TANDEM_DATA_DIR)",
        )
    url = embedded.start_embedded(settings.tandem_data_dir)
    # Workers and child processes inherit the URL instead of starting their own server.
    os.environ["DATABASE_URL"] = os.environ[EMBEDDED_URL] = url
    settings.database_url = url
    return url
