"""Each person's cost budget per minute, so that one client cannot take a worker.

A token bucket per person: full at `per_minute`, refilled continuously (per_minute / 60 a
second); an operation takes its cost from it before it runs, or is refused with the seconds to
wait. Buckets live in the process (each worker keeps its own) and at most `people` of them:
the least recently charged go first, and a bucket not charged for a minute is full anyway.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from schema.errors import ApiError


@dataclass(frozen=True)
class Charge:
    """What an operation cost, and (for a signed-in person) what remains of their budget."""

    requested: int
    budget: int  # the most one operation may cost
    per_minute: int | None = None
    remaining: int | None = None
    resets_in: int | None = None  # seconds until the budget is full again

    def report(self) -> dict[str, Any]:
        """`extensions.cost` of the answer."""
        report: dict[str, Any] = {"requested": self.requested, "budget": self.budget}
        if self.per_minute is not None:
            report.update(budgetPerMinute=self.per_minute, remaining=self.remaining, resetsIn=self.resets_in)
        return report


class RateLimited(ApiError):
    def __init__(self, charge: Charge, retry_after: int):
        super().__init__(
            f"This operation costs {charge.requested} and {charge.remaining} of your "
            f"{charge.per_minute} per minute remain: retry in {retry_after} s.",
            "RATE_LIMITED",
        )
        self.extensions.update(cost=charge.requested, remaining=charge.remaining, retryAfter=retry_after)
        self.charge = charge


class PersonBudgets:
    def __init__(self, per_minute: int, *, people: int = 50_000, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.refill = per_minute / 60  # a second
        self.people = people
        self.clock = clock
        self.buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()  # person -> (left, at)

    def take(self, person: Hashable, cost: int, *, budget: int) -> Charge:
        """Charge `cost` to `person`, or raise RateLimited (nothing taken)."""
        now = self.clock()
        left, at = self.buckets.get(person, (self.per_minute, now))
        left = min(self.per_minute, left + (now - at) * self.refill)
        # An operation dearer than a whole minute's budget runs on a full bucket and empties it.
        taken = min(cost, self.per_minute)
        if taken > left:
            charge = self._charge(cost, budget, left)
            raise RateLimited(charge, math.ceil((taken - left) / self.refill))
        left -= taken
        self.buckets[person] = (left, now)
        self.buckets.move_to_end(person)
        if len(self.buckets) > self.people:
            self.buckets.popitem(last=False)
        return self._charge(cost, budget, left)

    def _charge(self, cost: int, budget: int, left: float) -> Charge:
        return Charge(cost, budget, self.per_minute, int(left), math.ceil((self.per_minute - left) / self.refill))
