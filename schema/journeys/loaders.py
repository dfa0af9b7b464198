"""Journey maps and runs, one dataloader per relation (schema.dataloader); `loaders.journeys`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from db.read import journey_analytics, journeys
from db.read.journey_analytics import MapFigures
from db.read.pages import Page
from schema.dataloader import ById, Grouped, Paged, Reading, Row

# (map, first, after)
RunWindow = tuple[int, int | None, str | None]


class MapById(ById[int, Row]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await journeys.maps_by_ids(conn, self.viewer, keys)


class RunMapById(ById[int, Row]):
    """A run's map, for whoever may see the run."""

    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await journeys.maps_by_ids_unfiltered(conn, keys)


class NextVersionByMap(Grouped[int, Row]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await journeys.next_version_by_map(conn, keys)


class StagesByMap(Grouped[int, list[Row]]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, list[Row]]:
        return await journeys.stages_by_map(conn, keys)


class StageById(ById[int, Row]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await journeys.stages_by_ids(conn, keys)


class TouchpointsByStage(Grouped[int, list[Row]]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, list[Row]]:
        return await journeys.touchpoints_by_stage(conn, keys)


class RunById(ById[int, Row]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await journeys.runs_by_ids(conn, self.viewer, keys)


class RunPage(Paged[RunWindow, Page]):
    async def fetch(self, conn: AsyncConnection, parents: list[Any], window: tuple[Any, ...]) -> Mapping[Any, Page]:
        first, after = window
        return await journeys.run_pages_by_map(conn, self.viewer, parents, first=first, after=after)


class RunCount(Grouped[int, int]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, int]:
        return await journeys.run_counts_by_map(conn, self.viewer, keys)


class StagesByRun(Grouped[int, list[Row]]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, list[Row]]:
        return await journeys.run_stages_by_run(conn, keys)


class RequestsByRun(Grouped[int, list[Row]]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, list[Row]]:
        return await journeys.run_requests_by_run(conn, keys)


class AnalyticsByMap(Grouped[int, MapFigures]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, MapFigures]:
        return await journey_analytics.analytics_by_map(conn, keys)


class JourneyLoaders:
    """The journey relations, each made on first use."""

    def __init__(self, reading: Reading):
        self._reading = reading

    @cached_property
    def map(self) -> MapById:
        return MapById(self._reading)

    @cached_property
    def run_map(self) -> RunMapById:
        return RunMapById(self._reading)

    @cached_property
    def next_version(self) -> NextVersionByMap:
        return NextVersionByMap(self._reading)

    @cached_property
    def stages_of_map(self) -> StagesByMap:
        return StagesByMap(self._reading)

    @cached_property
    def stage(self) -> StageById:
        return StageById(self._reading)

    @cached_property
    def touchpoints_of_stage(self) -> TouchpointsByStage:
        return TouchpointsByStage(self._reading)

    @cached_property
    def run(self) -> RunById:
        return RunById(self._reading)

    @cached_property
    def run_page(self) -> RunPage:
        return RunPage(self._reading)

    @cached_property
    def run_count(self) -> RunCount:
        return RunCount(self._reading)

    @cached_property
    def run_stages(self) -> StagesByRun:
        return StagesByRun(self._reading)

    @cached_property
    def run_requests(self) -> RequestsByRun:
        return RequestsByRun(self._reading)

    @cached_property
    def analytics(self) -> AnalyticsByMap:
        return AnalyticsByMap(self._reading)
