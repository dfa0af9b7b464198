"""`tandem` — serve, migrate, seed and mint development tokens."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from typing import Any

from api.settings import Settings, get_settings

log = logging.getLogger("tandem.cli")


def database_url(settings: Settings) -> str:
    """DATABASE_URL when set; otherwise the embedded PostgreSQL, started on demand."""
    if settings.database_url:
        return settings.database_url
    from api.embedded import start_embedded
    from api.signing_secret import EMBEDDED_URL

    url = start_embedded(settings.tandem_data_dir)
    # Workers and child processes inherit the URL instead of starting their own server.
    os.environ["DATABASE_URL"] = os.environ[EMBEDDED_URL] = url
    settings.database_url = url
    return url


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from db.migrate import upgrade

    upgrade(database_url(settings))
    log.info("database migrated to head")
    return 0


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from api.demo import seed_demo_if_empty
    from db.migrate import upgrade

    url = database_url(settings)
    upgrade(url)
    if not args.demo:
        print("Nothing to seed: pass --demo for the demo organisation.", file=sys.stderr)
        return 2
    created = asyncio.run(seed_demo_if_empty(url))
    print("Demo organisation created." if created else "The database already has data; left as it is.")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from api.signing_secret import refusal

    if (refused := refusal(settings)) is not None:  # before anything else runs (or logs)
        print(refused, file=sys.stderr)
        return 2
    import uvicorn

    from db.migrate import upgrade

    url = database_url(settings)
    upgrade(url)
    if args.demo:
        from api.demo import seed_demo_if_empty

        if asyncio.run(seed_demo_if_empty(url)):
            log.info("demo organisation created")
    log.info("serving", extra={"url": f"http://{args.host}:{args.port}/graphql", "workers": args.workers})
    # uvicorn shuts down gracefully on SIGTERM, then re-raises it; its default action would kill the
    # process before atexit stops the embedded PostgreSQL. As an interrupt, atexit still runs.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
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
    except KeyboardInterrupt:
        log.info("stopped")
    return 0


async def _person_by_email(settings: Settings, email: str) -> tuple[Any, int]:
    """(the person or None, how many people there are: none in a database never set up)."""
    from sqlalchemy import text

    from db.engine import create_engine
    from db.read.organisation import people_count, person_by_email

    engine = create_engine(database_url(settings), pool_size=1)
    try:
        async with engine.connect() as conn:
            if (await conn.execute(text("select to_regclass('people')"))).scalar_one() is None:
                return None, 0
            return await person_by_email(conn, email), await people_count(conn)
    finally:
        await engine.dispose()


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    from api.auth import mint_token

    person, people = asyncio.run(_person_by_email(settings, args.email))
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
    print(
        mint_token(
            person_id=person.id,
            email=person.email,
            secret=settings.tandem_secret,
            hours=args.hours or settings.tandem_token_hours,
        )
    )
    return 0


def _hours(text: str) -> int:
    hours = int(text)
    if hours < 1:
        raise argparse.ArgumentTypeError("a token lives at least 1 hour")
    return hours


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    from api.first_run import init_admin, next_steps
    from db.migrate import upgrade
    from domain.errors import DomainError

    url = database_url(settings)
    upgrade(url)
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


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="tandem", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="migrate, then serve the GraphQL API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="load the demo organisation into an empty database")
    serve.set_defaults(run=cmd_serve)
    migrate = commands.add_parser("migrate", help="upgrade the database schema to the latest migration")
    migrate.set_defaults(run=cmd_migrate)
    seed = commands.add_parser("seed", help="load data")
    seed.add_argument("--demo", action="store_true", help="the demo organisation (only into an empty database)")
    seed.set_defaults(run=cmd_seed)
    init = commands.add_parser("init", help="migrate, then make the first admin of an empty database")
    init.add_argument("--admin-email", required=True)
    init.add_argument("--name", default=None, help="the admin's name (default: the email's local part)")
    init.set_defaults(run=cmd_init)
    token = commands.add_parser("token", help="mint a development bearer token")
    token.add_argument("--email", required=True)
    token.add_argument("--hours", type=_hours, default=None, help="lifetime (1 or more; every token expires)")
    token.set_defaults(run=cmd_token)
    return root


def main(argv: list[str] | None = None) -> int:
    from api.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.tandem_log_level)
    args = parser().parse_args(argv)
    return args.run(args, settings)


if __name__ == "__main__":
    sys.exit(main())
