"""The journey relations' dataloaders, one per relation (see schema.loaders)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.read import journey_analytics, journeys

if TYPE_CHECKING:
    from schema.loaders import Loaders


class JourneyLoaders:
    def __init__(self, loaders: Loaders):
        v = loaders.viewer
        by_id, grouped, paged = loaders._by_id, loaders._grouped, loaders._paged
        self.map = by_id(lambda c, ids: journeys.maps_by_ids(c, v, ids))
        self.run_map = by_id(journeys.maps_by_ids_unfiltered)
        self.next_version = grouped(journeys.next_version_by_map)
        self.stages_of_map = grouped(journeys.stages_by_map)
        self.stage = by_id(journeys.stages_by_ids)
        self.touchpoints_of_stage = grouped(journeys.touchpoints_by_stage)
        self.run = by_id(lambda c, ids: journeys.runs_by_ids(c, v, ids))
        self.run_page = paged(
            lambda c, ids, first, after: journeys.run_pages_by_map(c, v, ids, first=first, after=after)
        )
        self.run_count = grouped(lambda c, ids: journeys.run_counts_by_map(c, v, ids))
        self.run_stages = grouped(journeys.run_stages_by_run)
        self.run_requests = grouped(journeys.run_requests_by_run)
        self.analytics = grouped(journey_analytics.analytics_by_map)
