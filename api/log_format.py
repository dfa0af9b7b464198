"""The two shapes of a log line: JSON for machines, text for a person at a terminal.

Both write one event per line with the same fields (time, level, logger, message, then the
record's extras and the request id); a traceback is folded into the JSON record, and indented
under the text line so the next event still starts at the left margin."""

from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar
from typing import Any

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}
# uvicorn repeats its message with terminal colour codes in this extra: the same words again.
_DROPPED = {"color_message"}
# A value needs no quotes when a reader (or `grep key=value`) cannot mistake where it ends.
_BARE = re.compile(r"[^\s\"'=]+")
INDENT = "    "


def extras(record: logging.LogRecord) -> dict[str, Any]:
    """What the caller passed with `extra=`, and the request the record belongs to."""
    fields = {k: v for k, v in record.__dict__.items() if k not in _STANDARD and k not in _DROPPED}
    if (rid := request_id.get()) is not None:
        fields.setdefault("request_id", rid)
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **extras(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """`2026-01-05 14:02:11.042 INFO    tandem.access POST /graphql status=200 duration_ms=3.1`"""

    def __init__(self) -> None:
        super().__init__(datefmt="%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        stamp = f"{self.formatTime(record, self.datefmt)}.{int(record.msecs):03d}"
        first, *more = record.getMessage().splitlines() or [""]
        pairs = " ".join(f"{key}={_value(value)}" for key, value in extras(record).items())
        # Padded so that messages start in one column for the usual logger names.
        line = " ".join(part for part in (stamp, f"{record.levelname:<7}", f"{record.name:<15}", first, pairs) if part)
        details = [*more]
        if record.exc_info:
            details += self.formatException(record.exc_info).splitlines()
        if record.stack_info:
            details += record.stack_info.splitlines()
        return "\n".join([line, *(INDENT + detail for detail in details)])


def _value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value if _BARE.fullmatch(value) else json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool | int | float | list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    return _value(str(value))
