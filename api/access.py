"""The access log and the operations' metrics: one record per GraphQL operation.

Over HTTP an operation is a call to /graphql (GraphiQL's page is not one): one line when it has been
answered, `query PortalList 200 12.3ms cost=57`. Over a websocket a query or a mutation is one line
when it is answered; a subscription has two, when it is live (`subscribed`) and when it ends
(`complete`, `stopped` by the client, `closed` with its connection, or `error`). Each line carries
its parts as fields (logger `tandem.access`): operation_type, operation_name, status (the HTTP
status, or the websocket outcome), duration_ms, cost, error_codes, person_id (never an email).

The same moment counts the operation in the metrics (api.metrics): its duration (a subscription's:
until it is live) and its errors by code; and a subscription is open from `subscribed` to its end.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from api.metrics import Metrics

log = logging.getLogger("tandem.access")
UNKNOWN = "unknown"  # the operation's type when the document did not say (unparsable, no operation chosen)
# Where the HTTP view finds the call's record: in the ASGI scope, which every layer of the call shares.
SCOPE_KEY = "tandem.operation"


class AccessLog:
    """The app's: makes the records, with the metrics they count in (None: metrics are off)."""

    def __init__(self, metrics: Metrics | None):
        self.metrics = metrics

    def start(self, method: str) -> OperationRecord:
        return OperationRecord(self, method)


class OperationRecord:
    __slots__ = ("access", "method", "started", "kind", "name", "cost", "person_id", "codes", "context", "state")

    def __init__(self, access: AccessLog, method: str):
        self.access = access
        self.method = method  # GET, POST or WS
        self.started = time.perf_counter()
        self.kind: str | None = None
        self.name: str | None = None
        self.cost: int | None = None
        self.person_id: int | None = None
        self.codes: tuple[str, ...] = ()  # a tuple: most records never get one, and many live for long
        self.context: Any = None  # the operation's schema.context.Context: what ran, and for whom
        self.state = "running"  # then "live" (a subscription), "done", or "skipped" (not an operation)

    def named(self, kind: str | None, name: str | None) -> None:
        self.kind, self.name = kind, name

    def add_code(self, code: str) -> None:
        self.codes += (code,)

    def add_codes(self, errors: Iterable[dict[str, Any]] | None) -> None:
        """The codes of an answer's errors, as sent (`extensions.code`)."""
        for error in errors or ():
            code = (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
            self.add_code(code if isinstance(code, str) else UNKNOWN)

    def cost_from(self, extensions: dict[str, Any] | None) -> None:
        cost = (extensions or {}).get("cost")
        if isinstance(cost, dict) and isinstance(cost.get("requested"), int):
            self.cost = cost["requested"]

    def skip(self) -> None:
        """Not an operation (GraphiQL's page): the HTTP request log line says it."""
        self.state = "skipped"
        self.context = None

    @property
    def logged(self) -> bool:
        return self.state != "skipped"

    def live(self) -> None:
        """A subscription is running: logged and counted now, and open until `finish`."""
        if self.state != "running":
            return
        self.state = "live"
        self._from_context()
        seconds = time.perf_counter() - self.started
        metrics = self.access.metrics
        if metrics is not None:
            metrics.record(self.kind or UNKNOWN, self.name, seconds)  # no error yet: it would have ended it
            metrics.subscriptions.inc()
        self._log("subscribed", seconds)

    def finish(self, status: int | str) -> None:
        """Answered, refused or ended: logged and counted (once)."""
        state = self.state
        if state in ("done", "skipped"):
            return
        self.state = "done"
        self._from_context()
        # Read once: the call's scope, which the middleware still reads, holds this record; the context
        # (the request, its loaders and what they read) need not live as long.
        self.context = None
        seconds = time.perf_counter() - self.started
        metrics = self.access.metrics
        if metrics is not None:
            if state == "live":
                metrics.subscriptions.dec()
                metrics.count_errors(self.codes)  # the operation was counted when it went live
            else:
                metrics.record(self.kind or UNKNOWN, self.name, seconds, self.codes)
        self._log(status, seconds)

    def operation(self) -> tuple[str | None, str | None]:
        """(type, name) as far as they are known."""
        self._from_context()
        return self.kind, self.name

    def _from_context(self) -> None:
        context = self.context
        if context is None:
            return
        self.kind, self.name = context.operation_type, context.operation_name
        if context.viewer is not None:
            self.person_id = context.viewer.id
        if self.cost is None and context.cost is not None:
            self.cost = context.cost.requested

    def _log(self, status: int | str, seconds: float) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        kind, name, ms = self.kind or UNKNOWN, self.name or "anonymous", round(seconds * 1000, 1)
        message = f"{kind} {name} {status} {ms}ms"
        if self.cost is not None:
            message += f" cost={self.cost}"
        if self.codes:
            message += " errors=" + ",".join(self.codes)
        log.info(
            message,
            extra={
                "method": self.method,
                "path": "/graphql",
                "operation_type": kind,
                "operation_name": self.name,
                "status": status,
                "duration_ms": ms,
                "cost": self.cost,
                "error_codes": list(self.codes),
                "person_id": self.person_id,
            },
        )
