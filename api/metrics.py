"""Prometheus metrics, served at /metrics (docs/observability.md lists them).

One process: each app keeps its metrics in its own registry, and /metrics reads them with the pool's
and the broker's gauges taken at that moment. Several (`tandem serve --workers N`): with
PROMETHEUS_MULTIPROC_DIR set, prometheus_client keeps every process's values in files there and
/metrics, answered by any worker, adds them all up; each worker copies its gauges there every
second (`sample_every`). The setting must be in the environment before prometheus_client is
imported, so `tandem serve` sets it (`multiprocess_dir`) before the workers start.

Operation names are the clients' to choose: each is a label, and every label set keeps a child
metric (a histogram's is 16 numbers) for as long as the process lives. A process labels at most
MAX_NAMES distinct names; later ones, and names longer than MAX_NAME_LENGTH, count as "other".
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import glob
import hmac
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
MAX_NAMES = 200
MAX_NAME_LENGTH = 100
MAX_CODES = 100  # error codes are Tandem's own; the cap only guards against a bug minting them
ANONYMOUS, OTHER = "anonymous", "other"
# Seconds. Answers take milliseconds; 10 s is past every timeout but the statement's.
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
DELIVERY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
SAMPLE_SECONDS = 1.0

# No `_created` series beside each counter and histogram: they double what a scrape reads, and
# Prometheus does without them.
disable_created_metrics()


class Labels:
    """Values a label may take in this process: the first `limit` distinct ones, then `OTHER`."""

    def __init__(self, limit: int, *, max_length: int = MAX_NAME_LENGTH):
        self.limit = limit
        self.max_length = max_length
        self._known: dict[str, str] = {}

    def __call__(self, value: str | None) -> str:
        if value is None:
            return ANONYMOUS
        known = self._known.get(value)
        if known is not None:
            return known
        if len(self._known) >= self.limit or len(value) > self.max_length:
            return OTHER
        self._known[value] = value
        return value


def multiprocess_dir() -> str | None:
    """The folder shared by the workers, when metrics are collected across processes."""
    return os.environ.get(MULTIPROC_DIR) or None


def prepare_workers(workers: int) -> str | None:
    """Before `tandem serve` starts its workers: with more than one, their metrics go to files in
    one folder (PROMETHEUS_MULTIPROC_DIR, or a new temporary one) so /metrics adds them up. Values
    left there by an earlier run are removed: counters would otherwise go on from them."""
    folder = multiprocess_dir()
    if folder is None and workers <= 1:
        return None
    if folder is None:
        folder = tempfile.mkdtemp(prefix="tandem-metrics-")
        os.environ[MULTIPROC_DIR] = folder
        atexit.register(shutil.rmtree, folder, True)
    os.makedirs(folder, exist_ok=True)
    for stale in glob.glob(os.path.join(folder, "*.db")):
        os.remove(stale)
    return folder


class Metrics:
    """The process's metrics and what they are read from. `record` and `observe_*` run on hot paths:
    a dictionary lookup and a child metric's update each."""

    def __init__(self, *, max_names: int = MAX_NAMES):
        self.multiprocess = multiprocess_dir() is not None
        # Its own registry: several apps in one process (tests) must not clash in the global one.
        self.registry = CollectorRegistry(auto_describe=True)
        self.names = Labels(max_names)
        self.codes = Labels(MAX_CODES)
        registry = None if self.multiprocess else self.registry  # multiprocess: read from the files
        self.operations = Counter(
            "tandem_operations",
            "GraphQL operations answered (subscriptions: when they start), by type and name.",
            ["type", "name"],
            registry=registry,
        )
        self.durations = Histogram(
            "tandem_operation_duration_seconds",
            "Seconds to answer an operation (subscriptions: until they are live), by type and name.",
            ["type", "name"],
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.errors = Counter(
            "tandem_operation_errors", "Errors in operations' answers, by code.", ["code"], registry=registry
        )
        self.subscriptions = Gauge(
            "tandem_subscriptions_open", "Subscriptions running.", registry=registry, multiprocess_mode="livesum"
        )
        self.delivery = Histogram(
            "tandem_event_delivery_seconds",
            "Seconds from a commit (as this process learned of it) until its event was handed to the "
            "`events` subscribers who may see it.",
            buckets=DELIVERY_BUCKETS,
            registry=registry,
        )
        self.pool_in_use = Gauge(
            "tandem_db_pool_connections_in_use",
            "Database connections checked out of the pool.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.pool_waiting = Gauge(
            "tandem_db_pool_waiting_calls",
            "Calls waiting for a pooled database connection.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.pool_limit = Gauge(
            "tandem_db_pool_connections_max",
            "Connections the pool may open (its size and overflow).",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.log_head = Gauge(
            "tandem_event_log_head",
            "The last event sequence known to be committed.",
            registry=registry,
            multiprocess_mode="livemax",
        )
        self.log_delivered = Gauge(
            "tandem_event_log_delivered",
            "The last event sequence handed to this process's subscribers (the slowest process's).",
            registry=registry,
            multiprocess_mode="livemin",
        )
        if not self.multiprocess:
            ProcessCollector(registry=self.registry)
        self._watched_pool: Any = None
        self._broker: Any = None
        # Each (type, name) label's counter and histogram, looked up once.
        self._children: dict[tuple[str, str], tuple[Any, Any]] = {}

    # -- hot paths --------------------------------------------------------------------------------------------

    def record(self, kind: str, name: str | None, seconds: float, codes: Iterable[str] = ()) -> None:
        key = (kind, self.names(name))
        children = self._children.get(key)
        if children is None:  # at most 4 types times MAX_NAMES + 2 labels
            children = self._children[key] = (self.operations.labels(*key), self.durations.labels(*key))
        children[0].inc()
        children[1].observe(seconds)
        if codes:
            self.count_errors(codes)

    def count_errors(self, codes: Iterable[str]) -> None:
        for code in codes:
            self.errors.labels(self.codes(code)).inc()

    def observe_delivery(self, seconds: float) -> None:
        self.delivery.observe(seconds)

    # -- gauges read from their sources ---------------------------------------------------------------------

    def watch(self, *, pool: Any, broker: Any) -> None:
        """The pool (db.pool.WaitingPool) and the broker (db.broker.EventBroker) the gauges read."""
        self._watched_pool, self._broker = pool, broker

    def sample(self) -> None:
        pool, broker = self._watched_pool, self._broker
        if pool is not None:
            self.pool_in_use.set(pool.checkedout())
            self.pool_waiting.set(pool.waiting)
            self.pool_limit.set(pool.capacity())
        if broker is not None:
            self.log_head.set(broker.committed)
            self.log_delivered.set(broker.delivered)

    @contextlib.asynccontextmanager
    async def sampling(self) -> AsyncIterator[None]:
        """While the app runs: with several processes, each copies its gauges to the shared files every
        second, since /metrics is answered by whichever worker takes the scrape."""
        task = asyncio.create_task(self._sample_every(SAMPLE_SECONDS)) if self.multiprocess else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                # This process's gauges leave the sums; its counters stay (they count what was done).
                multiprocess.mark_process_dead(os.getpid())

    async def _sample_every(self, seconds: float) -> None:
        while True:
            self.sample()
            await asyncio.sleep(seconds)

    # -- exposition ---------------------------------------------------------------------------------------

    def exposition(self) -> bytes:
        self.sample()
        if not self.multiprocess:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)


def endpoint(metrics: Metrics, *, token: str = ""):
    """GET /metrics; with a token, only for `Authorization: Bearer <token>`."""
    expected = f"Bearer {token}".encode() if token else None

    async def serve(request: Request) -> Response:
        if expected is not None:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return PlainTextResponse(
                    "Send the metrics token: Authorization: Bearer <TANDEM_METRICS_TOKEN>",
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
                )
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return serve
