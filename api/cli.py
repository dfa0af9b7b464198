"""`tandem` — serve, migrate, seed, make the first admin and mint development tokens.

A mistake of the operator's (a bad setting or argument, a database that cannot be reached, no
database in this folder) ends the command with one line on stderr and the exit status 2, before it
changes anything; a command that ran and refused (no such person, an admin already there) exits 1;
one interrupted before the server is up (Ctrl-C, SIGTERM) says so in one line and exits 130."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable
from typing import Any

from pydantic import ValidationError

from api import cli_parser
from api.database_choice import database_url
from api.log_noise import shown_if_failing
from api.operator_errors import INTERRUPTED, USAGE, OperatorError, from_settings
from api.settings import Settings, get_settings

log = logging.getLogger("tandem.cli")
DEMO_SIGN_IN = (
    "sign in as a demo person with a token from `tandem token --email employee@example.com` (or admin@, "
    "it.agent@, it.manager@ …), sent as the header Authorization: Bearer <token>"
)


def migrate(url: str) -> None:
    from sqlalchemy.exc import DBAPIError

    from db.migrate import upgrade

    try:
        with shown_if_failing():  # Alembic's lines are noise, unless they say which migration failed
            upgrade(url)
    except DBAPIError as error:  # the database refused a statement: most often, it is not Tandem's
        log.debug("migration failed", exc_info=True)
        reason = (error.orig.__cause__ if error.orig is not None else None) or error.orig or error
        raise OperatorError(
            f"migrating the database failed: {reason}",
            hint="DATABASE_URL must name a database of Tandem's own (empty, or migrated by Tandem); "
            "TANDEM_LOG_LEVEL=DEBUG shows the traceback",
        ) from None
    log.info("database schema up to date")


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    migrate(database_url(settings))
    return 0


async def _stopped_by_sigterm(work: Awaitable[bool]) -> bool:
    """`work`, cancelled if SIGTERM comes: an interrupt raised in the middle of a statement would
    leave the driver in a state it reports as an unrelated error."""
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    assert task is not None  # awaited from asyncio.run
    previous = signal.getsignal(signal.SIGTERM)
    loop.add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        return await work
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        signal.signal(signal.SIGTERM, previous)


def seed_demo(url: str) -> bool:
    """The demo organisation, into an empty database; True when this run created it."""
    from api.demo import seed_demo_if_empty

    try:
        return asyncio.run(_stopped_by_sigterm(seed_demo_if_empty(url)))
    except (KeyboardInterrupt, asyncio.CancelledError):
        # The demo is thousands of transactions: what was played stays, and a database with people
        # in it is never seeded again.
        raise OperatorError(
            "interrupted while loading the demo: the database holds part of it",
            hint="for the whole demo start again on an empty database (remove TANDEM_DATA_DIR, or drop the database)",
            status=INTERRUPTED,
        ) from None


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    url = database_url(settings)
    migrate(url)
    created = seed_demo(url)
    print("Demo organisation created." if created else "The database already has data; left as it is.")
    return 0


def _check_sign_in(settings: Settings) -> None:
    """OpenID Connect settings that cannot work, said now rather than by each worker as it starts."""
    from api.oidc.config import OidcConfig, OidcSettingsError

    try:
        OidcConfig.from_settings(settings)
    except OidcSettingsError as error:
        raise OperatorError(str(error), hint="fix it, or unset TANDEM_OIDC_ISSUER (docs/sign-in.md)") from None


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from api.listening import announce_when_listening, check_free
    from api.signing_secret import refusal

    if (refused := refusal(settings)) is not None:  # before anything else runs (or logs)
        print(refused, file=sys.stderr)
        return USAGE
    from api import metrics, tracing

    try:
        tracing.check()
    except tracing.TracingUnavailable as error:
        print(error, file=sys.stderr)
        return USAGE
    _check_sign_in(settings)
    check_free(args.host, args.port)
    if settings.tandem_metrics:
        metrics.prepare_workers(args.workers)  # before the workers import prometheus_client
    # SIGTERM's default action would kill the process before atexit stops the embedded PostgreSQL
    # (uvicorn re-raises it after its graceful shutdown, too). As an interrupt, atexit still runs.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    url = database_url(settings)
    migrate(url)
    if args.demo and not seed_demo(url):
        log.info("the database already has data: the demo was not loaded into it")
    announce_when_listening(args.host, args.port, graphiql=settings.tandem_graphiql, then=DEMO_SIGN_IN * args.demo)
    try:
        _run_uvicorn(args, settings)
    except KeyboardInterrupt:
        log.info("stopped")
    return 0


def _run_uvicorn(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    # wsproto holds the least memory per idle websocket of uvicorn's implementations (measured:
    # 17.9 KB against 20.3 for websockets-sansio and 27.8 for websockets). No per-message deflate:
    # each subscriber would get its own compressor and compress the same small JSON again.
    # Websocket messages are capped as HTTP bodies are (uvicorn's default is 16 MiB); the endpoint
    # checks again, for other servers.
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=None,
        ws="wsproto",
        ws_per_message_deflate=False,
        ws_max_size=settings.tandem_max_body_bytes,
    )


async def _person_by_email(url: str, email: str) -> tuple[Any, int]:
    """(the person or None, how many people there are: none in a database never set up)."""
    from sqlalchemy import text

    from db.engine import create_engine
    from db.read.organisation import people_count, person_by_email

    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            if (await conn.execute(text("select to_regclass('people')"))).scalar_one() is None:
                return None, 0
            return await person_by_email(conn, email), await people_count(conn)
    finally:
        await engine.dispose()


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    from api.auth import mint_token

    # Only reads: run in the wrong folder it must not set up an empty database there.
    person, people = asyncio.run(_person_by_email(database_url(settings, create=False), args.email))
    if person is None:
        hint = (
            f" The database has no people yet: run `tandem init --admin-email {args.email}` first."
            if people == 0
            else ""
        )
        print(f"No person with email {args.email!r}.{hint}", file=sys.stderr)
        return 1
    if person.deactivated_at is not None or person.kind != "PERSON":
        print(
            f"{args.email!r} is deactivated or a service account: no token for them "
            "(a service account uses API tokens: apiTokenCreate).",
            file=sys.stderr,
        )
        return 1
    hours = args.hours if args.hours is not None else settings.tandem_token_hours
    print(mint_token(person_id=person.id, email=person.email, secret=settings.tandem_secret, hours=hours))
    return 0


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    from api.first_run import init_admin, next_steps
    from domain.errors import DomainError

    url = database_url(settings)
    migrate(url)
    try:
        admin_id, made = asyncio.run(init_admin(url, email=args.admin_email, name=args.name))
    except DomainError as error:
        print(f"tandem init: {error.message}", file=sys.stderr)
        return 1
    print(
        f"{args.admin_email} is now the first admin."
        if made
        else f"{args.admin_email} is already an admin; nothing changed."
    )
    print(next_steps(args.admin_email, settings))
    return 0


COMMANDS = {"serve": cmd_serve, "migrate": cmd_migrate, "seed": cmd_seed, "init": cmd_init, "token": cmd_token}


def parser() -> argparse.ArgumentParser:
    return cli_parser.build(COMMANDS)


def _check_libraries() -> None:
    """compat refuses, as it loads, a library version Tandem was not written for: said in one line
    here rather than as a traceback from the first module that needs it."""
    try:
        import compat  # noqa: F401
    except ImportError as error:  # compat.IncompatibleVersion, or a library missing altogether
        raise OperatorError(str(error)) from None


def main(argv: list[str] | None = None) -> int:
    from api.logs import configure_logging

    args = parser().parse_args(argv)  # --help and --version answer whatever the settings
    try:
        _check_libraries()
        try:
            settings = get_settings()
        except ValidationError as error:
            raise from_settings(error) from None
        configure_logging(settings.tandem_log_level, settings.tandem_log_format)
        return args.run(args, settings)
    except OperatorError as error:
        print(error.line(), file=sys.stderr)
        return error.status
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM before the server ran: no traceback for that
        print("tandem: interrupted", file=sys.stderr)
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
