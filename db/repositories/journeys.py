"""Journey maps (written once, then only retired) and runs (locked, saved as a diff)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.repositories.organisation import next_value, next_values
from domain.errors import StaleVersion
from domain.journey_runs import JourneyRun, RunRequest, RunStage, RunStatus
from domain.journeys import JourneyMap, JourneyStage, Touchpoint
from domain.prefill import Prefill
from domain.workflow import DONE

M, ST, TP = t.journey_maps, t.journey_stages, t.journey_touchpoints
DONE_STATUSES = sorted(s.value for s in DONE)


class JourneyMapRepository:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn
        self.seen: list[JourneyMap] = []

    async def next_id(self) -> int:
        return await next_value(self.conn, "journey_maps_id_seq")

    async def next_stage_ids(self, count: int) -> list[int]:
        return await next_values(self.conn, "journey_stages_id_seq", count)

    async def next_touchpoint_ids(self, count: int) -> list[int]:
        return await next_values(self.conn, "journey_touchpoints_id_seq", count)

    async def get(self, map_id: int, *, lock: str | None = None) -> JourneyMap | None:
        query = select(M).where(M.c.id == map_id)
        if lock is not None:
            query = query.with_for_update(read=lock == "share")
        row = (await self.conn.execute(query)).first()
        if row is None:
            return None
        parts = await self.conn.execute(
            select(
                ST.c.id.label("stage_id"),
                ST.c.position.label("stage_position"),
                ST.c.name.label("stage_name"),
                ST.c.target_minutes,
                TP,
            )
            .join(TP, TP.c.stage_id == ST.c.id)
            .where(ST.c.map_id == map_id)
            .order_by(ST.c.position, TP.c.position)
        )
        journey = map_from_rows(row, list(parts))
        self.seen.append(journey)
        return journey

    async def has_run_sponsored_by(self, map_id: int, person_id: int) -> bool:
        R = t.journey_runs
        query = select(exists().where(R.c.map_id == map_id, R.c.sponsor_id == person_id))
        return bool((await self.conn.execute(query)).scalar_one())

    async def add(self, journey: JourneyMap) -> None:
        await self.conn.execute(
            M.insert().values(
                id=journey.id,
                lineage_id=journey.lineage_id,
                version=journey.version,
                name=journey.name,
                description=journey.description,
                department_ids=list(journey.department_ids),
                replaces_id=journey.replaces_id,
                created_by_id=journey.created_by_id,
                created_at=journey.created_at,
                retired_at=journey.retired_at,
            )
        )
        await self.conn.execute(
            ST.insert(),
            [
                {
                    "id": s.id,
                    "map_id": journey.id,
                    "position": s.position,
                    "name": s.name,
                    "target_minutes": s.target_minutes,
                }
                for s in journey.stages
            ],
        )
        await self.conn.execute(
            TP.insert(),
            [
                {
                    "id": tp.id,
                    "stage_id": s.id,
                    "position": tp.position,
                    "name": tp.name,
                    "department_id": tp.department_id,
                    "request_type_id": tp.request_type_id,
                    "pain_points": list(tp.pain_points),
                    "field_values": dict(tp.field_values),
                }
                for s in journey.stages
                for tp in s.touchpoints
            ],
        )
        self.seen.append(journey)

    async def save(self, journey: JourneyMap) -> None:
        """Only retirement changes a stored version."""
        await self.conn.execute(M.update().where(M.c.id == journey.id).values(retired_at=journey.retired_at))


def map_from_rows(row: Any, parts: list[Any]) -> JourneyMap:
    """A map row, and its stage-and-touchpoint rows in order."""
    stages: list[JourneyStage] = []
    for part in parts:
        touchpoint = Touchpoint(
            id=part.id,
            position=part.position,
            name=part.name,
            department_id=part.department_id,
            request_type_id=part.request_type_id,
            pain_points=tuple(part.pain_points),
            field_values=dict(part.field_values),
        )
        if not stages or stages[-1].id != part.stage_id:
            stages.append(
                JourneyStage(
                    id=part.stage_id,
                    position=part.stage_position,
                    name=part.stage_name,
                    target_minutes=part.target_minutes,
                    touchpoints=(),
                )
            )
        stage = stages[-1]
        stages[-1] = JourneyStage(
            id=stage.id,
            position=stage.position,
            name=stage.name,
            target_minutes=stage.target_minutes,
            touchpoints=stage.touchpoints + (touchpoint,),
        )
    return JourneyMap(
        id=row.id,
        lineage_id=row.lineage_id,
        version=row.version,
        name=row.name,
        description=row.description,
        stages=tuple(stages),
        created_by_id=row.created_by_id,
        created_at=row.created_at,
        retired_at=row.retired_at,
        replaces_id=row.replaces_id,
    )


LOCK_RUN = text("""
select r.*, m.department_ids from journey_runs r join journey_maps m on m.id = r.map_id
where r.id = :id for update of r
""")
# The same, found from one of its requests: one round trip whether or not a run opened it.
LOCK_RUN_OF_REQUEST = text("""
select r.*, m.department_ids from journey_runs r join journey_maps m on m.id = r.map_id
where r.id = (select q.journey_run_id from requests q where q.id = :request_id) for update of r
""")

# Read in a statement of its own, AFTER the lock is held: a statement that waited for a row
# lock sees the locked row as now committed, but everything else in it as of when it began.
# Read here, the request statuses include what the transaction we queued behind committed.
RUN_PARTS = text("""
select
  (select coalesce(json_agg(json_build_object('position', s.position, 'entered_at', s.entered_at,
                                              'left_at', s.left_at) order by s.position), '[]')
   from journey_run_stages s where s.run_id = :id) as stages,
  (select coalesce(json_agg(json_build_object('request_id', l.request_id, 'position', l.position,
                                              'touchpoint_id', l.touchpoint_id,
                                              'finished', r.status = any(:done)) order by l.request_id), '[]')
   from journey_run_requests l join requests r on r.id = l.request_id where l.run_id = :id) as requests
