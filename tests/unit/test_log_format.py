"""The two log line shapes, and the libraries' chatter held back unless a step fails."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest

from api.log_format import JsonFormatter, TextFormatter, request_id
from api.log_noise import hold_chatter, shown_if_failing
from api.logs import wants_json

ACCESS = {"operation": "RequestList", "duration_ms": 3.25, "status": 200, "cost": 12}


def record(message: str = "operation", *, name: str = "tandem.access", exc_info=None, **extra) -> logging.LogRecord:
    return logging.getLogger(name).makeRecord(name, logging.INFO, __file__, 1, message, (), exc_info, extra=extra)


def failure() -> tuple:
    try:
        raise ValueError("the database said no")
    except ValueError:
        return sys.exc_info()


def test_text_is_one_line_with_time_level_logger_message_and_extras():
    line = TextFormatter().format(record(**ACCESS))

    assert "\n" not in line
    stamp, time, level, logger, message, *pairs = line.split()
    assert (level, logger, message) == ("INFO", "tandem.access", "operation")
    assert pairs == ["operation=RequestList", "duration_ms=3.25", "status=200", "cost=12"]


@pytest.mark.parametrize(
    "value, shown",
    [
        ("plain", "plain"),
        ("two words", '"two words"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("a=b", '"a=b"'),
        ("", '""'),
        (None, "-"),
        (True, "true"),
        ({"code": "TIMEOUT", "n": [1, 2]}, '{"code":"TIMEOUT","n":[1,2]}'),
    ],
)
def test_text_quotes_a_value_only_when_its_end_could_be_mistaken(value, shown):
    assert TextFormatter().format(record(value=value)).endswith(f" value={shown}")


def test_text_indents_a_traceback_and_the_rest_of_a_long_message_under_the_line():
    lines = TextFormatter().format(record("first\nsecond", exc_info=failure())).splitlines()

    assert lines[0].endswith("tandem.access   first")
    assert lines[1] == "    second"
    assert lines[2] == "    Traceback (most recent call last):"
    assert lines[-1] == "    ValueError: the database said no"
    assert all(line.startswith("    ") for line in lines[1:])


def test_json_is_one_line_with_the_traceback_folded_in():
    line = JsonFormatter().format(record("failed\nbadly", exc_info=failure(), **ACCESS))

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed\nbadly" and entry["logger"] == "tandem.access" and entry["level"] == "INFO"
    assert {k: entry[k] for k in ACCESS} == ACCESS
    assert entry["exception"].startswith("Traceback") and entry["exception"].endswith(
        "ValueError: the database said no"
    )


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()])
def test_both_carry_the_request_id_and_drop_uvicorns_coloured_copy(formatter):
    token = request_id.set("r-42")
    try:
        line = formatter.format(record("Started", name="uvicorn.error", color_message="\x1b[36mStarted\x1b[0m"))
    finally:
        request_id.reset(token)

    assert "r-42" in line and "color_message" not in line and "\x1b" not in line


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    "setting, stream, json_lines",
    [
        ("auto", Terminal(), False),
        ("auto", io.StringIO(), True),
        ("text", io.StringIO(), False),
        ("json", Terminal(), True),
    ],
)
def test_auto_means_text_for_a_terminal_and_json_for_anything_else(setting, stream, json_lines):
    assert wants_json(setting, stream) is json_lines


class Collected(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def root_collected():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    collected = Collected()
    root.handlers[:] = [collected]
    root.setLevel(logging.INFO)
    hold_chatter()
    yield collected
    hold_chatter(held=False)
    root.handlers[:], root.level = saved[0], saved[1]


def test_chatter_is_held_back_when_the_step_succeeds(root_collected):
    with shown_if_failing():
        logging.getLogger("alembic.runtime.migration").info("Will assume transactional DDL.")
        logging.getLogger("pgserver").warning("a warning is not chatter")

    assert root_collected.messages == ["a warning is not chatter"]


def test_chatter_is_shown_when_the_step_fails(root_collected):
    with pytest.raises(RuntimeError), shown_if_failing():
        logging.getLogger("pgserver").info("Running commandline: initdb")
        raise RuntimeError("initdb failed")

    assert root_collected.messages == ["Running commandline: initdb"]


def test_chatter_of_an_earlier_step_is_not_shown_for_a_later_failure(root_collected):
    with shown_if_failing():
        logging.getLogger("pgserver").info("started")
    with pytest.raises(RuntimeError), shown_if_failing():
        raise RuntimeError("migration failed")

    assert root_collected.messages == []


def test_an_uncaught_exception_is_logged_as_one_event(root_collected):
    from api.logs import _log_uncaught

    kind, error, traceback = failure()
    records: list[logging.LogRecord] = []
    root_collected.emit = records.append

    _log_uncaught(kind, error, traceback)

    (crash,) = records
    assert crash.levelname == "CRITICAL" and crash.exc_info[1] is error
    assert "\n" not in JsonFormatter().format(crash)
