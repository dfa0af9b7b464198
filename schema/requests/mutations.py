"""Request mutations: each builds a command, runs its handler, and reads the result back."""

from __future__ import annotations

import strawberry

from domain import commands
from domain.handlers import requests as handle
from domain.workflow import Priority as DomainPriority
from domain.workflow import RequestStatus as DomainStatus
from schema.commands import execute, person_refs, reload, run_command
from schema.errors import UserError
from schema.ids import decode, decode_optional
from schema.permissions import root_mutation
from schema.requests import inputs, written
from schema.requests.types import CommentNode, RequestNode, TaskNode


@strawberry.type
class RequestPayload:
    request: RequestNode | None
    user_errors: list[UserError]


@strawberry.type
class CommentPayload:
    comment: CommentNode | None
    user_errors: list[UserError]


@strawberry.type
class TaskPayload:
    task: TaskNode | None
    user_errors: list[UserError]


def _fields(values: list[inputs.FieldValueInput] | None) -> dict[str, str | None] | None:
    return None if values is None else {v.key: v.value for v in values}


async def _request_payload(info: strawberry.Info, action) -> RequestPayload:
    request_id, errors = await execute(info, action)
    row = await reload(info.context.loaders.request, request_id)
    return RequestPayload(request=RequestNode.from_row(row) if row else None, user_errors=errors)


@strawberry.type
class RequestMutations:
    @root_mutation(description="Raise a request. A retry with the same idempotencyKey returns the first.")
    async def request_create(self, info: strawberry.Info, input: inputs.RequestCreateInput) -> RequestPayload:
        request_id, uow, errors = await run_command(
            info,
            handle.create_request,
            lambda: commands.CreateRequest(
                service_id=decode(input.service_id, "Service", field="serviceId"),
                request_type_id=decode_optional(input.request_type_id, "RequestType", field="requestTypeId"),
                title=input.title,
                description=input.description or "",
                priority=DomainPriority(input.priority.value) if input.priority else DomainPriority.MEDIUM,
                fields=_fields(input.fields) or {},
                requester_id=decode_optional(input.requester_id, "Person", field="requesterId"),
                idempotency_key=input.idempotency_key,
            ),
            person_refs=person_refs(info),
        )
        return RequestPayload(request=await written.request_node(info, request_id, uow), user_errors=errors)

    @root_mutation
    async def request_update(self, info: strawberry.Info, input: inputs.RequestUpdateInput) -> RequestPayload:
        return await _request_payload(
            info,
            lambda **deps: handle.update_request(
                commands.UpdateRequest(
                    request_id=decode(input.id, "Request", field="id"),
                    expected_version=input.expected_version,
                    title=input.title,
                    description=input.description,
                    priority=DomainPriority(input.priority.value) if input.priority else None,
                    fields=_fields(input.fields),
                ),
                person_refs=person_refs(info),
                **deps,
            ),
        )

    @root_mutation
    async def request_transition(self, info: strawberry.Info, input: inputs.RequestTransitionInput) -> RequestPayload:
        request_id, uow, errors = await run_command(
            info,
            handle.transition_request,
            lambda: commands.TransitionRequest(
                request_id=decode(input.id, "Request", field="id"),
                to=DomainStatus(input.to.value),
                expected_version=input.expected_version,
                reason=input.reason,
            ),
        )
        return RequestPayload(request=await written.request_node(info, request_id, uow), user_errors=errors)

    @root_mutation
    async def request_assign(self, info: strawberry.Info, input: inputs.RequestAssignInput) -> RequestPayload:
        return await _request_payload(
            info,
            lambda **deps: handle.assign_request(
                commands.AssignRequest(
                    request_id=decode(input.id, "Request", field="id"),
                    assignee_id=decode_optional(input.assignee_id, "Person", field="assigneeId"),
                    expected_version=input.expected_version,
                ),
                **deps,
            ),
        )

    @root_mutation
    async def request_hand_off(self, info: strawberry.Info, input: inputs.RequestHandOffInput) -> RequestPayload:
        return await _request_payload(
            info,
            lambda **deps: handle.hand_off_request(
                commands.HandOffRequest(
                    request_id=decode(input.id, "Request", field="id"),
                    to_department_id=decode(input.to_department_id, "Department", field="toDepartmentId"),
                    reason=input.reason,
                    expected_version=input.expected_version,
                ),
                **deps,
            ),
        )

    @root_mutation
    async def request_rate(self, info: strawberry.Info, input: inputs.RequestRateInput) -> RequestPayload:
        return await _request_payload(
            info,
            lambda **deps: handle.rate_request(
                commands.RateRequest(
                    request_id=decode(input.id, "Request", field="id"), score=input.score, comment=input.comment
                ),
                **deps,
            ),
        )

    @root_mutation
    async def request_watch(self, info: strawberry.Info, input: inputs.RequestWatchInput) -> RequestPayload:
        return await _request_payload(
            info,
            lambda **deps: handle.watch_request(
                commands.WatchRequest(
                    request_id=decode(input.id, "Request", field="id"),
                    watching=input.watching,
                    person_id=decode_optional(input.person_id, "Person", field="personId"),
                ),
                **deps,
            ),
        )

    @root_mutation(description="Comment on a request. A retry with the same idempotencyKey returns the first.")
    async def comment_add(self, info: strawberry.Info, input: inputs.CommentAddInput) -> CommentPayload:
        comment_id, uow, errors = await run_command(
            info,
            handle.add_comment,
            lambda: commands.AddComment(
                request_id=decode(input.request_id, "Request", field="requestId"),
                body=input.body,
                internal=bool(input.internal),
                idempotency_key=input.idempotency_key,
            ),
        )
        return CommentPayload(comment=await written.comment_node(info, comment_id, uow), user_errors=errors)

    @root_mutation
    async def task_add(self, info: strawberry.Info, input: inputs.TaskAddInput) -> TaskPayload:
        task_id, errors = await execute(
            info,
            lambda **deps: handle.add_task(
                commands.AddTask(
                    request_id=decode(input.request_id, "Request", field="requestId"),
                    title=input.title,
                    department_id=decode(input.department_id, "Department", field="departmentId"),
                    assignee_id=decode_optional(input.assignee_id, "Person", field="assigneeId"),
                    expected_version=input.expected_version,
                ),
                **deps,
            ),
        )
        return await _task_payload(info, task_id, errors)

    @root_mutation
    async def task_complete(self, info: strawberry.Info, input: inputs.TaskCompleteInput) -> TaskPayload:
        task_id, errors = await execute(
            info,
            lambda **deps: handle.complete_task(
                commands.CompleteTask(task_id=decode(input.id, "Task", field="id")), **deps
            ),
        )
        return await _task_payload(info, task_id, errors)


async def _task_payload(info: strawberry.Info, task_id: int | None, errors: list[UserError]) -> TaskPayload:
    row = await reload(info.context.loaders.task, task_id)
    return TaskPayload(task=TaskNode.from_row(row) if row else None, user_errors=errors)
