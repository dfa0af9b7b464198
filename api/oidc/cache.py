"""Tokens already checked, with their answers: a client sends the same token on every call, and a
check costs a signature, a database read, or a round trip to the provider.

Bounded in entries and in bytes (tokens are the keys, up to a few KB each). An answer is kept at
most `seconds` and never past the token's own expiry, so a token its provider stops vouching for
(introspection, userinfo) counts for that long at most. Concurrent first uses of one token share
one check."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from api.oidc import refusals
from api.oidc.refusals import Refused
from schema.compiled.cache import Lru

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
        self.clock = clock
        # token -> (answer, kept until); any one token may fill it (a token is a few KB at most).
        self._answers: Lru[str, tuple[Answer, float]] = Lru(
            entries=max_entries,
            max_bytes=max_bytes,
            weigh=lambda token, kept: len(token) + ENTRY_OVERHEAD_BYTES,
            max_entry_bytes=max_bytes,
        )
        self._pending: dict[str, asyncio.Future[Answer]] = {}

    def __len__(self) -> int:
        return len(self._answers)

    @property
    def max_bytes(self) -> int:
        return self._answers.max_bytes

    @property
    def bytes(self) -> int:
        return self._answers.bytes

    def answer(self, token: str) -> Answer | None:
        kept = self._answers.peek(token)
        if kept is None:
            return None
        if self.clock() >= kept[1]:
            self._answers.pop(token)
            return None
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
        self._answers.put(token, (answer, self.clock() + seconds))


def _retrieve(future: asyncio.Future) -> None:
    # Every caller may have been cancelled meanwhile: the failure is theirs, not an unread warning.
    if not future.cancelled():
        future.exception()
