"""The checked-token cache (api.oidc.cache): bounded in entries and bytes, never past a token's
expiry, refusals kept unless they may pass, one check for concurrent first uses."""

import asyncio
import time

import pytest

from api.oidc import refusals
from api.oidc.cache import ENTRY_OVERHEAD_BYTES, Checked, CheckedTokens
from api.oidc.refusals import Refused


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def checker(answer, calls: list[str] | None = None):
    async def check(token: str):
        if calls is not None:
            calls.append(token)
        await asyncio.sleep(0)
        if isinstance(answer, Refused):
            raise answer
        return answer

    return check


async def test_an_answer_is_kept_for_the_seconds_and_never_past_the_tokens_expiry():
    clock = Clock()
    tokens = CheckedTokens(seconds=60, clock=clock)
    await tokens.checked("long", checker(Checked(1, time.time() + 3600)))
    await tokens.checked("short", checker(Checked(2, time.time() + 5)))
    clock.now = 6
    assert tokens.answer("long") == Checked(1, pytest.approx(time.time() + 3600, abs=5))
    assert tokens.answer("short") is None
    clock.now = 61
    assert tokens.answer("long") is None


async def test_the_cache_is_bounded_in_entries_and_in_bytes():
    by_entries = CheckedTokens(max_entries=3)
    for n in range(10):
        await by_entries.checked(f"token-{n}", checker(Checked(n, None)))
    assert len(by_entries) == 3 and by_entries.answer("token-9") is not None and by_entries.answer("token-0") is None

    by_bytes = CheckedTokens(max_bytes=3 * (1000 + ENTRY_OVERHEAD_BYTES))
    for n in range(10):
        await by_bytes.checked(f"{n}".ljust(1000, "x"), checker(Checked(n, None)))
    assert len(by_bytes) == 3 and by_bytes.bytes <= by_bytes.max_bytes


async def test_refusals_are_kept_unless_they_may_pass_in_a_moment():
    tokens = CheckedTokens()
    calls: list[str] = []
    for reason in (refusals.EXPIRED, refusals.UNKNOWN_KEY, refusals.UNREACHABLE):
        for _ in range(2):
            with pytest.raises(Refused, match=reason):
                await tokens.checked(reason, checker(Refused(reason), calls))
    assert calls == [
        refusals.EXPIRED,
        refusals.UNKNOWN_KEY,
        refusals.UNKNOWN_KEY,
        refusals.UNREACHABLE,
        refusals.UNREACHABLE,
    ]


async def test_concurrent_first_uses_of_a_token_share_one_check():
    tokens = CheckedTokens()
    calls: list[str] = []
    answers = await asyncio.gather(*(tokens.checked("same", checker(Checked(7, None), calls)) for _ in range(10)))
    assert calls == ["same"] and {a.person_id for a in answers} == {7}
