"""How far the demo load has come, said every tenth of the way.

The first `tandem serve --demo` plays about five thousand steps through the real handlers, half a
minute on a laptop; without a word on the terminal that looks like a hang. Playing the history is
nearly all of the time (setting up the organisation takes a fraction of a second), so the
percentage counts played steps."""

from __future__ import annotations

import logging

log = logging.getLogger("tandem.demo")
SETUP_SHARE, HISTORY_SHARE = 2, 96  # percent of the whole; the goals take the rest
STRIDE = 10


class DemoProgress:
    def __init__(self) -> None:
        self.history = ""
        self.said = -STRIDE

    def setting_up(self) -> None:
        self._say("departments, people, the service catalog and journey maps", 0)

    def playing(self, *, requests: int, runs: int) -> None:
        self.history = f"{requests:,} requests and {runs:,} journey runs"

    def played(self, done: int, total: int) -> None:
        percent = SETUP_SHARE + HISTORY_SHARE * done // max(total, 1)
        if percent >= self.said + STRIDE:
            self._say(f"{self.history}, {done:,} of {total:,} steps", percent)

    def goals(self) -> None:
        self._say("shared goals", SETUP_SHARE + HISTORY_SHARE)

    def _say(self, what: str, percent: int) -> None:
        self.said = percent
        log.info(f"creating the demo organisation: {what} ({percent}%)")
