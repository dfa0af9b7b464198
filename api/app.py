"""The Starlette app factory: `lifespan` owns the engine; routes are GraphQL and health."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from pydantic import ValidationError
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from api import metrics as prometheus
from api import signing_secret, tracing
from api.access import AccessLog
from api.body_limit import BodyLimitMiddleware
from api.credentials import Credentials
from api.graphql_app import TandemGraphQL
from api.landing import landing
from api.logs import RequestLogMiddleware, configure_logging
from api.oidc.config import OidcConfig
from api.oidc.sign_in import OidcSignIn
from api.operator_errors import from_settings
from api.settings import DEV_SECRET, Settings, get_settings
from api.websocket import GraphQLWebSocket, WebSocketSettings
from api.ws_watch import SessionWatch
from db.broker import EventBroker
from db.engine import Timeouts, create_engine
from schema.limits.budgets import PersonBudgets
from schema.live.hub import EventHub
from schema.schema import build_schema

log = logging.getLogger("tandem.app")


class TandemApp(Starlette):
    """Starlette, except that websockets on /graphql go straight to the GraphQL websocket endpoint:
    past the HTTP middleware, whose send wrappers every subscriber's message would pass through
    and whose frames every idle connection would hold (memory per subscriber counts)."""

    def __init__(self, websocket: GraphQLWebSocket, **kwargs):
        super().__init__(**kwargs)
        self.websocket = websocket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == "/graphql":
            await self.websocket(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


# A transaction of Tandem's is open for milliseconds: one idle for a minute is a stuck process holding locks.
IDLE_IN_TRANSACTION_SECONDS = 60.0


def database_timeouts(settings: Settings) -> Timeouts:
    return Timeouts(
        statement=settings.tandem_statement_timeout,
        lock=settings.tandem_lock_timeout,
        pool=settings.tandem_db_pool_timeout,
        connect=settings.tandem_db_connect_timeout,
        idle_in_transaction=IDLE_IN_TRANSACTION_SECONDS,
    )


def create_app(settings: Settings | None = None) -> Starlette:
    try:
        settings = settings or get_settings()
    except ValidationError as error:  # for those who start the app with uvicorn themselves
        raise SystemExit(from_settings(error).line()) from None
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL is not set: start through `tandem serve`, which provides one.")
    # uvicorn workers are fresh processes: each sets up its logs for itself.
    configure_logging(settings.tandem_log_level, settings.tandem_log_format)
    refused = signing_secret.refusal(settings)
    if refused is not None:  # `tandem serve` said so already; this is for other ways of starting the app
        raise SystemExit(refused)
    if settings.tandem_secret == DEV_SECRET:
        log.warning("TANDEM_SECRET is the development default: anyone can mint tokens; set it in production")
    engine = create_engine(
        settings.database_url, pool_size=settings.tandem_db_pool_size, timeouts=database_timeouts(settings)
    )
    schema = build_schema(
        introspection=settings.tandem_introspection,
        max_depth=settings.tandem_max_depth,
        max_aliases=settings.tandem_max_aliases,
        max_tokens=settings.tandem_max_tokens,
        max_cost=settings.tandem_max_cost,
        compiled_reads=settings.tandem_compiled_reads,
        direct_mutations=settings.tandem_direct_mutations,
    )
    tracing.configure()  # when the OTEL_* settings ask for it
    metrics = prometheus.Metrics() if settings.tandem_metrics else None
    access_log = AccessLog(metrics)
    broker = EventBroker(engine)
    hub = EventHub(broker, on_delivered=metrics.observe_delivery if metrics is not None else None)
    if metrics is not None:
        metrics.watch(pool=engine.pool, broker=broker)
    oidc_config = OidcConfig.from_settings(settings)
    oidc = OidcSignIn(oidc_config, engine=engine) if oidc_config is not None else None
    budgets = PersonBudgets(settings.tandem_cost_per_minute) if settings.tandem_cost_per_minute else None
    credentials = Credentials(engine, secret=settings.tandem_secret, oidc=oidc)
    watch = SessionWatch(broker, interval=settings.tandem_ws_recheck_seconds)
    graphql = TandemGraphQL(
        schema,
        engine=engine,
        secret=settings.tandem_secret,
        graphiql=settings.tandem_graphiql,
        broker=broker,
        hub=hub,
        oidc=oidc,
        budgets=budgets,
        credentials=credentials,
        access_log=access_log,
    )
    websocket = GraphQLWebSocket(
        schema,
        engine=engine,
        secret=settings.tandem_secret,
        broker=broker,
        hub=hub,
        settings=WebSocketSettings(
            max_operations=settings.tandem_ws_max_operations,
            init_timeout=settings.tandem_ws_init_timeout,
            send_timeout=settings.tandem_ws_send_timeout,
            max_message_bytes=settings.tandem_max_body_bytes,
        ),
        oidc=oidc,
        budgets=budgets,
        credentials=credentials,
        watch=watch,
        access_log=access_log,
    )

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        pool = engine.pool
        if pool.waiting:  # said without waiting in line for a connection
            return JSONResponse(
                {
                    "status": "unavailable",
                    "reason": (
                        f"the connection pool is exhausted: {pool.checkedout()} connections in use, "
                        f"{pool.waiting} calls waiting"
                    ),
                },
                status_code=503,
            )
        if pool.all_in_use():  # each serves a call, none waits: a check would only queue behind them
            return JSONResponse({"status": "ready"})
        try:
            async with engine.connect() as conn:
                await conn.execute(text("select 1"))
        except Exception as error:  # any failure to reach the database means not ready
            return JSONResponse(
                {"status": "unavailable", "reason": "the database does not answer", "error": type(error).__name__},
                status_code=503,
            )
        return JSONResponse({"status": "ready"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await broker.start()
        try:
            async with metrics.sampling() if metrics is not None else contextlib.nullcontext():
                yield
        finally:
            await watch.aclose()
            await broker.stop()
            if oidc is not None:
                await oidc.aclose()
            await engine.dispose()
            tracing.flush()

    routes = [
        Route("/", landing(graphiql=settings.tandem_graphiql, metrics=metrics is not None), methods=["GET"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql, methods=["GET", "POST"]),
    ]
    if metrics is not None:
        routes.append(Route("/metrics", prometheus.endpoint(metrics, token=settings.tandem_metrics_token)))
    app = TandemApp(websocket, routes=routes, lifespan=lifespan)
    app.state.engine = engine
    app.state.graphql = graphql
    app.state.broker = broker
    app.state.metrics = metrics
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "accept", "x-request-id"],
            expose_headers=["x-request-id"],
            max_age=600,
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.tandem_max_body_bytes)
    app.add_middleware(RequestLogMiddleware)
    tracing.instrument_app(app)  # outermost: the server span covers the whole call
    return app
