"""Shared reads: one load per key and version, a new one for a new version, a retry after a failure."""

from __future__ import annotations

import asyncio

import pytest

from schema.live.shared_reads import SharedReads


async def test_readers_at_one_version_share_one_load_and_a_new_version_loads_again():
    reads, loads = SharedReads(), []

    async def load() -> int:
        loads.append(1)
        await asyncio.sleep(0.01)
        return len(loads)

    assert await asyncio.gather(*(reads.read("it", 7, load) for _ in range(5))) == [1] * 5
    assert await reads.read("it", 8, load) == 2
    assert await reads.read("hr", 8, load) == 3


async def test_a_failed_load_is_not_kept_and_the_next_reader_tries_again():
    reads = SharedReads()

    async def broken() -> int:
        raise RuntimeError("database gone")

    async def working() -> int:
        return 1

    with pytest.raises(RuntimeError):
        await reads.read("it", 7, broken)
    assert await reads.read("it", 7, working) == 1


async def test_only_the_latest_audiences_are_kept():
    reads = SharedReads(capacity=2)

    async def load() -> int:
        return 0

    for key in ("a", "b", "c"):
        await reads.read(key, 1, load)
    assert list(reads._latest) == ["b", "c"]


async def test_a_read_too_large_to_keep_is_shared_by_its_waiters_and_then_read_again():
    reads, loads = SharedReads(keep=lambda rows: len(rows) <= 2), []

    async def load() -> list[int]:
        loads.append(1)
        await asyncio.sleep(0.01)
        return [1, 2, 3]

    # readers waiting at once share the one load; the next reader at the same version loads again
    assert await asyncio.gather(*(reads.read("it", 7, load) for _ in range(3))) == [[1, 2, 3]] * 3
    assert len(loads) == 1
    await reads.read("it", 7, load)
    assert len(loads) == 2 and "it" not in reads._latest
