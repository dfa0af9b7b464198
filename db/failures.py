"""What a database error means for the caller: the database took too long (`TIMEOUT`), or it is not
there to answer (`SERVICE_UNAVAILABLE`). Either is the database's state, not the call's fault:
the call may succeed if sent again a little later. Anything else (a bad statement, a constraint,
a bug) is none of these and stays an internal error.

Errors reach callers in three shapes: asyncpg's own (the driver paths: db.engine.read_first, the
optimistic writes), SQLAlchemy's wrapping them (`.orig`, then `__cause__`), and the pool's and
the socket's. All three are read here, by SQLSTATE where there is one.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator

import asyncpg
from sqlalchemy import exc

TIMEOUT = "TIMEOUT"
UNAVAILABLE = "SERVICE_UNAVAILABLE"

# https://www.postgresql.org/docs/current/errcodes-appendix.html
# statement_timeout (query_canceled), lock_timeout (lock_not_available): the statement is cancelled,
# the session goes on. idle_in_transaction_session_timeout ends the session.
CANCELLED = frozenset({"57014", "55P03"})
_TIMED_OUT = frozenset({*CANCELLED, "25P03"})
# too_many_connections, cannot_connect_now (starting up, shutting down): worth a new try in a moment.
REFUSED_FOR_NOW = frozenset({"53300", "57P03"})
# admin_shutdown, crash_shutdown, the refusals above; and class 08, connection exceptions.
_GONE = frozenset({"57P01", "57P02", *REFUSED_FOR_NOW})
_NETWORK_ERRNOS = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EHOSTDOWN, errno.ENETDOWN})

FAILURE_MESSAGES = {
    TIMEOUT: "The database did not answer in time; try again shortly.",
    UNAVAILABLE: "The database is unavailable; try again shortly.",
}


def failure_code(error: BaseException | None) -> str | None:
    """TIMEOUT, SERVICE_UNAVAILABLE, or None when `error` is neither."""
    for cause in _causes(error):
        code = _code(cause)
        if code is not None:
            return code
    return None


def sqlstate(error: BaseException | None) -> str | None:
    """The SQLSTATE the server (or asyncpg) gave the error, wherever SQLAlchemy wrapped it."""
    for cause in _causes(error):
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str):
            return state
    return None


def describe(error: BaseException) -> str:
    """One line for the log: the innermost error, the driver's or the socket's, says what happened."""
    *_, innermost = _causes(error)
    return f"{type(innermost).__name__}: {innermost}".splitlines()[0][:300]


def _causes(error: BaseException | None) -> Iterator[BaseException]:
    """The error, and what it wraps: SQLAlchemy's `orig`, graphql-core's `original_error`, explicit
    causes (`raise … from`)."""
    seen = 0
    while error is not None and seen < 8:
        yield error
        seen += 1
        error = getattr(error, "orig", None) or getattr(error, "original_error", None) or error.__cause__


def _code(cause: BaseException) -> str | None:
    state = getattr(cause, "sqlstate", None)
    if isinstance(state, str):
        if state in _TIMED_OUT:
            return TIMEOUT
        if state.startswith("08") or state in _GONE:
            return UNAVAILABLE
        return None
    if isinstance(cause, (exc.TimeoutError, TimeoutError)):  # the pool's checkout; asyncpg's command or connect timeout
        return TIMEOUT
    if isinstance(cause, exc.DisconnectionError) or (
        isinstance(cause, exc.DBAPIError) and cause.connection_invalidated
    ):
        return UNAVAILABLE
    if isinstance(cause, (ConnectionError, socket.gaierror)) or (
        isinstance(cause, OSError) and cause.errno in _NETWORK_ERRNOS
    ):
        return UNAVAILABLE
    # asyncpg's use of a connection it found closed: told apart by its text, as SQLAlchemy's dialect does.
    if isinstance(cause, asyncpg.InterfaceError) and "connection is closed" in str(cause):
        return UNAVAILABLE
    return None
