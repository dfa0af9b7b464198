"""Logging set-up (text or JSON lines on stderr), each HTTP request tagged with a request id."""

from __future__ import annotations

import logging
import sys
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.log_format import JsonFormatter, TextFormatter, request_id
from api.log_noise import hold_chatter


def wants_json(log_format: str, stream) -> bool:
    """`auto`: a person reads a terminal; anything else (a file, a pipe, a log collector) gets JSON."""
    if log_format == "auto":
        return not (hasattr(stream, "isatty") and stream.isatty())
    return log_format == "json"


def configure_logging(level: str = "INFO", log_format: str = "auto") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if wants_json(log_format, sys.stderr) else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # replaced by the access line below
    logging.captureWarnings(True)  # a library warning would otherwise be a line of another shape on stderr
    # At DEBUG an operator is looking for everything; otherwise the chatter waits for a failure.
    hold_chatter(held=root.getEffectiveLevel() > logging.DEBUG)
    sys.excepthook = _log_uncaught


def _log_uncaught(kind, error, traceback) -> None:
    """A crash is an event like any other: one JSON record (or an indented traceback), not raw lines
    a log collector would take for many events."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, traceback)
        return
    logging.getLogger("tandem").critical("uncaught exception", exc_info=(kind, error, traceback))


def caller_request_id(scope: Scope) -> str | None:
    """The caller's X-Request-ID, when it is printable ASCII (at most 100 characters are kept).
    Anything else (bytes that are not UTF-8, control characters) is replaced by a generated id:
    the id goes into every log line and back in the response header."""
    raw = dict(scope.get("headers") or []).get(b"x-request-id", b"")[:100]
    text = raw.decode("ascii") if raw.isascii() else ""
    return text if text and text.isprintable() else None


class RequestLogMiddleware:
    """Takes X-Request-ID from the caller (or makes one), echoes it, logs one access line."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.log = logging.getLogger("tandem.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = caller_request_id(scope) or uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = {"code": None}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # A GraphQL operation has a line of its own (api.access), which says more than this one.
            if not getattr(scope.get("tandem.operation"), "logged", False):
                self.log.info(
                    "request",
                    extra={
                        "method": scope.get("method", "WS"),
                        "path": scope["path"],
                        "status": status["code"],
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )
            request_id.reset(token)
