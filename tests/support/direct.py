"""The direct mutation path, counting the operations it answered (the rest executed normally)."""

from __future__ import annotations

from typing import Any

from schema.compiled.mutations import DirectMutations


class CountingDirect(DirectMutations):
    def __init__(self) -> None:
        super().__init__()
        self.ran = 0

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        result = await super().run(*args, **kwargs)
        self.ran += result is not None
        return result
