"""The demo catalog, created by each department's manager through the catalog handlers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from api.demo.organisation import Directory
from api.demo.services import SERVICES, ServiceSpec, TypeSpec
from db.uow import SqlUnitOfWork
from domain import commands
from domain.catalog import TaskTemplate
from domain.handlers import catalog


@dataclass(frozen=True)
class Offering:
    """A request type as created, with the spec the request stories draw on."""

    service: ServiceSpec
    kind: TypeSpec
    service_id: int
    request_type_id: int


async def build_catalog(engine: AsyncEngine, directory: Directory, *, at: datetime) -> list[Offering]:
    offerings: list[Offering] = []
    for spec in SERVICES:
        manager = directory.manager(spec.owner)
        at += timedelta(minutes=5)
        service_id = await catalog.create_service(
            commands.CreateService(
                name=spec.name,
                owner_department_id=directory.departments[spec.owner],
                description=spec.description,
                collaborating_department_ids=tuple(directory.departments[d] for d in spec.collaborators),
            ),
            uow=SqlUnitOfWork(engine),
            actor=manager,
            now=at,
        )
        for kind in spec.types:
            at += timedelta(minutes=5)
            type_id = await catalog.create_request_type(
                _request_type_command(kind, service_id, directory), uow=SqlUnitOfWork(engine), actor=manager, now=at
            )
            offerings.append(Offering(spec, kind, service_id, type_id))
    return offerings


def _request_type_command(kind: TypeSpec, service_id: int, directory: Directory) -> commands.CreateRequestType:
    return commands.CreateRequestType(
        service_id=service_id,
        name=kind.name,
        fields=tuple(f.definition for f in kind.fields),
        sla=kind.sla,
        task_templates=tuple(TaskTemplate(t.title, directory.departments[t.department]) for t in kind.tasks),
    )
