"""Request mutations: each builds a command, runs its handler, and answers with what it wrote."""

from __future__ import annotations

import strawberry

from domain import commands
from domain.handlers import requests as handle
from domain.workflow import Priority as DomainPriority
from domain.workflow import RequestStatus as DomainStatus
from schema.commands import Outcome, person_refs, reload, run_command
from schema.context import Info
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


async def _request_payload(info: Info, done: Outcome[int]) -> RequestPayload:
    """The request as written (when the unit of work kept it), else read back."""
    request = await written.request_node(info, done.result, done.written)
    return RequestPayload(request=request, user_errors=done.user_errors)


async def _task_payload(info: Info, done: Outcome[int]) -> TaskPayload:
    row = await reload(info.context.loaders.task, done.result)
    return TaskPayload(task=TaskNode.from_row(row) if row else None, user_errors=done.user_errors)


@strawberry.type
class RequestMutations:
    @root_mutation(description="Raise a request. A retry with the same idempotencyKey returns the first.")
    async def request_create(self, info: Info, input: inputs.RequestCreateInput) -> RequestPayload:
        done = await run_command(
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
        return await _request_payload(info, done)

    @root_mutation
    async def request_update(self, info: Info, input: inputs.RequestUpdateInput) -> RequestPayload:
        done = await run_command(
            info,
            handle.update_request,
            lambda: commands.UpdateRequest(
                request_id=decode(input.id, "Request", field="id"),
                expected_version=input.expected_version,
                title=input.title,
                description=input.description,
                priority=DomainPriority(input.priority.value) if input.priority else None,
                fields=_fields(input.fields),
            ),
            person_refs=person_refs(info),
        )
        return await _request_payload(info, done)

    @root_mutation
    async def request_transition(self, info: Info, input: inputs.RequestTransitionInput) -> RequestPayload:
        done = await run_command(
            info,
            handle.transition_request,
            lambda: commands.TransitionRequest(
                request_id=decode(input.id, "Request", field="id"),
                to=DomainStatus(input.to.value),
                expected_version=input.expected_version,
                reason=input.reason,
            ),
        )
        return await _request_payload(info, done)

    @root_mutation
    async def request_assign(self, info: Info, input: inputs.RequestAssignInput) -> RequestPayload:
        done = await run_command(
            info,
            handle.assign_request,
            lambda: commands.AssignRequest(
                request_id=decode(input.id, "Request", field="id"),
                assignee_id=decode_optional(input.assignee_id, "Person", field="assigneeId"),
                expected_version=input.expected_version,
            ),
        )
        return await _request_payload(info, done)

    @root_mutation
    async def request_hand_off(self, info: Info, input: inputs.RequestHandOffInput) -> RequestPayload:
        done = await run_command(
            info,
            handle.hand_off_request,
            lambda: commands.HandOffRequest(
                request_id=decode(input.id, "Request", field="id"),
                to_department_id=decode(input.to_department_id, "Department", field="toDepartmentId"),
                reason=input.reason,
                expected_version=input.expected_version,
            ),
        )
        return await _request_payload(info, done)

    @root_mutation
    async def request_rate(self, info: Info, input: inputs.RequestRateInput) -> RequestPayload:
        done = await run_command(
            info,
            handle.rate_request,
            lambda: commands.RateRequest(
                request_id=decode(input.id, "Request", field="id"), score=input.score, comment=input.comment
            ),
        )
        return await _request_payload(info, done)

    @root_mutation
    async def request_watch(self, info: Info, input: inputs.RequestWatchInput) -> RequestPayload:
        done = await run_command(
            info,
            handle.watch_request,
            lambda: commands.WatchRequest(
                request_id=decode(input.id, "Request", field="id"),
                watching=input.watching,
                person_id=decode_optional(input.person_id, "Person", field="personId"),
            ),
        )
        return await _request_payload(info, done)

    @root_mutation(description="Comment on a request. A retry with the same idempotencyKey returns the first.")
    async def comment_add(self, info: Info, input: inputs.CommentAddInput) -> CommentPayload:
        done = await run_command(
            info,
            handle.add_comment,
            lambda: commands.AddComment(
                request_id=decode(input.request_id, "Request", field="requestId"),
                body=input.body,
                internal=bool(input.internal),
                idempotency_key=input.idempotency_key,
            ),
        )
        comment = await written.comment_node(info, done.result, done.written)
        return CommentPayload(comment=comment, user_errors=done.user_errors)

    @root_mutation
    async def task_add(self, info: Info, input: inputs.TaskAddInput) -> TaskPayload:
        done = await run_command(
            info,
            handle.add_task,
            lambda: commands.AddTask(
                request_id=decode(input.request_id, "Request", field="requestId"),
                title=input.title,
                department_id=decode(input.department_id, "Department", field="departmentId"),
                assignee_id=decode_optional(input.assignee_id, "Person", field="assigneeId"),
                expected_version=input.expected_version,
            ),
        )
        return await _task_payload(info, done)

    @root_mutation
    async def task_complete(self, info: Info, input: inputs.TaskCompleteInput) -> TaskPayload:
        done = await run_command(
            info, handle.complete_task, lambda: commands.CompleteTask(task_id=decode(input.id, "Task", field="id"))
        )
        return await _task_payload(info, done)
