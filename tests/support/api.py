"""Running GraphQL operations in-process, as a given viewer, through the real schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from api.settings import Settings
from domain.people import Person
from schema.context import Context, utc_now
from schema.schema import build_schema


def fast_paths() -> dict[str, bool]:
    """The two fast paths' switches as the environment sets them (TANDEM_COMPILED_READS,
    TANDEM_DIRECT_MUTATIONS; on unless set false), so the suite can run with both off."""
    settings = Settings(_env_file=None)
    return {"compiled_reads": settings.tandem_compiled_reads, "direct_mutations": settings.tandem_direct_mutations}


# For apps made in the tests of the fast paths themselves: on, whatever the environment.
FAST_PATHS_ON = {"tandem_compiled_reads": True, "tandem_direct_mutations": True}

# What the tests run operations through: the fast paths as the environment says.
SCHEMA = build_schema(**fast_paths())
# Both fast paths on, whatever the environment: for the tests of the fast paths themselves.
FAST_SCHEMA = build_schema()


class Api:
    def __init__(self, engine: AsyncEngine):
        self.engine = engine
        self.clock = utc_now
        self.commits: list[int] = []

    async def run(self, query: str, viewer: Person | None, **variables: Any):
        context = Context(engine=self.engine, viewer=viewer, clock=self.clock, on_commit=self.commits.append)
        return await SCHEMA.execute(query, variable_values=variables or None, context_value=context)

    async def ok(self, query: str, viewer: Person | None, **variables: Any) -> dict[str, Any]:
        """Data of an operation that must succeed with no top-level errors."""
        result = await self.run(query, viewer, **variables)
        assert result.errors is None, result.errors
        return result.data

    async def mutate(self, query: str, viewer: Person | None, **variables: Any) -> dict[str, Any]:
        """The payload of a single mutation field; userErrors are left for the test to check."""
        data = await self.ok(query, viewer, **variables)
        (payload,) = data.values()
        return payload

    def at(self, moment: datetime) -> None:
        """Freeze the clock the handlers see."""
        self.clock = lambda: moment
