"""JourneyAnalytics: figures from db.read.journey_analytics, stage by stage, as the reader may read
them (domain.journey_figures: no figure over a handful of runs the reader does not see)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry

from db.read.journey_analytics import MapFigures, StageFigures
from domain import journey_figures as rule
from domain.journey_access import takes_part
from schema.context import Info
from schema.enums import FigureWithheld
from schema.journeys.types import JourneyStage, stages_of
from schema.organisation.types import DepartmentNode

COUNTS_WITHHELD = "Why the counts above are null; null when they show."
TIMES_WITHHELD = (
    "Why medianMinutes, p90Minutes and onTimeRate are null for a reason other than no runs; null when they show."
)


@strawberry.type
class StageAnalytics:
    stage: JourneyStage
    runs_entered: int | None = strawberry.field(description="Null when withheld (see countsWithheld).")
    runs_completed: int | None = strawberry.field(
        description="Runs that left the stage (finished its requests); null when withheld."
    )
    counts_withheld: FigureWithheld | None = strawberry.field(description=COUNTS_WITHHELD)
    median_minutes: float | None = strawberry.field(
        description="Over the runs that left the stage; null with none, or when withheld (see timesWithheld)."
    )
    p90_minutes: float | None
    on_time_rate: float | None = strawberry.field(
        description="Share of those runs within the stage's target; null without a target, or when withheld."
    )
    times_withheld: FigureWithheld | None = strawberry.field(description=TIMES_WITHHELD)
    bottleneck: bool = strawberry.field(description="The stage with the longest median you may read.")


@strawberry.type(
    description="From the last resolution in one stage to the first response in the next stage that "
    "opened requests, per run; grouped by the departments owning those two requests."
)
class HandOffDelay:
    from_stage: JourneyStage
    to_stage: JourneyStage
    runs: int | None = strawberry.field(description="Null when withheld.")
    median_minutes: float | None = strawberry.field(description="Null when withheld.")
    p90_minutes: float | None = strawberry.field(description="Null when withheld.")
    withheld: FigureWithheld | None = strawberry.field(
        description="Why this group's figures are null; null when they show."
    )
    from_department_id: strawberry.Private[int]
    to_department_id: strawberry.Private[int]

    @strawberry.field
    async def from_department(self, info: Info) -> DepartmentNode:
        return DepartmentNode.from_row(await info.context.loaders.department.load(self.from_department_id))

    @strawberry.field
    async def to_department(self, info: Info) -> DepartmentNode:
        return DepartmentNode.from_row(await info.context.loaders.department.load(self.to_department_id))


@strawberry.type
class JourneyAnalytics:
    runs_started: int | None = strawberry.field(description="Null when withheld (see countsWithheld).")
    runs_completed: int | None
    runs_cancelled: int | None
    runs_active: int | None
    counts_withheld: FigureWithheld | None = strawberry.field(description=COUNTS_WITHHELD)
    median_minutes: float | None = strawberry.field(
        description="Start to completion, completed runs; null with none, or when withheld (see timesWithheld)."
    )
    p90_minutes: float | None
    on_time_rate: float | None = strawberry.field(
        description="Share of completed runs in which every stage with a target met it; null without targets, or "
        "when withheld."
    )
    times_withheld: FigureWithheld | None = strawberry.field(description=TIMES_WITHHELD)
    stages: list[StageAnalytics]
    bottleneck: JourneyStage | None = strawberry.field(description="The stage with the longest median you may read.")
    hand_offs: list[HandOffDelay]

    @classmethod
    async def of_map(cls, info: Info, journey: Any) -> JourneyAnalytics:
        """`journey`: the map's row. Its runs are seen by admins and the departments taking part."""
        viewer = info.context.require_viewer()
        figures = await info.context.loaders.journeys.analytics.load(journey.id)
        stages = await stages_of(info, journey.id)
        reading = Reading(figures, stages, seen=viewer.is_admin or takes_part(viewer, journey.department_ids))
        shown = [reading.stage(s) for s in stages]
        timed = [(a.median_minutes, -a.stage.position, a) for a in shown if a.median_minutes is not None]
        bottleneck = max(timed, key=lambda entry: entry[:2])[2] if timed else None
        for analytics in shown:
            analytics.bottleneck = analytics is bottleneck
        started, completed, cancelled, active, counts_withheld = reading.counts(
            figures.runs_started, figures.runs_completed, figures.runs_cancelled, figures.runs_active
        )
        has_targets = any(s.target_minutes is not None for s in stages)
        median, p90, on_time, times_withheld = reading.times(
            figures.runs_completed,
            figures.median_minutes,
            figures.p90_minutes,
            figures.on_time_rate if has_targets else None,
        )
        return cls(
            runs_started=started,
            runs_completed=completed,
            runs_cancelled=cancelled,
            runs_active=active,
            counts_withheld=counts_withheld,
            median_minutes=median,
            p90_minutes=p90,
            on_time_rate=on_time,
            times_withheld=times_withheld,
            stages=shown,
            bottleneck=bottleneck.stage if bottleneck else None,
            hand_offs=[reading.hand_off(h) for h in figures.hand_offs],
        )


