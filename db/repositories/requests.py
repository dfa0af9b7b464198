"""The Request aggregate: loaded whole under a row lock, saved as a diff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.mapping import request_from_row, request_values, task_from_row, task_values
from db.repositories.organisation import next_value, next_values
from domain.errors import StaleVersion
from domain.requests import Request

# Writers to one request queue up on its row lock, so rules such as "no resolving with open
# tasks" hold. The tasks and watchers are read by a second statement, after the lock is held:
# a statement that waited for a lock re-reads only the locked row, and subqueries in it would
# still show the tasks as they were before the wait (the other writer's changes unseen).
LOCK_REQUEST = text("select r.* from requests r where r.id = :id for update")
LOAD_CHILDREN = text("""
select
  coalesce((select json_agg(tk order by tk.id) from tasks tk where tk.request_id = :id), '[]') as tasks_json,
  coalesce((select array_agg(w.person_id) from watchers w where w.request_id = :id), '{}') as watcher_ids
""")

_TIMESTAMPS = ("created_at", "completed_at")


def task_row(data: dict[str, Any]) -> dict[str, Any]:
    for key in _TIMESTAMPS:
        if data.get(key) is not None:
            data[key] = datetime.fromisoformat(data[key])
    return data


class RequestRepository:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn
        self.seen: list[Request] = []
        self._snapshots: dict[int, tuple[int, dict[int, dict[str, Any]], set[int]]] = {}

    async def next_ids(self, count: int) -> list[int]:
        return await next_values(self.conn, "requests_id_seq", count)

    async def next_number(self) -> int:
        return await next_value(self.conn, "request_number_seq")

    async def next_comment_id(self) -> int:
        return await next_value(self.conn, "comments_id_seq")

    async def next_task_ids(self, count: int) -> list[int]:
        return await next_values(self.conn, "tasks_id_seq", count)

    async def request_id_of_task(self, task_id: int) -> int | None:
        query = select(t.tasks.c.request_id).where(t.tasks.c.id == task_id)
        return (await self.conn.execute(query)).scalar_one_or_none()

    async def get_for_update(self, request_id: int) -> Request | None:
        row = (await self.conn.execute(LOCK_REQUEST, {"id": request_id})).first()
        if row is None:
            return None
        children = (await self.conn.execute(LOAD_CHILDREN, {"id": request_id})).one()
        tasks = [task_from_row(task_row(d)) for d in children.tasks_json]
        request = request_from_row(row, tasks, set(children.watcher_ids))
        self._remember(request)
        return request

    def _remember(self, request: Request) -> None:
        self.seen.append(request)
        self._snapshots[request.id] = (
            request.version,
            {tk.id: task_values(tk) for tk in request.tasks},
            set(request.watcher_ids),
        )

    async def add(self, request: Request) -> None:
        await self.conn.execute(t.requests.insert().values(**request_values(request)))
        self._snapshots[request.id] = (request.version, {}, set())
        self.seen.append(request)
        await self._write_children(request)

    async def save(self, request: Request) -> None:
        loaded_version = self._snapshots[request.id][0]
        result = await self.conn.execute(
            t.requests.update()
            .where(t.requests.c.id == request.id, t.requests.c.version == loaded_version)
            .values(**{k: v for k, v in request_values(request).items() if k not in ("id", "number")})
        )
        if result.rowcount != 1:
            raise StaleVersion("The request changed while this change was being made.")
        await self._write_children(request)

    async def _write_children(self, request: Request) -> None:
        version, old_tasks, old_watchers = self._snapshots[request.id]
        await self._write_tasks(request, old_tasks)
        await self._write_watchers(request, old_watchers)
        if request.new_comments:
            await self.conn.execute(
                t.comments.insert(),
                [
                    {
                        "id": c.id,
                        "request_id": c.request_id,
                        "author_id": c.author_id,
                        "body": c.body,
                        "internal": c.internal,
                        "created_at": c.created_at,
                    }
                    for c in request.new_comments
                ],
            )
            request.new_comments.clear()
        if request.new_handoffs:
            await self.conn.execute(
                t.handoffs.insert(),
                [
                    {
                        "request_id": request.id,
                        "from_department_id": h.from_department_id,
                        "to_department_id": h.to_department_id,
                        "reason": h.reason,
                        "actor_id": h.actor_id,
                        "at": h.at,
                    }
                    for h in request.new_handoffs
                ],
            )
            request.new_handoffs.clear()
        self._snapshots[request.id] = (
            request.version,
            {tk.id: task_values(tk) for tk in request.tasks},
            set(request.watcher_ids),
        )

    async def _write_tasks(self, request: Request, old: dict[int, dict[str, Any]]) -> None:
        current = [task_values(tk) for tk in request.tasks]
        added = [v for v in current if v["id"] not in old]
        if added:
            await self.conn.execute(t.tasks.insert(), added)
        for values in current:
            if values["id"] in old and old[values["id"]] != values:
                await self.conn.execute(
                    t.tasks.update()
                    .where(t.tasks.c.id == values["id"])
                    .values(
                        status=values["status"],
                        assignee_id=values["assignee_id"],
                        completed_at=values["completed_at"],
                        title=values["title"],
                    )
                )

    async def _write_watchers(self, request: Request, old: set[int]) -> None:
        added = request.watcher_ids - old
        removed = old - request.watcher_ids
        if added:
            await self.conn.execute(
                t.watchers.insert(), [{"request_id": request.id, "person_id": p} for p in sorted(added)]
            )
        if removed:
            await self.conn.execute(
                delete(t.watchers).where(
                    t.watchers.c.request_id == request.id, t.watchers.c.person_id.in_(sorted(removed))
                )
            )
