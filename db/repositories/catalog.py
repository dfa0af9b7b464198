"""Services and request types."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.mapping import request_type_from_row, request_type_values, service_from_row
from db.repositories.organisation import next_value
from domain.catalog import RequestType, Service


class ServiceRepository:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def next_id(self) -> int:
        return await next_value(self.conn, "services_id_seq")

    async def get(self, service_id: int, *, for_update: bool = False) -> Service | None:
        query = select(t.services).where(t.services.c.id == service_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.conn.execute(query)).first()
        if row is None:
            return None
        collaborators = await self.conn.execute(
            select(t.service_collaborators.c.department_id).where(t.service_collaborators.c.service_id == service_id)
        )
        return service_from_row(row, [r.department_id for r in collaborators])

    async def add(self, service: Service) -> None:
        await self.conn.execute(
            t.services.insert().values(
                id=service.id,
                name=service.name,
                description=service.description,
                active=service.active,
                owner_department_id=service.owner_department_id,
                created_at=service.created_at,
                updated_at=service.updated_at,
            )
        )
        await self._write_collaborators(service)

    async def save(self, service: Service) -> None:
        await self.conn.execute(
            t.services.update()
            .where(t.services.c.id == service.id)
            .values(
                name=service.name, description=service.description, active=service.active, updated_at=service.updated_at
            )
        )
        await self.conn.execute(
            delete(t.service_collaborators).where(t.service_collaborators.c.service_id == service.id)
        )
        await self._write_collaborators(service)

    async def _write_collaborators(self, service: Service) -> None:
        if service.collaborating_department_ids:
            await self.conn.execute(
                t.service_collaborators.insert(),
                [{"service_id": service.id, "department_id": d} for d in service.collaborating_department_ids],
            )


class RequestTypeRepository:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def next_id(self) -> int:
        return await next_value(self.conn, "request_types_id_seq")

    async def get(self, request_type_id: int) -> RequestType | None:
        row = (await self.conn.execute(select(t.request_types).where(t.request_types.c.id == request_type_id))).first()
        return request_type_from_row(row) if row else None

    async def add(self, request_type: RequestType) -> None:
        await self.conn.execute(t.request_types.insert().values(**request_type_values(request_type)))
