"""Closed-loop load: N workers, each on its own keep-alive connection, send one operation after
another until the time or the operation budget is spent."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bench.http_client import Call, KeepAliveConnection, Reply

Send = Callable[[Call], Awaitable[Reply]]
# One operation by worker `slot`; raises when the answer is not the expected one.
Operate = Callable[[Send, int], Awaitable[None]]

CALL_TIMEOUT = 30.0


class UnexpectedAnswer(Exception):
    pass


@dataclass
class Measurement:
    ops: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0

    def percentile_ms(self, share: float) -> float | None:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)] * 1000


class _Budget:
    def __init__(self, seconds: float, max_ops: int):
        self.deadline = time.perf_counter() + seconds
        self.left = max_ops

    def take(self) -> bool:
        if self.left <= 0 or time.perf_counter() >= self.deadline:
            return False
        self.left -= 1
        return True


async def measure(
    operate: Operate, *, host: str, port: int, concurrency: int, seconds: float, max_ops: int
) -> Measurement:
    result = Measurement()
    budget = _Budget(seconds, max_ops)
    started = time.perf_counter()
    await asyncio.gather(
        *(_worker(operate, slot, host=host, port=port, budget=budget, result=result) for slot in range(concurrency))
    )
    result.seconds = time.perf_counter() - started
    return result


async def _worker(operate: Operate, slot: int, *, host: str, port: int, budget: _Budget, result: Measurement) -> None:
    connection = KeepAliveConnection(host, port)
    try:
        while budget.take():
            began = time.perf_counter()
            try:
                async with asyncio.timeout(CALL_TIMEOUT):
                    await operate(connection.send, slot)
                problem = None
            except Exception as error:  # a failed call is counted, and the run goes on
                problem = f"{type(error).__name__}: {error}"
            result.latencies.append(time.perf_counter() - began)
            result.ops += 1
            if problem is not None:
                result.errors += 1
                if len(result.error_samples) < 3:
                    result.error_samples.append(problem)
    finally:
        connection.close()


def combined(parts: list[Measurement]) -> Measurement:
    """Several measured rounds of one scenario as one measurement."""
    result = Measurement()
    for part in parts:
        result.ops += part.ops
        result.errors += part.errors
        result.seconds += part.seconds
        result.latencies += part.latencies
        result.error_samples += part.error_samples[: 3 - len(result.error_samples)]
    return result
