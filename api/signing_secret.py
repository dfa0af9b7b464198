"""Whether TANDEM_SECRET may sign tokens for this server.

Anyone who knows the signing secret can mint a token for any person, admins included. The
development default is published in Tandem's source, so a server against a real database
(an external DATABASE_URL) refuses to start with it, or with any secret shorter than 32 bytes,
unless development mode is asked for explicitly (TANDEM_DEV_MODE=true). The embedded
PostgreSQL that `tandem serve` starts with no DATABASE_URL is a development setup: allowed.
"""

from __future__ import annotations

import os

from api.settings import DEV_SECRET, Settings

MIN_BYTES = 32
# Set by `tandem serve` for the embedded server it started (its workers inherit it): that
# DATABASE_URL is Tandem's own, not an external one.
EMBEDDED_URL = "TANDEM_EMBEDDED_DATABASE_URL"


def refusal(settings: Settings) -> str | None:
    """One line saying why the server must not start; None when it may."""
    if settings.tandem_dev_mode or not settings.database_url or settings.database_url == os.environ.get(EMBEDDED_URL):
        return None
    if settings.tandem_secret == DEV_SECRET:
        problem = "TANDEM_SECRET is the development default, which anyone can read in Tandem's source"
    elif len(settings.tandem_secret.encode()) < MIN_BYTES:
        problem = f"TANDEM_SECRET is shorter than {MIN_BYTES} bytes"
    else:
        return None
    return (
        f"tandem: refusing to start: {problem}. With an external DATABASE_URL set TANDEM_SECRET to "
        f'{MIN_BYTES} or more random bytes (e.g. `python -c "import secrets; print(secrets.token_urlsafe(48))"`), '
        f"or set TANDEM_DEV_MODE=true for development."
    )
