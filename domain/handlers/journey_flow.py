"""How a run moves forward, inside the transaction of the change that moves it.

Locking: every change to a run's progress locks the run row FIRST, then requests. Starting
and cancelling do; so does resolving (or cancelling, or reopening) a request a run opened:
the request handler locks the request's run before the request itself. Two resolutions of a
stage's last two requests therefore queue on the run row; the second sees the first
committed, and only one of them finds the stage finished and enters the next. One lock
order everywhere means no deadlock between a resolution and a cancellation.
"""

from __future__ import annotations

from datetime import datetime

from domain.catalog import RequestType, Service
from domain.fields import validate_field_values
from domain.journey_runs import JourneyRun
from domain.journeys import JourneyMap, JourneyStage, Touchpoint
from domain.opening import open_request
from domain.people import Person
from domain.ports import UnitOfWork
from domain.requests import Request
from domain.text import MAX_TITLE
from domain.workflow import DONE, Priority


def record_in_order(uow: UnitOfWork, *aggregates: JourneyMap | JourneyRun | Request) -> None:
    """Hand the aggregates' events to the unit of work now, so the log reads in the order things
    happened: a resolution, the stage it closed, the stage it opened, then that stage's requests."""
    for aggregate in aggregates:
        uow.record(aggregate.events)
        aggregate.events.clear()


async def lock_run_of(uow: UnitOfWork, request_id: int) -> JourneyRun | None:
    """The run that opened this request, locked; None for a request no run opened."""
    return await uow.journey_runs.get_for_update_of_request(request_id)


async def request_changed(uow: UnitOfWork, run: JourneyRun, request: Request, *, actor: Person, now: datetime) -> None:
    """After a run's request changed status: if it was its stage's last open one, go on."""
    record_in_order(uow, request)
    if run.request_changed(request.id, finished=request.status in DONE, actor=actor, now=now):
        journey = await uow.journey_maps.get(run.map_id)
        assert journey is not None
        record_in_order(uow, run)
        await enter_next_stages(uow, run, journey, actor=actor, now=now)
    await uow.journey_runs.save(run)


async def enter_next_stages(
    uow: UnitOfWork, run: JourneyRun, journey: JourneyMap, *, actor: Person, now: datetime
) -> None:
    """Enter the next stage and open its requests; a stage that opens none is passed through.
    After the last stage the run completes."""
    while (position := run.next_position(journey)) is not None:
        stage = journey.stage_at(position)
        opened, skipped = await _open_stage(uow, run, journey, stage, now=now)
        run.enter(stage, opened=[(tp, r.id) for tp, r in opened], skipped=skipped, actor=actor, now=now)
        record_in_order(uow, run, *(r for _, r in opened))
        if opened:
            return
        run.leave(actor, now)
    run.complete(actor, now)
    record_in_order(uow, run)


async def _open_stage(
    uow: UnitOfWork, run: JourneyRun, journey: JourneyMap, stage: JourneyStage, *, now: datetime
) -> tuple[list[tuple[int, Request]], list[tuple[int, str]]]:
    # Whoever started the run raises its requests, at every stage; the sponsor is their requester.
    starter = await uow.people.get(run.started_by_id)
    sponsor = starter if run.sponsor_id == run.started_by_id else await uow.people.get(run.sponsor_id)
    assert starter is not None and sponsor is not None
    opened: list[tuple[int, Request]] = []
    skipped: list[tuple[int, str]] = []
    for touchpoint in stage.touchpoints:
        if touchpoint.request_type_id is None:
            continue  # a moment of the journey that needs no work from anyone
        request_type, service = await touchpoint_form(uow, touchpoint)
        if not service.active:
            # Retired after the run started: the stage goes on without it rather than stall.
            # Not named: the run's events are read by departments that may not see a retired service.
            skipped.append((touchpoint.id, "Its service is retired."))
            continue
        request = await _open_request(
            uow, run, journey, stage, touchpoint, request_type, service, starter=starter, sponsor=sponsor, now=now
        )
        await uow.requests.add(request)
        opened.append((touchpoint.id, request))
    return opened, skipped


async def touchpoint_form(uow: UnitOfWork, touchpoint: Touchpoint) -> tuple[RequestType, Service]:
    assert touchpoint.request_type_id is not None
    request_type = await uow.request_types.get(touchpoint.request_type_id)
    assert request_type is not None
    service = await uow.services.get(request_type.service_id)
    assert service is not None
    return request_type, service


def _people_checked_at_start(value: str) -> bool:
    # PERSON values were checked against the people table when the run started, and people are
    # never deleted; request types never change. So what was valid then is valid now.
    return True


async def _open_request(
    uow: UnitOfWork,
    run: JourneyRun,
    journey: JourneyMap,
    stage: JourneyStage,
    touchpoint: Touchpoint,
    request_type: RequestType,
    service: Service,
    *,
    starter: Person,
    sponsor: Person,
    now: datetime,
) -> Request:
    """The touchpoint's request, raised by the run's starter for its sponsor (the requester) with
    the run's values."""
    fields = validate_field_values(
        request_type,
        run.prefill.values_for(touchpoint.field_values, request_type),
        person_exists=_people_checked_at_start,
    )
    return open_request(
        id=(await uow.requests.next_ids(1))[0],
        number=await uow.requests.next_number(),
        actor=starter,
        requester=sponsor,
        service=service,
        request_type=request_type,
        title=f"{touchpoint.name}: {run.subject}"[:MAX_TITLE],
        description=describe(run, journey, stage, touchpoint),
        priority=Priority.MEDIUM,
        fields=fields,
        task_ids=await uow.requests.next_task_ids(len(request_type.task_templates)),
        now=now,
        journey_run_id=run.id,
    )


def describe(run: JourneyRun, journey: JourneyMap, stage: JourneyStage, touchpoint: Touchpoint) -> str:
    lines = [
        f"{journey.name}, stage {stage.position + 1} of {len(journey.stages)} ({stage.name}): "
        f"{touchpoint.name} for {run.subject}, starting {run.prefill.start_date}."
    ]
    if touchpoint.pain_points:
        lines.append("Known pain points:")
        lines.extend(f"- {pain}" for pain in touchpoint.pain_points)
    return "\n".join(lines)
