"""A small least-recently-used map for plans and statements."""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Lru(Generic[V]):
    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict[Hashable, V] = OrderedDict()

    def peek(self, key: Hashable) -> V | None:
        value = self.entries.get(key)
        if value is not None:
            self.entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: V) -> None:
        self.entries[key] = value
        self.entries.move_to_end(key)
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        try:
            self.entries.move_to_end(key)
            return self.entries[key]
        except KeyError:
            value = self.entries[key] = make()
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)
            return value
