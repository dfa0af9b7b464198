"""Services and request types: managers run their own department's catalog."""

from __future__ import annotations

from datetime import datetime

from domain import commands
from domain.access import can_manage_catalog
from domain.catalog import new_request_type, new_service
from domain.errors import Forbidden, NotFound
from domain.events import Event
from domain.people import Person
from domain.ports import UnitOfWork


async def _require_departments(uow: UnitOfWork, ids: list[int], field: str) -> None:
    missing = set(ids) - await uow.departments.existing_ids(ids)
    if missing:
        raise NotFound("No such department.", field=(field,))


async def create_service(cmd: commands.CreateService, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    if not can_manage_catalog(actor, cmd.owner_department_id):
        raise Forbidden("Only the department's managers add services to its catalog.", field=("ownerDepartmentId",))
    async with uow:
        await _require_departments(uow, [cmd.owner_department_id], "ownerDepartmentId")
        await _require_departments(uow, list(cmd.collaborating_department_ids), "collaboratingDepartmentIds")
        service = new_service(
            id=await uow.services.next_id(),
            name=cmd.name,
            description=cmd.description,
            owner_department_id=cmd.owner_department_id,
            collaborating_department_ids=list(cmd.collaborating_department_ids),
            now=now,
        )
        await uow.services.add(service)
        uow.record(
            [
                Event(
                    "ServiceCreated",
                    now,
                    actor.id,
                    {"serviceId": service.id, "name": service.name},
                    department_ids=(service.owner_department_id,),
                )
            ]
        )
        await uow.commit()
    return service.id


async def update_service(cmd: commands.UpdateService, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    async with uow:
        service = await uow.services.get(cmd.service_id, for_update=True)
        if service is None:
            raise NotFound("No such service.", field=("id",))
        if not can_manage_catalog(actor, service.owner_department_id):
            raise Forbidden("Only the owning department's managers change this service.")
        if cmd.collaborating_department_ids is not None:
            await _require_departments(uow, list(cmd.collaborating_department_ids), "collaboratingDepartmentIds")
        changes = service.update(
            name=cmd.name,
            description=cmd.description,
            active=cmd.active,
            collaborating_department_ids=(
                list(cmd.collaborating_department_ids) if cmd.collaborating_department_ids is not None else None
            ),
            now=now,
        )
        if changes:
            await uow.services.save(service)
            uow.record(
                [
                    Event(
                        "ServiceUpdated",
                        now,
                        actor.id,
                        {"serviceId": service.id, "changes": changes},
                        department_ids=(service.owner_department_id,),
                    )
                ]
            )
        await uow.commit()
    return service.id


async def create_request_type(cmd: commands.CreateRequestType, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    async with uow:
        service = await uow.services.get(cmd.service_id)
        if service is None:
            raise NotFound("No such service.", field=("serviceId",))
        if not can_manage_catalog(actor, service.owner_department_id):
            raise Forbidden("Only the owning department's managers add request types.")
        await _require_departments(uow, [t.department_id for t in cmd.task_templates], "taskTemplates")
        request_type = new_request_type(
            id=await uow.request_types.next_id(),
            service=service,
            name=cmd.name,
            fields=list(cmd.fields),
            sla=cmd.sla,
            task_templates=list(cmd.task_templates),
            now=now,
        )
        await uow.request_types.add(request_type)
        uow.record(
            [
                Event(
                    "RequestTypeCreated",
                    now,
                    actor.id,
                    {"requestTypeId": request_type.id, "serviceId": service.id, "name": request_type.name},
                    department_ids=(service.owner_department_id,),
                )
            ]
        )
        await uow.commit()
    return request_type.id
