"""DATABASE_URL checked before any command uses it: its form, then one connection.

Whatever goes wrong here is the operator's to fix (a typo, a server not running, a database
not created), so each failure is an OperatorError naming where Tandem tried to connect — never
the password — and what to check."""

from __future__ import annotations

import asyncio
import errno
import socket

import asyncpg
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from api.operator_errors import OperatorError

POSTGRES_SCHEMES = ("postgresql", "postgres")
EXAMPLE = "postgresql://user:password@host:5432/database"


def parsed(url: str) -> URL:
    """The URL when it names PostgreSQL; otherwise an OperatorError saying what it should look like."""
    try:
        parts = make_url(url)
    except ArgumentError:
        # Not repeated back: a mistyped URL may still hold a password.
        raise OperatorError("DATABASE_URL is not a database URL", hint=f"expected {EXAMPLE}") from None
    if parts.get_backend_name() not in POSTGRES_SCHEMES:
        raise OperatorError(
            f"DATABASE_URL names a {parts.get_backend_name()} database: Tandem runs on PostgreSQL only",
            hint=f"set it to {EXAMPLE}, or unset it for the embedded PostgreSQL",
        )
    return parts


def where(parts: URL) -> str:
    if parts.host:
        return f"{parts.host}:{parts.port or 5432}"
    socket_dir = parts.query.get("host")
    return f"the socket in {socket_dir}" if socket_dir else "the local socket"


def check_reachable(url: str, *, timeout: float) -> None:
    """Open and close one connection, or raise the OperatorError that explains why it cannot."""
    parts = parsed(url)
    dsn = parts.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        asyncio.run(_connect_once(dsn, timeout))
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        raise explain(error, parts=parts, timeout=timeout) from None


async def _connect_once(dsn: str, timeout: float) -> None:
    connection = await asyncpg.connect(dsn, timeout=timeout)
    await connection.close()


def explain(error: BaseException, *, parts: URL, timeout: float) -> OperatorError:
    at = where(parts)
    fix = "check DATABASE_URL"
    if isinstance(error, asyncpg.InvalidCatalogNameError):
        return OperatorError(
            f'database "{parts.database}" does not exist on PostgreSQL at {at}',
            hint=f"create it (`createdb {parts.database}`) or {fix}",
        )
    if isinstance(error, asyncpg.InvalidPasswordError):
        return OperatorError(f"PostgreSQL at {at} refused the password of {parts.username}", hint=fix)
    if isinstance(error, asyncpg.PostgresError):  # no such role, pg_hba.conf, too many connections, …
        return OperatorError(f"PostgreSQL at {at} refused the connection: {error}", hint=fix)
    if isinstance(error, socket.gaierror):
        return OperatorError(f"cannot find the host {parts.host!r} of DATABASE_URL ({error.strerror})", hint=fix)
    if isinstance(error, TimeoutError):
        return OperatorError(
            f"PostgreSQL at {at} did not answer within {timeout:g} s",
            hint=f"is the host reachable (firewall, port)? {fix}, or raise TANDEM_DB_CONNECT_TIMEOUT",
        )
    if _refused(error):
        return OperatorError(
            f"cannot connect to PostgreSQL at {at} (connection refused)",
            hint="is it running? set DATABASE_URL to a running PostgreSQL, or unset it for the embedded one",
        )
    return OperatorError(f"cannot connect to PostgreSQL at {at} ({error})", hint=fix)


def _refused(error: BaseException) -> bool:
    # With a name that resolves to several addresses (localhost: ::1 and 127.0.0.1) asyncio raises
    # one OSError without an errno for all the refusals together.
    return isinstance(error, ConnectionRefusedError) or (
        isinstance(error, OSError)
        and (error.errno == errno.ECONNREFUSED or (error.errno is None and "Connect call failed" in str(error)))
    )
