"""Shared goals: the goal row, its departments and its key results, written together."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.repositories.organisation import next_value, next_values
from domain.goal_participation import Decision, Participation
from domain.goals import Direction, KeyResult, Metric, Scope, SharedGoal

G, GD, KR = t.shared_goals, t.shared_goal_departments, t.key_results


class GoalRepository:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def next_id(self) -> int:
        return await next_value(self.conn, "shared_goals_id_seq")

    async def next_key_result_ids(self, count: int) -> list[int]:
        return await next_values(self.conn, "key_results_id_seq", count)

    async def get_for_update(self, goal_id: int) -> SharedGoal | None:
        row = (await self.conn.execute(select(G).where(G.c.id == goal_id).with_for_update())).first()
        if row is None:
            return None
        departments = (
            await self.conn.execute(select(GD).where(GD.c.goal_id == goal_id).order_by(GD.c.department_id))
        ).all()
        key_results = await self.conn.execute(select(KR).where(KR.c.goal_id == goal_id).order_by(KR.c.position))
        return SharedGoal(
            id=row.id,
            title=row.title,
            description=row.description,
            period_start=row.period_start,
            period_end=row.period_end,
            department_ids=[r.department_id for r in departments],
            key_results=[key_result_from_row(r) for r in key_results],
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
            participation={
                r.department_id: Decision(Participation(r.participation), r.decided_by, r.decided_at)
                for r in departments
            },
        )

    async def add(self, goal: SharedGoal) -> None:
        await self.conn.execute(
            G.insert().values(
                id=goal.id,
                title=goal.title,
                description=goal.description,
                period_start=goal.period_start,
                period_end=goal.period_end,
                created_by=goal.created_by,
                version=goal.version,
                created_at=goal.created_at,
                updated_at=goal.updated_at,
            )
        )
        await self._write_parts(goal)

    async def save(self, goal: SharedGoal) -> None:
        await self.conn.execute(
            G.update()
            .where(G.c.id == goal.id)
            .values(
                title=goal.title,
                description=goal.description,
                period_start=goal.period_start,
                period_end=goal.period_end,
                version=goal.version,
                updated_at=goal.updated_at,
            )
        )
        await self.conn.execute(delete(GD).where(GD.c.goal_id == goal.id))
        await self.conn.execute(delete(KR).where(KR.c.goal_id == goal.id))
        await self._write_parts(goal)

    async def save_participation(self, goal: SharedGoal) -> None:
        statement = (
            GD.update()
            .where(GD.c.goal_id == goal.id, GD.c.department_id == bindparam("department"))
            .values(participation=bindparam("status"), decided_by=bindparam("by"), decided_at=bindparam("at"))
        )
        await self.conn.execute(
            statement,
            [
                {"department": d, "status": decision.status.value, "by": decision.decided_by, "at": decision.decided_at}
                for d, decision in goal.participation.items()
            ],
        )

    async def _write_parts(self, goal: SharedGoal) -> None:
        await self.conn.execute(
            GD.insert(),
            [
                {"goal_id": goal.id, "department_id": d, **_decision_values(goal.participation.get(d, Decision()))}
                for d in goal.department_ids
            ],
        )
        await self.conn.execute(KR.insert(), [key_result_values(goal.id, i, k) for i, k in enumerate(goal.key_results)])


def _decision_values(decision: Decision) -> dict[str, Any]:
    return {
        "participation": decision.status.value,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at,
    }


def key_result_from_row(row: Any) -> KeyResult:
    return KeyResult(
        id=row.id,
        title=row.title,
        metric=Metric(row.metric),
        direction=Direction(row.direction),
        target=row.target,
        scope=Scope(
            service_ids=tuple(row.scope_service_ids),
            request_type_ids=tuple(row.scope_request_type_ids),
            department_ids=tuple(row.scope_department_ids),
            journey_map_id=row.scope_journey_map_id,
        ),
    )


def key_result_values(goal_id: int, position: int, k: KeyResult) -> dict[str, Any]:
    return {
        "id": k.id,
        "goal_id": goal_id,
        "position": position,
        "title": k.title,
        "metric": k.metric.value,
        "direction": k.direction.value,
        "target": k.target,
        "scope_service_ids": list(k.scope.service_ids),
        "scope_request_type_ids": list(k.scope.request_type_ids),
        "scope_department_ids": list(k.scope.department_ids),
        "scope_journey_map_id": k.scope.journey_map_id,
    }


class CatalogReferences:
    """What a key result's scope may name: services and request types that exist."""

    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def services_of_request_types(self, ids: list[int]) -> dict[int, int]:
        if not ids:
            return {}
        rows = await self.conn.execute(
            select(t.request_types.c.id, t.request_types.c.service_id).where(t.request_types.c.id.in_(set(ids)))
        )
        return {r.id: r.service_id for r in rows}

    async def existing_service_ids(self, ids: list[int]) -> set[int]:
        if not ids:
            return set()
        rows = await self.conn.execute(select(t.services.c.id).where(t.services.c.id.in_(set(ids))))
        return {r.id for r in rows}

    async def existing_journey_map_ids(self, ids: list[int]) -> set[int]:
        if not ids:
            return set()
        rows = await self.conn.execute(select(t.journey_maps.c.id).where(t.journey_maps.c.id.in_(set(ids))))
        return {r.id for r in rows}
