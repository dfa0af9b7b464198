"""Spans around what an operation does, when tracing is on: `api.tracing` sets `tracer` from the
standard OTEL_* settings. Off (the default) a span costs one look at this module's global, and
OpenTelemetry is not even imported."""

from __future__ import annotations

import contextlib
from typing import Any

tracer: Any = None  # an opentelemetry.trace.Tracer while tracing is on
_OFF = contextlib.nullcontext()  # stateless: one serves every `with`


def span(name: str, attributes: dict[str, Any] | None = None) -> Any:
    """A span, current inside the `with` (it yields the span); nothing while tracing is off
    (it yields None)."""
    if tracer is None:
        return _OFF
    return tracer.start_as_current_span(name, attributes=attributes)


def annotate(span: Any, key: str, value: Any) -> None:
    if span is not None:
        span.set_attribute(key, value)
