"""JourneyMap.analytics: figures from db.read.journey_analytics, stage by stage."""
from __future__ import annotations

import strawberry

from db.read.journey_analytics import StageFigures
from schema.journeys.types import JourneyStage, stages_of
from schema.organisation.types import DepartmentNode


@strawberry.type
class StageAnalytics:
    stage: JourneyStage
    runs_entered: int
    runs_completed: int = strawberry.field(description="Runs that left the stage (finished its requests).")
    median_minutes: float | None
    p90_minutes: float | None
    on_time_rate: float | None = strawberry.field(description="Share of those runs within the stage's target.")
    bottleneck: bool = strawberry.field(description="The stage with the longest median.")


@strawberry.type(description="From the last resolution in one stage to the first response in the next stage that "
                             "opened requests, per run; grouped by the departments owning those two requests.")
class HandOffDelay:
    from_stage: JourneyStage
    to_stage: JourneyStage
    runs: int
    median_minutes: float
    p90_minutes: float
    from_department_id: strawberry.Private[int]
    to_department_id: strawberry.Private[int]

    @strawberry.field
    async def from_department(self, info: strawberry.Info) -> DepartmentNode:
        return DepartmentNode.from_row(await info.context.loaders.department.load(self.from_department_id))

    @strawberry.field
    async def to_department(self, info: strawberry.Info) -> DepartmentNode:
        return DepartmentNode.from_row(await info.context.loaders.department.load(self.to_department_id))


@strawberry.type
class JourneyAnalytics:
    runs_started: int
    runs_completed: int
    runs_cancelled: int
    runs_active: int
    median_minutes: float | None = strawberry.field(description="Start to completion, completed runs.")
    p90_minutes: float | None
    on_time_rate: float | None = strawberry.field(
        description="Share of completed runs in which every stage with a target met it; null without targets.")
    stages: list[StageAnalytics]
    bottleneck: JourneyStage | None
    hand_offs: list[HandOffDelay]

    @classmethod
    async def of_map(cls, info: strawberry.Info, map_id: int) -> JourneyAnalytics:
        figures = await info.context.loaders.journeys.analytics.load(map_id)
        stages = await stages_of(info, map_id)
        by_position = {s.position: s for s in stages}
        measured = [(s, figures.stages.get(s.position) or StageFigures(s.position)) for s in stages]
        timed = [(f.median_minutes, -s.position, s) for s, f in measured if f.median_minutes is not None]
        bottleneck = max(timed, key=lambda entry: entry[:2])[2] if timed else None
        has_targets = any(s.target_minutes is not None for s in stages)
        return cls(
            runs_started=figures.runs_started, runs_completed=figures.runs_completed,
            runs_cancelled=figures.runs_cancelled, runs_active=figures.runs_active,
            median_minutes=figures.median_minutes, p90_minutes=figures.p90_minutes,
            on_time_rate=figures.on_time_rate if has_targets else None, bottleneck=bottleneck,
            stages=[StageAnalytics(stage=s, runs_entered=f.runs_entered, runs_completed=f.runs_left,
                                   median_minutes=f.median_minutes, p90_minutes=f.p90_minutes,
                                   on_time_rate=f.on_time_rate, bottleneck=s is bottleneck) for s, f in measured],
            hand_offs=[HandOffDelay(from_stage=by_position[h.from_position], to_stage=by_position[h.to_position],
                                    runs=h.runs, median_minutes=h.median_minutes, p90_minutes=h.p90_minutes,
                                    from_department_id=h.from_department_id, to_department_id=h.to_department_id)
                       for h in figures.hand_offs])
