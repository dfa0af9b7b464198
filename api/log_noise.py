"""Libraries' chatter held back unless it explains a failure.

The embedded PostgreSQL (pgserver) logs every command it runs with its whole output (initdb's is
twenty lines), and Alembic's migration plugin says "Context impl PostgresqlImpl", "Will assume
transactional DDL" and one line per migration. Nobody needs that when it works; when starting the
database or migrating fails it is exactly what explains why. So below WARNING their records are
kept (the last few hundred) and written out only when a step wrapped in `shown_if_failing` fails;
warnings and errors pass straight through."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

CHATTY = ("pgserver", "alembic")


class _Holder(logging.Handler):
    def __init__(self, capacity: int = 500):
        super().__init__()
        self.records: deque[logging.LogRecord] = deque(maxlen=capacity)

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            logging.getLogger().handle(record)
        else:
            self.records.append(record)

    def replay(self) -> None:
        root = logging.getLogger()
        while self.records:
            root.handle(self.records.popleft())


_holder = _Holder()


def hold_chatter(*, held: bool = True) -> None:
    """Route the chatty loggers through the holder (or, `held=False`, straight to the root's handlers)."""
    for name in CHATTY:
        logger = logging.getLogger(name)
        if held:
            logger.handlers[:] = [_holder]
            logger.propagate = False
            logger.setLevel(logging.INFO)  # kept even when the root shows only warnings: a failure shows them
        else:
            logger.handlers[:] = []
            logger.propagate = True
            logger.setLevel(logging.NOTSET)


@contextmanager
def shown_if_failing() -> Iterator[None]:
    """Run a step; if it raises, first write out the chatter it produced."""
    _holder.records.clear()
    try:
        yield
    except Exception:
        _holder.replay()
        raise
    finally:
        _holder.records.clear()
