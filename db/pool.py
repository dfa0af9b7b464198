"""The connection pool: SQLAlchemy's asyncio queue pool, except that a server refusing another
connection makes the call wait for one instead of failing it.

A worker's pool may be larger than what the server lets it open: `max_connections` is shared by
every worker and every other client. SQLAlchemy's pool opens a connection whenever none is free
and its size allows, and fails the call when the server refuses it ("too many clients", SQLSTATE
53300; "starting up", 57P03). Measured with 100 clients against `max_connections = 25`: 9.2% of
the calls failed. Here a refused call waits and tries again, with backoff, until the pool timeout;
and after "too many clients" the pool opens no connection for a moment (FULL_FOR): the ones open
are all there is, and callers wait for one to come back, in turn, as they wait at the pool's size,
instead of each knocking at a full server.

It also counts the callers waiting for a connection: /readyz reports the pool exhausted then.

Built on the pool's internals, which compat.QueuePool names (the checkout, the overflow count,
the idle queue); tests/integration/test_database_failures.py checks the behaviour against a real
server.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from typing import Any

from sqlalchemy import exc
from sqlalchemy.pool import ConnectionPoolEntry

from compat import QueuePool, await_only
from db.failures import REFUSED_FOR_NOW, sqlstate

# SQLAlchemy's pools log through a logger named after their class: theirs sit under "sqlalchemy"
# (WARNING unless echo_pool), this one under "db.pool", which would log every invalidated or
# recreated connection at INFO. Kept as quiet as theirs.
logging.getLogger(__name__).setLevel(logging.WARNING)

TOO_MANY_CLIENTS = "53300"
FIRST_PAUSE, LAST_PAUSE = 0.02, 0.5  # seconds between tries after a refusal, doubling
FULL_FOR = 1.0  # seconds the pool opens no connection after "too many clients": then it tries once more

# When the current checkout gives up (monotonic): a call waits the pool timeout in all, tries included.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("pool_deadline", default=None)


class WaitingPool(QueuePool):
    def __init__(self, creator: Any, **kw: Any):
        super().__init__(creator, **kw)
        self.waiting = 0  # callers waiting for a connection to come back
        self._full_until = 0.0  # while the server said "too many clients": open no connection
        self._full_overflow = 0  # ... beyond this many (the pool's overflow count then)

    def connect(self) -> Any:
        """The pool's checkout, tried again after a refusal (opening a connection, or reopening a
        pooled one the ping found broken), until the pool timeout."""
        deadline = time.monotonic() + self.timeout()
        try:
            return super().connect()
        except Exception as error:
            if sqlstate(error) not in REFUSED_FOR_NOW:
                raise
        token = _deadline.set(deadline)  # only now: a checkout that is not refused pays nothing for it
        try:
            pause = FIRST_PAUSE
            while time.monotonic() + pause < deadline:
                await_only(asyncio.sleep(pause))
                pause = min(pause * 2, LAST_PAUSE)
                try:
                    return super().connect()
                except Exception as error:
                    if sqlstate(error) not in REFUSED_FOR_NOW:
                        raise
            return super().connect()  # the last try: it raises what refused it
        finally:
            _deadline.reset(token)

    def take_entry(self) -> ConnectionPoolEntry:
        """QueuePool's, with a ceiling below its own while the server has no room."""
        if self.overflow_count >= self._ceiling():
            return self._given_back()
        try:
            return super().take_entry()  # below the ceiling, it takes an idle connection or opens one
        except Exception as error:
            if sqlstate(error) == TOO_MANY_CLIENTS and self.checkedout() > 0:
                # The open connections are all the server allows now; some will come back.
                self._full_overflow = min(self.overflow_count, self._ceiling())
                self._full_until = time.monotonic() + FULL_FOR
            raise

    def capacity(self) -> int:
        """The most connections the pool opens: its size and its overflow."""
        return self.size() + max(self.overflow_limit, 0)

    def all_in_use(self) -> bool:
        """Every connection the pool may open now is checked out: a new call waits for one."""
        return self.checkedout() >= self.size() + self._ceiling()

    def _ceiling(self) -> int:
        if self._full_until:
            if time.monotonic() < self._full_until:
                return self._full_overflow
            self._full_until = 0.0
        return self.overflow_limit

    def _given_back(self) -> ConnectionPoolEntry:
        """A connection another caller gives back, waited for until the deadline."""
        idle = self.take_idle()  # an idle one, if any: no wait, and not counted as waiting
        if idle is not None:
            return idle
        deadline = _deadline.get()
        timeout = self.timeout() if deadline is None else max(deadline - time.monotonic(), 0.001)
        self.waiting += 1
        try:
            given_back = self.take_idle(timeout)
        finally:
            self.waiting -= 1
        if given_back is not None:
            return given_back
        raise exc.TimeoutError(
            f"QueuePool limit of size {self.size()} overflow {self.overflow()} reached, "
            f"connection timed out, timeout {self.timeout():.2f}",
            code="3o7r",
        )
