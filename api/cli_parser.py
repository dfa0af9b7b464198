"""The `tandem` command line: commands, their arguments (checked), defaults and environment in --help."""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from collections.abc import Callable
from importlib import metadata
from typing import NoReturn

from api.operator_errors import USAGE
from api.settings import Settings

YEAR_OF_HOURS = 24 * 366
# What each variable means, in a few words; the full story is docs/configuration.md.
ENVIRONMENT = {
    "DATABASE_URL": "PostgreSQL to use; unset: the embedded one under TANDEM_DATA_DIR",
    "TANDEM_DATA_DIR": "the embedded PostgreSQL's folder",
    "TANDEM_DB_CONNECT_TIMEOUT": "seconds opening a database connection may take",
    "TANDEM_LOG_LEVEL": "DEBUG, INFO, WARNING, ERROR or CRITICAL",
    "TANDEM_LOG_FORMAT": "text, json, or auto (text on a terminal, JSON otherwise)",
    "TANDEM_SECRET": "signs development tokens (32+ bytes with an external DATABASE_URL)",
    "TANDEM_DEV_MODE": "allow a weak TANDEM_SECRET with an external DATABASE_URL",
    "TANDEM_TOKEN_HOURS": "lifetime of minted tokens when --hours is not given",
    "TANDEM_GRAPHIQL": "serve GraphiQL to browsers on /graphql",
    "TANDEM_INTROSPECTION": "allow introspection queries",
    "TANDEM_DB_POOL_SIZE": "database connections per worker process",
    "TANDEM_CORS_ORIGINS": "browser origins allowed to call the API",
    "TANDEM_OIDC_ISSUER": "OpenID Connect issuers whose access tokens sign people in",
}
COMMON = ("DATABASE_URL", "TANDEM_DATA_DIR", "TANDEM_DB_CONNECT_TIMEOUT", "TANDEM_LOG_LEVEL", "TANDEM_LOG_FORMAT")
SERVE = (
    *COMMON,
    "TANDEM_SECRET",
    "TANDEM_DEV_MODE",
    "TANDEM_GRAPHIQL",
    "TANDEM_INTROSPECTION",
    "TANDEM_DB_POOL_SIZE",
    "TANDEM_CORS_ORIGINS",
    "TANDEM_OIDC_ISSUER",
)
# Shown instead of the value: printing the development secret in --help would only invite its use.
SHOWN_DEFAULT = {"TANDEM_SECRET": "a development secret"}


class Parser(argparse.ArgumentParser):
    """argparse, with its complaint on one line (usage is one `--help` away) and the exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} — see `{self.prog} --help`", file=sys.stderr)
        sys.exit(USAGE)


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Appends each option's default, when it has one worth showing (not a flag's False)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if "%(default)" in text or action.default in (None, False, argparse.SUPPRESS) or not action.option_strings:
            return text
        return f"{text} (default: %(default)s)"


def environment(names: tuple[str, ...]) -> str:
    indent = " " * (max(map(len, names)) + 4)
    rows = [
        textwrap.fill(
            f"{ENVIRONMENT[name]} (default: {_default(name)})",
            width=min(100, shutil.get_terminal_size().columns - 2),  # as argparse wraps the rest
            initial_indent=f"  {name}".ljust(len(indent)),
            subsequent_indent=indent,
        )
        for name in names
    ]
    return "\n".join(
        [
            "environment (or a .env file in the working directory):",
            *rows,
            "every setting: docs/configuration.md",
        ]
    )


def _default(name: str) -> str:
    if name in SHOWN_DEFAULT:
        return SHOWN_DEFAULT[name]
    value = Settings.model_fields[name.lower()].default
    return "unset" if value in (None, "") else str(value).lower() if isinstance(value, bool) else str(value)


def whole_number(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range: from {low:,} to {high:,}")
        return value

    return parse


def version() -> str:
    try:
        return metadata.version("tandem")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def build(commands: dict[str, Callable]) -> Parser:
    """`commands` maps each command's name to the function that runs it."""
    root = Parser(
        prog="tandem",
        description="Tandem: the GraphQL backend for Enterprise Service Management.",
        epilog="Each command has its own --help, with its defaults and the environment it reads.",
        formatter_class=HelpFormatter,
    )
    root.add_argument("--version", action="version", version=f"tandem {version()}")
    sub = root.add_subparsers(dest="command", required=True, metavar="command", parser_class=Parser)

    def command(name: str, summary: str, names: tuple[str, ...] = COMMON) -> Parser:
        parser = sub.add_parser(
            name, help=summary, description=summary, epilog=environment(names), formatter_class=HelpFormatter
        )
        parser.set_defaults(run=commands[name])
        return parser

    serve = command("serve", "migrate the database, then serve the GraphQL API", SERVE)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)")
    serve.add_argument("--port", type=whole_number(1, 65535), default=8000, help="port to listen on")
    serve.add_argument("--workers", type=whole_number(1, 64), default=1, metavar="N", help="worker processes")
    serve.add_argument("--demo", action="store_true", help="load the demo organisation into an empty database")
    command("migrate", "upgrade the database schema to the latest migration")
    seed = command("seed", "load the demo organisation into an empty database")
    seed.add_argument("--demo", action="store_true", required=True, help="the demo organisation (required)")
    init = command("init", "migrate, then make the first admin of a database without one")
    init.add_argument("--admin-email", required=True, metavar="EMAIL", help="the first admin's email")
    init.add_argument("--name", default=None, help="the admin's name (default: the email's local part)")
    token = command("token", "mint a development bearer token", (*COMMON, "TANDEM_SECRET", "TANDEM_TOKEN_HOURS"))
    token.add_argument("--email", required=True, help="whose token: a person of the database")
    token.add_argument(
        "--hours",
        type=whole_number(1, YEAR_OF_HOURS),
        default=None,
        help=f"lifetime, 1 to {YEAR_OF_HOURS:,} (default: TANDEM_TOKEN_HOURS, which defaults to "
        f"{Settings.model_fields['tandem_token_hours'].default})",
    )
    return root
