"""OpenTelemetry tracing, from the standard OTEL_* settings; off unless OTEL_TRACES_EXPORTER names
an exporter (docs/observability.md). Off, nothing of OpenTelemetry is imported.

On, a trace of an HTTP call has the server span of the official ASGI instrumentation, under it the
operation's span (`query PortalList`, made in api.access), under that a span per SQL statement
(the official asyncpg instrumentation: it sees the statements SQLAlchemy prepares and those sent to
the driver directly, as the optimistic writes and the compiled reads do) and, for a mutation, the
domain command's span (schema.commands) with its own statements beneath it. A websocket operation's
span is the root of its trace. No span per resolver: on a list of a hundred requests they would
cost more than the query.

The packages come with the `otel` extra: pip install 'tandem[otel]'.
"""

from __future__ import annotations

import importlib
import logging
import os
from typing import Any

from schema import tracing as schema_tracing

log = logging.getLogger("tandem.tracing")
EXTRA = "pip install 'tandem[otel]'"
# The probes and the metrics scrape are no one's operation: left out unless the settings say otherwise.
EXCLUDED_URLS = "healthz,readyz,metrics"

_provider: Any = None  # the process's TracerProvider, once tracing is on


class TracingUnavailable(RuntimeError):
    """OTEL_TRACES_EXPORTER asks for tracing that cannot be set up (a package or an exporter missing)."""


def requested_exporters(environ: dict[str, str] | os._Environ = os.environ) -> list[str]:
    """The exporters OTEL_TRACES_EXPORTER names; none when unset, `none`, or OTEL_SDK_DISABLED."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    names = [n.strip().lower() for n in environ.get("OTEL_TRACES_EXPORTER", "").split(",") if n.strip()]
    return [n for n in names if n != "none"]


def configure(*, exporter: Any = None) -> bool:
    """Turn tracing on for this process: from the OTEL_* settings, or with `exporter` (tests pass an
    in-memory one, exported at once). True when it is on. Once per process: the asyncpg
    instrumentation patches the driver's classes."""
    global _provider
    if _provider is not None:
        return True
    names = requested_exporters()
    if exporter is None and not names:
        return False
    _require_packages()
    from opentelemetry import trace
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    resource = Resource.create()  # OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: "tandem"}))
    provider = TracerProvider(resource=resource)  # the sampler: OTEL_TRACES_SAMPLER(_ARG)
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    for name in names:
        # OTEL_BSP_* tune the batches (size, delay, queue).
        provider.add_span_processor(BatchSpanProcessor(_exporter(name)))
    if exporter is None and isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        trace.set_tracer_provider(provider)  # for any other instrumentation in the process
    AsyncPGInstrumentor().instrument(tracer_provider=provider)
    _provider = provider
    schema_tracing.tracer = provider.get_tracer("tandem")
    log.info("tracing on", extra={"exporters": names or ["(given)"]})
    return True


def check() -> None:
    """Raise TracingUnavailable, before a server starts, when the OTEL_* settings ask for what is
    not installed."""
    names = requested_exporters()
    if names:
        _require_packages()
        for name in names:
            _exporter_class(name)


def _require_packages() -> None:
    for module in (
        "opentelemetry.sdk.trace",
        "opentelemetry.instrumentation.asgi",
        "opentelemetry.instrumentation.asyncpg",
    ):
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise TracingUnavailable(
                f"tracing is asked for (OTEL_TRACES_EXPORTER) but {error.name} is missing: {EXTRA}"
            ) from None


def _exporter(name: str) -> Any:
    return _exporter_class(name)()


def _exporter_class(name: str) -> Any:
    """The span exporter OTEL_TRACES_EXPORTER names, found as the SDK finds it (its entry points)."""
    from importlib.metadata import entry_points

    if name == "otlp":  # the protocol decides which package's exporter (http/protobuf by default)
        protocol = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get(
            "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
        )
        name = "otlp_proto_grpc" if protocol.strip().lower() == "grpc" else "otlp_proto_http"
    found = entry_points(group="opentelemetry_traces_exporter", name=name)
    if not found:
        hint = EXTRA if name.startswith("otlp_proto_http") else f"install the package that provides {name!r}"
        raise TracingUnavailable(f"OTEL_TRACES_EXPORTER names {name!r}, which is not installed: {hint}")
    return next(iter(found)).load()


def instrument_app(app: Any) -> None:
    """The ASGI instrumentation around the HTTP side of the app (websockets on /graphql pass it:
    TandemApp hands them on before the middleware, and each operation there has its own span)."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    excluded = None if _excluded_urls_set() else EXCLUDED_URLS
    # No span per ASGI message (each chunk received or sent): the operation's span says what it did.
    app.add_middleware(
        OpenTelemetryMiddleware, tracer_provider=_provider, exclude_spans=["receive", "send"], excluded_urls=excluded
    )


def _excluded_urls_set() -> bool:
    return bool(os.environ.get("OTEL_PYTHON_ASGI_EXCLUDED_URLS") or os.environ.get("OTEL_PYTHON_EXCLUDED_URLS"))


def shutdown() -> None:
    """Tracing off again (tests: the driver's classes are no longer patched); spans are sent first."""
    global _provider
    if _provider is None:
        return
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    schema_tracing.tracer = None
    AsyncPGInstrumentor().uninstrument()
    _provider.shutdown()
    _provider = None


def flush() -> None:
    """Spans still in batches are sent (the app's lifespan ends with this)."""
    if _provider is not None:
        _provider.force_flush()


def operation_span(*, root: bool) -> Any:
    """The span of one GraphQL operation, named once the operation is known (`name_operation`):
    under the HTTP call's server span, or, for a websocket operation, the root of its own trace."""
    if schema_tracing.tracer is None:
        return schema_tracing.span("graphql")  # off: nothing
    from opentelemetry.trace import SpanKind

    return schema_tracing.tracer.start_as_current_span("graphql", kind=SpanKind.SERVER if root else SpanKind.INTERNAL)


def name_operation(span: Any, kind: str | None, name: str | None) -> None:
    """The semantic conventions' name and attributes: `query PortalList`, or `query` when unnamed."""
    if span is None:
        return
    if kind is not None:
        span.update_name(f"{kind} {name}" if name else kind)
        span.set_attribute("graphql.operation.type", kind)
    if name:
        span.set_attribute("graphql.operation.name", name)
