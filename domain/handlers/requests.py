"""Request commands. Each loads the aggregate under a row lock, acts, and commits.

The three hot ones (raising a request, moving it, commenting) declare their read plans
(domain.read_plans), so they may run without a lock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

from domain import access, commands
from domain.catalog import FieldKind, RequestType
from domain.errors import Conflict, NotFound
from domain.fields import refuse_agent_only, validate_field_values
from domain.handlers import journey_flow
from domain.opening import check_opening, open_request
from domain.people import Person
from domain.ports import UnitOfWork
from domain.read_plans import OpeningReads, RequestReads, reads
from domain.requests import Request

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# Resolves PERSON field values (opaque references) to the subset naming real people.
PersonRefs = Callable[[list[str]], Awaitable[set[str]]]

# The operations idempotency keys are stored under (with each key, so never renamed).
REQUEST_CREATE = "requestCreate"
COMMENT_ADD = "commentAdd"


def fingerprint(cmd: DataclassInstance) -> str:
    """What a retry must repeat exactly for its idempotency key to count as the same call."""
    # Equal commands must match: a dict's repr follows insertion order, so sort nested ones too.
    data = {
        k: sorted(v.items()) if isinstance(v, dict) else v for k, v in asdict(cmd).items() if k != "idempotency_key"
    }
    return hashlib.sha256(repr(sorted(data.items())).encode()).hexdigest()


async def _replayed(
    uow: UnitOfWork, *, actor: Person, operation: str, cmd: DataclassInstance, key: str | None
) -> int | None:
    """The first result's id when this key was already used; the key is reserved otherwise."""
    if not key:
        return None
    if not 1 <= len(key) <= 200:
        raise Conflict(
            "An idempotency key is 1 to 200 characters.", field=("idempotencyKey",), code="INVALID_IDEMPOTENCY_KEY"
        )
    prior = await uow.idempotency.claim(person_id=actor.id, operation=operation, key=key, fingerprint=fingerprint(cmd))
    if prior is None:
        return None
    result_id, prior_fingerprint = prior
    if prior_fingerprint != fingerprint(cmd):
        raise Conflict(
            "This idempotency key was used for a different call.",
            field=("idempotencyKey",),
            code="IDEMPOTENCY_KEY_REUSED",
        )
    return result_id


async def _visible_request(uow: UnitOfWork, actor: Person, request_id: int, field: str = "id") -> Request:
    request = await uow.requests.get_for_update(request_id)
    if request is None or not access.can_view_request(actor, request):
        raise NotFound("No such request.", field=(field,))
    return request


async def _checked_fields(
    uow: UnitOfWork, request_type: RequestType | None, values: dict[str, str | None], person_refs: PersonRefs
) -> dict[str, str]:
    person_keys = {f.key for f in (request_type.fields if request_type else []) if f.kind is FieldKind.PERSON}
    refs = [str(v) for k, v in values.items() if k in person_keys and v]
    known = await person_refs(refs) if refs else set()
    return validate_field_values(request_type, values, person_exists=known.__contains__)


def _opening_reads(cmd: commands.CreateRequest, actor: Person) -> OpeningReads:
    return OpeningReads(
        service_id=cmd.service_id,
        request_type_id=cmd.request_type_id,
        requester_id=cmd.requester_id if cmd.requester_id not in (None, actor.id) else None,
        person_id=actor.id,
        operation=REQUEST_CREATE,
        key=cmd.idempotency_key,
    )


@reads(_opening_reads)
async def create_request(
    cmd: commands.CreateRequest, *, uow: UnitOfWork, actor: Person, now: datetime, person_refs: PersonRefs
) -> int:
    async with uow:
        replayed = await _replayed(uow, actor=actor, operation=REQUEST_CREATE, cmd=cmd, key=cmd.idempotency_key)
        if replayed is not None:
            return replayed
        service = await uow.services.get(cmd.service_id)
        if service is None or not (
            service.active
            or access.can_manage_catalog(actor, service.owner_department_id)
            or actor.works_in(service.owner_department_id)
        ):
            raise NotFound("No such service.", field=("serviceId",))
        request_type = None
        if cmd.request_type_id is not None:
            request_type = await uow.request_types.get(cmd.request_type_id)
            if request_type is None:
                raise NotFound("No such request type.", field=("requestTypeId",))
        requester = actor
        if cmd.requester_id is not None and cmd.requester_id != actor.id:
            named = await uow.people.get(cmd.requester_id)
            if named is None:
                raise NotFound("No such person.", field=("requesterId",))
            requester = named
        check_opening(
            actor=actor,
            requester=requester,
            service=service,
            request_type=request_type,
            title=cmd.title,
            description=cmd.description,
        )
        templates = request_type.task_templates if request_type else []
        # The departments that will work on it: the owner and those its task templates fan out to.
        if not access.works_on(actor, {service.owner_department_id, *(t.department_id for t in templates)}):
            refuse_agent_only(request_type, cmd.fields)
        fields = await _checked_fields(uow, request_type, cmd.fields, person_refs)
        request = open_request(
            id=(await uow.requests.next_ids(1))[0],
            number=await uow.requests.next_number(),
            actor=actor,
            requester=requester,
            service=service,
            request_type=request_type,
            title=cmd.title,
            description=cmd.description,
            priority=cmd.priority,
            fields=fields,
            task_ids=await uow.requests.next_task_ids(len(templates)),
            now=now,
        )
        await uow.requests.add(request)
        if cmd.idempotency_key:
            await uow.idempotency.record(
                person_id=actor.id, operation=REQUEST_CREATE, key=cmd.idempotency_key, result_id=request.id
            )
        await uow.commit()
    return request.id


