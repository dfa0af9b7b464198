"""Running a coroutine from a plain (sync) test."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` in a thread of its own. In the main thread it would leave that thread with no
    event loop set, and the async tests after it, on pytest-asyncio's session loop, would fail
    ("There is no current event loop") with the pytest-asyncio the lowest versions allow."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()
