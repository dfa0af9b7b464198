"""Catalog mutations: managers run their department's catalog."""

from __future__ import annotations

from collections.abc import Callable

import strawberry

from domain import commands
from domain.catalog import FieldDefinition, FieldKind, SlaPolicy, TaskTemplate
from domain.handlers import catalog as handle
from schema.catalog import inputs
from schema.catalog.types import RequestTypeNode, ServiceNode
from schema.commands import Handler, reload, run_command
from schema.context import Info
from schema.errors import UserError
from schema.ids import decode
from schema.permissions import root_mutation


@strawberry.type
class ServicePayload:
    service: ServiceNode | None
    user_errors: list[UserError]


@strawberry.type
class RequestTypePayload:
    request_type: RequestTypeNode | None
    user_errors: list[UserError]


def _department_ids(values: list[strawberry.ID] | None, field: str) -> tuple[int, ...] | None:
    if values is None:
        return None
    return tuple(decode(v, "Department", field=field) for v in values)


def _request_type_command(input: inputs.RequestTypeCreateInput) -> commands.CreateRequestType:
    return commands.CreateRequestType(
        service_id=decode(input.service_id, "Service", field="serviceId"),
        name=input.name,
        fields=tuple(
            FieldDefinition(
                key=f.key,
                label=f.label,
                kind=FieldKind(f.kind.value),
                required=f.required,
                options=tuple(f.options) if f.options else None,
                agent_only=f.agent_only,
            )
            for f in input.fields or ()
        ),
        sla=SlaPolicy(input.sla.response_minutes, input.sla.resolution_minutes) if input.sla else None,
        task_templates=tuple(
            TaskTemplate(title=t.title, department_id=decode(t.department_id, "Department", field="taskTemplates"))
            for t in input.task_templates or ()
        ),
    )


async def _service_payload(info: Info, handler: Handler, make_command: Callable[[], object]) -> ServicePayload:
    done = await run_command(info, handler, make_command)
    row = await reload(info.context.loaders.service, done.result)
    return ServicePayload(service=ServiceNode.from_row(row) if row else None, user_errors=done.user_errors)


@strawberry.type
class CatalogMutations:
    @root_mutation
    async def service_create(self, info: Info, input: inputs.ServiceCreateInput) -> ServicePayload:
        return await _service_payload(
            info,
            handle.create_service,
            lambda: commands.CreateService(
                name=input.name,
                description=input.description or "",
                owner_department_id=decode(input.owner_department_id, "Department", field="ownerDepartmentId"),
                collaborating_department_ids=_department_ids(
                    input.collaborating_department_ids, "collaboratingDepartmentIds"
                )
                or (),
            ),
        )

    @root_mutation
    async def service_update(self, info: Info, input: inputs.ServiceUpdateInput) -> ServicePayload:
        return await _service_payload(
            info,
            handle.update_service,
            lambda: commands.UpdateService(
                service_id=decode(input.id, "Service", field="id"),
                name=input.name,
                description=input.description,
                active=input.active,
                collaborating_department_ids=_department_ids(
                    input.collaborating_department_ids, "collaboratingDepartmentIds"
                ),
            ),
        )

    @root_mutation
    async def request_type_create(self, info: Info, input: inputs.RequestTypeCreateInput) -> RequestTypePayload:
        done = await run_command(info, handle.create_request_type, lambda: _request_type_command(input))
        row = await reload(info.context.loaders.request_type, done.result)
        return RequestTypePayload(
            request_type=RequestTypeNode.from_row(row) if row else None, user_errors=done.user_errors
        )
