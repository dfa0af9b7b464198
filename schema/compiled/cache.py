"""The process's caches: least recently used first out, bounded in entries and in bytes.

Every cache here is one of these: documents, plans, statements, tokens, operation ids. A count
alone lets a few large entries hold gigabytes (a client picks what it sends: 120 compiled reads
with distinct 0.9 MB variables kept 400 MB). An entry's size is estimated once, when it is
stored, from the lengths of its strings (`weigh`, never a walk over the value): enough to bound
memory, not to measure it. An entry above `max_entry_bytes` is handed back but not kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MB = 1 << 20
# Each cache of documents or of what is derived from them (plans, statements, bindings).
CACHE_BYTES = 16 * MB
# A key tuple, its OrderedDict slot and a small value.
ENTRY_BYTES = 256
# A parsed document holds its text and about 400 bytes per token (nodes, locations, the token list
# itself): measured 45 KB for a 400-character query, 1.9 MB for 5,000 tokens. Counted as 100 bytes
# a character, up to 5,000 tokens (TANDEM_MAX_TOKENS' default: the parser refuses more).
DOCUMENT_BYTES_PER_CHARACTER = 100
DOCUMENT_TOKENS_BYTES = 5_000 * 400


def document_bytes(text: str) -> int:
    """The estimated size of `text` parsed, for the entries that hold a document or its nodes."""
    return ENTRY_BYTES + len(text) + min(DOCUMENT_BYTES_PER_CHARACTER * len(text), DOCUMENT_TOKENS_BYTES)


class Lru(Generic[K, V]):
    def __init__(
        self, *, entries: int, max_bytes: int, weigh: Callable[[K, V], int], max_entry_bytes: int | None = None
    ):
        self.max_entries = entries
        self.max_bytes = max_bytes
        # A quarter by default: one large entry never takes more than a quarter of the cache.
        self.max_entry_bytes = max_bytes // 4 if max_entry_bytes is None else max_entry_bytes
        self.weigh = weigh
        self.bytes = 0  # the entries' estimated sizes, summed
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: K) -> bool:
        return key in self._entries

    def keys(self) -> Iterator[K]:
        """Least recently used first."""
        return iter(self._entries)

    def peek(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def get(self, key: K, make: Callable[[], V]) -> V:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry[0]
        value = make()
        self.put(key, value)
        return value

    def put(self, key: K, value: V) -> None:
        self.pop(key)
        size = self.weigh(key, value)
        if size > self.max_entry_bytes:
            return
        self._entries[key] = (value, size)
        self.bytes += size
        while self.bytes > self.max_bytes or len(self._entries) > self.max_entries:
            _, (_, evicted) = self._entries.popitem(last=False)
            self.bytes -= evicted

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0

    def pop(self, key: K) -> V | None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return None
        self.bytes -= entry[1]
        return entry[0]