""")


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


class JourneyRunRepository:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn
        self.seen: list[JourneyRun] = []
        # run id -> (version, {position: left_at}, {request ids}) as loaded or last written
        self._snapshots: dict[int, tuple[int, dict[int, datetime | None], set[int]]] = {}

    async def next_id(self) -> int:
        return await next_value(self.conn, "journey_runs_id_seq")

    async def get_for_update(self, run_id: int) -> JourneyRun | None:
        return await self._locked(await self.conn.execute(LOCK_RUN, {"id": run_id}))

    async def get_for_update_of_request(self, request_id: int) -> JourneyRun | None:
        """The run that opened the request, locked (None if none did). A request's run never changes."""
        return await self._locked(await self.conn.execute(LOCK_RUN_OF_REQUEST, {"request_id": request_id}))

    async def _locked(self, result: Any) -> JourneyRun | None:
        row = result.first()
        if row is None:
            return None
        parts = (await self.conn.execute(RUN_PARTS, {"id": row.id, "done": DONE_STATUSES})).one()
        run = JourneyRun(
            id=row.id,
            map_id=row.map_id,
            subject=row.subject,
            sponsor_id=row.sponsor_id,
            started_by_id=row.started_by_id,
            start_at=row.start_at,
            started_at=row.started_at,
            prefill=Prefill.from_json(row.prefill),
            department_ids=tuple(row.department_ids),
            status=RunStatus(row.status),
            current_position=row.current_position,
            completed_at=row.completed_at,
            cancelled_at=row.cancelled_at,
            version=row.version,
            stages=[
                RunStage(s["position"], datetime.fromisoformat(s["entered_at"]), _when(s["left_at"]))
                for s in parts.stages
            ],
            requests=[
                RunRequest(r["request_id"], r["position"], r["touchpoint_id"], r["finished"]) for r in parts.requests
            ],
        )
        self._remember(run)
        self.seen.append(run)
        return run

    def _remember(self, run: JourneyRun) -> None:
        self._snapshots[run.id] = (
            run.version,
            {s.position: s.left_at for s in run.stages},
            {r.request_id for r in run.requests},
        )

    async def add(self, run: JourneyRun) -> None:
        await self.conn.execute(
            t.journey_runs.insert().values(
                id=run.id,
                map_id=run.map_id,
                subject=run.subject,
                sponsor_id=run.sponsor_id,
                started_by_id=run.started_by_id,
                start_at=run.start_at,
                prefill=run.prefill.as_json(),
                **_progress(run),
            )
        )
        self._snapshots[run.id] = (run.version, {}, set())
        self.seen.append(run)
        await self._write_children(run)

    async def save(self, run: JourneyRun) -> None:
        loaded_version, _, _ = self._snapshots[run.id]
        if run.version == loaded_version:
            return  # every change to a run steps its version
        R = t.journey_runs
        result = await self.conn.execute(
            R.update().where(R.c.id == run.id, R.c.version == loaded_version).values(**_progress(run))
        )
        if result.rowcount != 1:
            raise StaleVersion("The journey run changed while this change was being made.")
        await self._write_children(run)

    async def _write_children(self, run: JourneyRun) -> None:
        _, stages, links = self._snapshots[run.id]
        S = t.journey_run_stages
        new_stages = [s for s in run.stages if s.position not in stages]
        if new_stages:
            await self.conn.execute(
                S.insert(),
                [
                    {"run_id": run.id, "position": s.position, "entered_at": s.entered_at, "left_at": s.left_at}
                    for s in new_stages
                ],
            )
        for s in run.stages:
            if s.position in stages and stages[s.position] != s.left_at:
                await self.conn.execute(
                    S.update().where(S.c.run_id == run.id, S.c.position == s.position).values(left_at=s.left_at)
                )
        new_links = [r for r in run.requests if r.request_id not in links]
        if new_links:
            await self.conn.execute(
                t.journey_run_requests.insert(),
                [
                    {
                        "request_id": r.request_id,
                        "run_id": run.id,
                        "position": r.position,
                        "touchpoint_id": r.touchpoint_id,
                    }
                    for r in new_links
                ],
            )
        self._remember(run)


def _progress(run: JourneyRun) -> dict[str, Any]:
    return {
        "status": run.status.value,
        "current_position": run.current_position,
        "started_at": run.started_at,
        "completed_at": run.completed_at,
        "cancelled_at": run.cancelled_at,
        "version": run.version,
    }
