"""Mistakes in how Tandem was started or configured, said in one line with what to do.

An operator who sets a bad DATABASE_URL or TANDEM_* value needs the setting's name and a hint,
not a traceback through SQLAlchemy and asyncpg: the CLI prints `tandem: error: <problem> — <hint>`
and exits with 2 (the status argparse uses for a bad command line), having changed nothing."""

from __future__ import annotations

from pydantic import ValidationError

USAGE = 2
INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl-C
DOCS = "every setting: docs/configuration.md"
# Values never repeated back: they may be credentials.
_SECRET_WORDS = ("SECRET", "DATABASE_URL", "PASSWORD")


class OperatorError(Exception):
    def __init__(self, problem: str, *, hint: str = "", status: int = USAGE):
        super().__init__(problem)
        self.problem, self.hint, self.status = problem, hint, status

    def line(self) -> str:
        return f"tandem: error: {self.problem}" + (f" — {self.hint}" if self.hint else "")


def from_settings(error: ValidationError) -> OperatorError:
    """pydantic's multi-line report as one line naming each bad environment variable."""
    problems = []
    for item in error.errors():
        name = str(item["loc"][0]).upper() if item["loc"] else "a setting"
        shown = "" if any(word in name for word in _SECRET_WORDS) else f"={item['input']!r}"
        problems.append(f"{name}{shown}: {_sentence(item['msg'])}")
    return OperatorError("; ".join(problems), hint=f"fix or unset it ({DOCS})")


def _sentence(message: str) -> str:
    # pydantic prefixes messages of custom validators with "Value error, ".
    message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]