@dataclass
class Reading:
    """One map's figures, as one reader may read them."""

    figures: MapFigures
    stages: list[JourneyStage]
    seen: bool

    def __post_init__(self) -> None:
        measured = {s.position: self.figures.stages.get(s.position) or StageFigures(s.position) for s in self.stages}
        self.by_position = {s.position: s for s in self.stages}
        self.measured = measured
        f = self.figures
        counts = rule.RunCounts(
            started=f.runs_started,
            completed=f.runs_completed,
            cancelled=f.runs_cancelled,
            going=f.runs_active,
            stages={p: rule.StageRuns(m.runs_entered, m.runs_left, m.runs_going) for p, m in measured.items()},
        )
        hand_offs = [rule.HandOffRuns(h.from_position, h.runs) for h in f.hand_offs]
        self.groups = rule.count_groups(counts, hand_offs=hand_offs, seen=self.seen)

    def counts(self, *values: int) -> list[Any]:
        """The values, or Nones; then why."""
        withheld = rule.counts_withheld(values, groups=self.groups, seen=self.seen)
        return [None if withheld else v for v in values] + [withheld]

    def times(self, runs: int, median: float | None, p90: float | None, on_time: float | None) -> list[Any]:
        """Median, p90 and on-time rate over `runs` runs, or Nones; then why."""
        withheld = rule.figure(median, runs, seen=self.seen).withheld
        return [None if withheld else v for v in (median, p90, on_time)] + [withheld]

    def stage(self, stage: JourneyStage) -> StageAnalytics:
        f = self.measured[stage.position]
        entered, left, counts_withheld = self.counts(f.runs_entered, f.runs_left)
        median, p90, on_time, times_withheld = self.times(f.runs_left, f.median_minutes, f.p90_minutes, f.on_time_rate)
        return StageAnalytics(
            stage=stage,
            runs_entered=entered,
            runs_completed=left,
            counts_withheld=counts_withheld,
            median_minutes=median,
            p90_minutes=p90,
            on_time_rate=on_time,
            times_withheld=times_withheld,
            bottleneck=False,
        )

    def hand_off(self, h: Any) -> HandOffDelay:
        withheld = rule.figure(h.median_minutes, h.runs, seen=self.seen).withheld
        runs, median, p90 = (None, None, None) if withheld else (h.runs, h.median_minutes, h.p90_minutes)
        return HandOffDelay(
            from_stage=self.by_position[h.from_position],
            to_stage=self.by_position[h.to_position],
            runs=runs,
            median_minutes=median,
            p90_minutes=p90,
            withheld=withheld,
            from_department_id=h.from_department_id,
            to_department_id=h.to_department_id,
        )
