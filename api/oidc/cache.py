"""Tokens already checked, with their answers: a client sends the same token on every call, and a
check costs a signature, a database read, or a round trip to the provider.

Bounded in entries and in bytes (tokens are the keys, up to a few KB each). An answer is kept at
most `seconds` and never past the token's own expiry, so a token its provider stops vouching for
(introspection, userinfo) counts for that long at most. Concurrent first uses of one token share
one check."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from api.oidc import refusals
from api.oidc.refusals import Refused

# Refusals not kept: the provider may be back, or its new key fetchable, in a moment (refetches are
# rate-limited by the provider's view, api.oidc.provider, not by this cache).
PASSING = frozenset({refusals.UNREACHABLE, refusals.UNKNOWN_KEY})
ENTRY_OVERHEAD_BYTES = 300  # the entry, its tuple and the answer, roughly, besides the token


@dataclass(frozen=True, slots=True)
class Checked:
    person_id: int
    expires_at: float | None  # the token's `exp` (epoch seconds); None when the provider did not say


Answer = Checked | Refused


class CheckedTokens:
    def __init__(
        self,
        *,
        seconds: float = 60.0,
        max_entries: int = 10_000,
        max_bytes: int = 16 * 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.seconds = seconds
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.clock = clock
        self.bytes = 0
        self._answers: OrderedDict[str, tuple[Answer, float]] = OrderedDict()  # token -> (answer, kept until)
        self._pending: dict[str, asyncio.Future[Answer]] = {}

    def __len__(self) -> int:
        return len(self._answers)

    def answer(self, token: str) -> Answer | None:
        kept = self._answers.get(token)
        if kept is None:
            return None
        if self.clock() >= kept[1]:
            self._drop(token)
            return None
        self._answers.move_to_end(token)
        return kept[0]

    async def checked(self, token: str, check: Callable[[str], Awaitable[Checked]]) -> Checked:
        """The kept answer, or `check`'s (shared with concurrent callers); a refusal is raised."""
        answer = self.answer(token)
        if answer is None:
            pending = self._pending.get(token)
            if pending is None:
                pending = self._pending[token] = asyncio.ensure_future(self._check_and_keep(token, check))
                pending.add_done_callback(_retrieve)
            answer = await asyncio.shield(pending)
        if isinstance(answer, Refused):
            raise Refused(answer.reason, answer.detail)
        return answer

    async def _check_and_keep(self, token: str, check: Callable[[str], Awaitable[Checked]]) -> Answer:
        try:
            answer: Answer = await check(token)
        except Refused as refusal:
            answer = refusal
        finally:
            self._pending.pop(token, None)
        if not (isinstance(answer, Refused) and answer.reason in PASSING):
            self._keep(token, answer)
        return answer

    def _keep(self, token: str, answer: Answer) -> None:
        seconds = self.seconds
        if isinstance(answer, Checked) and answer.expires_at is not None:
            seconds = min(seconds, answer.expires_at - time.time())
        if seconds <= 0:
            return
        self._drop(token)
        self._answers[token] = (answer, self.clock() + seconds)
        self.bytes += len(token) + ENTRY_OVERHEAD_BYTES
        while self._answers and (len(self._answers) > self.max_entries or self.bytes > self.max_bytes):
            self._drop(next(iter(self._answers)))

    def _drop(self, token: str) -> None:
        if self._answers.pop(token, None) is not None:
            self.bytes -= len(token) + ENTRY_OVERHEAD_BYTES


def _retrieve(future: asyncio.Future) -> None:
    # Every caller may have been cancelled meanwhile: the failure is theirs, not an unread warning.
    if not future.cancelled():
        future.exception()