async def update_request(
    cmd: commands.UpdateRequest, *, uow: UnitOfWork, actor: Person, now: datetime, person_refs: PersonRefs
) -> int:
    async with uow:
        request = await _visible_request(uow, actor, cmd.request_id)
        request.check_version(cmd.expected_version)
        request.check_editable(actor, priority=cmd.priority)
        request_type = await uow.request_types.get(request.request_type_id) if request.request_type_id else None
        fields = None
        if cmd.fields is not None:
            if not access.can_see_agent_only_fields(actor, request):
                refuse_agent_only(request_type, cmd.fields)
            merged = {**request.fields, **cmd.fields}
            fields = await _checked_fields(uow, request_type, merged, person_refs)
        request.update(
            actor,
            now=now,
            title=cmd.title,
            description=cmd.description,
            priority=cmd.priority,
            fields=fields,
            request_type=request_type,
        )
        await uow.requests.save(request)
        await uow.commit()
    return request.id


def _transition_reads(cmd: commands.TransitionRequest, actor: Person) -> RequestReads:
    # A request a journey run opened is not planned for: the run's lock sends it to the locking path.
    return RequestReads(request_id=cmd.request_id, person_id=actor.id)


@reads(_transition_reads)
async def transition_request(cmd: commands.TransitionRequest, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    async with uow:
        # Run first, then request: the lock order of every change to a run (journey_flow).
        run = await journey_flow.lock_run_of(uow, cmd.request_id)
        request = await _visible_request(uow, actor, cmd.request_id)
        request.check_version(cmd.expected_version)
        request.transition(actor, cmd.to, now=now, reason=cmd.reason)
        await uow.requests.save(request)
        if run is not None:
            await journey_flow.request_changed(uow, run, request, actor=actor, now=now)
        await uow.commit()
    return request.id


async def assign_request(cmd: commands.AssignRequest, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    async with uow:
        request = await _visible_request(uow, actor, cmd.request_id)
        request.check_version(cmd.expected_version)
        assignee = None
        if cmd.assignee_id is not None:
            assignee = await uow.people.get(cmd.assignee_id)
            if assignee is None:
                raise NotFound("No such person.", field=("assigneeId",))
        request.assign(actor, assignee, now=now)
        await uow.requests.save(request)
        await uow.commit()
    return request.id


async def hand_off_request(cmd: commands.HandOffRequest, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    async with uow:
        request = await _visible_request(uow, actor, cmd.request_id)
        request.check_version(cmd.expected_version)
        if not await uow.departments.existing_ids([cmd.to_department_id]):
            raise NotFound("No such department.", field=("toDepartmentId",))
        request.hand_off(actor, cmd.to_department_id, reason=cmd.reason, now=now)
        await uow.requests.save(request)
        await uow.commit()
    return request.id


async def rate_request(cmd: commands.RateRequest, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    async with uow:
        request = await _visible_request(uow, actor, cmd.request_id)
        request.rate(actor, score=cmd.score, comment=cmd.comment, now=now)
        await uow.requests.save(request)
        await uow.commit()
    return request.id


async def watch_request(cmd: commands.WatchRequest, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    async with uow:
        request = await _visible_request(uow, actor, cmd.request_id)
        person = actor
        if cmd.person_id is not None and cmd.person_id != actor.id:
            named = await uow.people.get(cmd.person_id)
            if named is None:
                raise NotFound("No such person.", field=("personId",))
            person = named
        request.watch(actor, person, watching=cmd.watching, now=now)
        await uow.requests.save(request)
        await uow.commit()
    return request.id


def _comment_reads(cmd: commands.AddComment, actor: Person) -> RequestReads:
    return RequestReads(
        request_id=cmd.request_id, person_id=actor.id, operation=COMMENT_ADD, key=cmd.idempotency_key, comment_ids=1
    )


@reads(_comment_reads)
async def add_comment(cmd: commands.AddComment, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    async with uow:
        replayed = await _replayed(uow, actor=actor, operation=COMMENT_ADD, cmd=cmd, key=cmd.idempotency_key)
        if replayed is not None:
            return replayed
        request = await _visible_request(uow, actor, cmd.request_id, field="requestId")
        comment = request.add_comment(
            actor, comment_id=await uow.requests.next_comment_id(), body=cmd.body, internal=cmd.internal, now=now
        )
        await uow.requests.save(request)
        if cmd.idempotency_key:
            await uow.idempotency.record(
                person_id=actor.id, operation=COMMENT_ADD, key=cmd.idempotency_key, result_id=comment.id
            )
        await uow.commit()
    return comment.id


async def add_task(cmd: commands.AddTask, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    async with uow:
        request = await _visible_request(uow, actor, cmd.request_id, field="requestId")
        request.check_version(cmd.expected_version)
        if not await uow.departments.existing_ids([cmd.department_id]):
            raise NotFound("No such department.", field=("departmentId",))
        assignee = None
        if cmd.assignee_id is not None:
            assignee = await uow.people.get(cmd.assignee_id)
            if assignee is None:
                raise NotFound("No such person.", field=("assigneeId",))
        task = request.add_task(
            actor,
            task_id=(await uow.requests.next_task_ids(1))[0],
            title=cmd.title,
            department_id=cmd.department_id,
            assignee=assignee,
            now=now,
        )
        await uow.requests.save(request)
        await uow.commit()
    return task.id


async def complete_task(cmd: commands.CompleteTask, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    async with uow:
        request_id = await uow.requests.request_id_of_task(cmd.task_id)
        request = await uow.requests.get_for_update(request_id) if request_id is not None else None
        if request is None or not access.can_view_request(actor, request):
            raise NotFound("No such task.", field=("id",))
        request.complete_task(actor, cmd.task_id, now=now)
        await uow.requests.save(request)
        await uow.commit()
    return cmd.task_id
