"""Journey commands: mapping journeys, starting and cancelling runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from types import TracebackType
from typing import Literal

from domain import journey_access as access
from domain import journey_commands as commands
from domain.catalog import RequestType, Service
from domain.errors import DomainError, Forbidden, InvalidField, NotFound
from domain.fields import validate_field_values
from domain.handlers.journey_flow import enter_next_stages, record_in_order, touchpoint_form
from domain.journey_runs import new_run
from domain.journeys import JourneyMap, MapSpec, check_spec, new_journey_map, touchpoint_count
from domain.people import Person
from domain.ports import UnitOfWork
from domain.prefill import Prefill, check_templates, literal_values

# Which of some PERSON values (opaque references) name real people; a person's reference.
PersonRefs = Callable[[list[str]], Awaitable[set[str]]]
PersonRef = Callable[[int], str]


async def create_map(
    cmd: commands.CreateJourneyMap, *, uow: UnitOfWork, actor: Person, now: datetime, person_refs: PersonRefs
) -> int:
    if not access.can_create_map(actor, cmd.spec.department_ids):
        raise Forbidden("Admins, and managers of a department taking part in it, map a journey.", field=("stages",))
    async with uow:
        journey = await _built(uow, cmd.spec, actor=actor, now=now, person_refs=person_refs)
        await uow.journey_maps.add(journey)
        record_in_order(uow, journey)
        await uow.commit()
    return journey.id


async def revise_map(
    cmd: commands.ReviseJourneyMap, *, uow: UnitOfWork, actor: Person, now: datetime, person_refs: PersonRefs
) -> int:
    """A new version replaces the map; runs already started go on with the version they started on."""
    async with uow:
        current = await _managed_map(uow, cmd.map_id, actor)
        if not current.active:
            raise DomainError("Only the current version of a map can be revised.", field=("id",), code="MAP_RETIRED")
        if not access.can_create_map(actor, cmd.spec.department_ids):
            raise Forbidden("A manager maps only journeys their department takes part in.", field=("stages",))
        revised = await _built(uow, cmd.spec, actor=actor, now=now, person_refs=person_refs, previous=current)
        current.retire(actor, now=now, replaced_by=revised.id)
        await uow.journey_maps.save(current)
        await uow.journey_maps.add(revised)
        record_in_order(uow, current, revised)
        await uow.commit()
    return revised.id


async def retire_map(cmd: commands.RetireJourneyMap, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    """No new runs start on a retired map; runs already started finish on it."""
    async with uow:
        journey = await _managed_map(uow, cmd.map_id, actor)
        journey.retire(actor, now=now)
        await uow.journey_maps.save(journey)
        record_in_order(uow, journey)
        await uow.commit()
    return journey.id


async def _managed_map(uow: UnitOfWork, map_id: int, actor: Person) -> JourneyMap:
    journey = await uow.journey_maps.get(map_id, lock="update")
    if journey is None or not access.can_view_map(actor, journey):
        raise NotFound("No such journey map.", field=("id",))
    if not access.can_manage_map(actor, journey):
        raise Forbidden("Only admins and managers of a department taking part change this map.", field=("id",))
    return journey


async def _built(
    uow: UnitOfWork,
    spec: MapSpec,
    *,
    actor: Person,
    now: datetime,
    person_refs: PersonRefs,
    previous: JourneyMap | None = None,
) -> JourneyMap:
    """Check the spec against the catalog, then make the map with fresh ids."""
    known = await uow.departments.existing_ids(spec.department_ids)
    for i, stage in enumerate(spec.stages):
        for j, tp in enumerate(stage.touchpoints):
            if tp.department_id not in known:
                raise NotFound("No such department.", field=("stages", str(i), "touchpoints", str(j), "departmentId"))
    forms = await _forms(uow, {tp.request_type_id for s in spec.stages for tp in s.touchpoints} - {None})
    check_spec(spec, request_type_owners={i: service.owner_department_id for i, (_, service) in forms.items()})
    people = await person_refs(literal_values(tp.field_values for s in spec.stages for tp in s.touchpoints))
    for i, stage in enumerate(spec.stages):
        for j, tp in enumerate(stage.touchpoints):
            if tp.request_type_id is not None:
                with _at(("stages", str(i), "touchpoints", str(j))):
                    check_templates(tp.field_values, forms[tp.request_type_id][0], person_exists=people.__contains__)
    return new_journey_map(
        spec,
        id=await uow.journey_maps.next_id(),
        stage_ids=await uow.journey_maps.next_stage_ids(len(spec.stages)),
        touchpoint_ids=await uow.journey_maps.next_touchpoint_ids(touchpoint_count(spec)),
        actor=actor,
        now=now,
        previous=previous,
    )


async def _forms(uow: UnitOfWork, request_type_ids: set[int | None]) -> dict[int, tuple[RequestType, Service]]:
    forms = {}
    for type_id in sorted(i for i in request_type_ids if i is not None):
        request_type = await uow.request_types.get(type_id)
        if request_type is not None:
            service = await uow.services.get(request_type.service_id)
            assert service is not None
            forms[type_id] = (request_type, service)
    return forms


class _at:
    """Prefix the field path of a DomainError raised inside, so it names the touchpoint."""

    def __init__(self, path: tuple[str, ...]):
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> Literal[False]:
        if isinstance(error, DomainError):
            error.field = self.path + (error.field or ())
        return False


async def start_run(
    cmd: commands.StartJourneyRun,
    *,
    uow: UnitOfWork,
    actor: Person,
    now: datetime,
    person_refs: PersonRefs,
    person_ref: PersonRef,
) -> int:
    async with uow:
        # Shared: the map cannot be retired or revised while this run starts on it.
        journey = await uow.journey_maps.get(cmd.map_id, lock="share")
        await _require_startable(uow, journey, actor)
        assert journey is not None
        sponsor = await _sponsor(uow, cmd.sponsor_id, journey, actor)
        start_at = cmd.start_at or now
        prefill = Prefill(
            subject=cmd.subject.strip(),
            start_date=start_at.date().isoformat(),
            sponsor_ref=person_ref(sponsor.id),
            fields=dict(cmd.fields),
        )
        run = new_run(
            id=await uow.journey_runs.next_id(),
            journey=journey,
            subject=cmd.subject,
            sponsor=sponsor,
            actor=actor,
            start_at=start_at,
            prefill=prefill,
            now=now,
        )
        await _check_forms(uow, journey, prefill, person_refs)
        await uow.journey_runs.add(run)
        record_in_order(uow, run)
        await enter_next_stages(uow, run, journey, actor=actor, now=now)
        await uow.journey_runs.save(run)
        await uow.commit()
    return run.id


async def _require_startable(uow: UnitOfWork, journey: JourneyMap | None, actor: Person) -> None:
    if journey is None:
        raise NotFound("No such journey map.", field=("mapId",))
    if access.can_start_run(actor, journey):
        return
    sponsors = await uow.journey_maps.has_run_sponsored_by(journey.id, actor.id)
    if not access.can_view_map(actor, journey, sponsors_a_run=sponsors):
        raise NotFound("No such journey map.", field=("mapId",))
    raise Forbidden("Staff of a department taking part in the journey start its runs.", field=("mapId",))


async def _sponsor(uow: UnitOfWork, sponsor_id: int | None, journey: JourneyMap, actor: Person) -> Person:
    """Whom the run is for: the starter, unless they name someone they may (access.can_sponsor)."""
    if sponsor_id is None or sponsor_id == actor.id:
        return actor
    sponsor = await uow.people.get(sponsor_id)
    if sponsor is None:
        raise NotFound("No such person.", field=("sponsorId",))
    if not access.can_sponsor(actor, sponsor, journey):
        raise DomainError(
            "A run is for you, a requester, or someone working in a department taking part in the "
            "journey; only admins name anyone else.",
            field=("sponsorId",),
            code="SPONSOR_NOT_ALLOWED",
        )
    return sponsor


async def _check_forms(uow: UnitOfWork, journey: JourneyMap, prefill: Prefill, person_refs: PersonRefs) -> None:
    """Every request the run will open, in every stage, must be possible now: a run never
    stalls halfway on a form it cannot fill."""
    forms = [(tp, *await touchpoint_form(uow, tp)) for tp in journey.touchpoints if tp.request_type_id is not None]
    used = {f.key for _, request_type, _ in forms for f in request_type.fields}
    for key in prefill.fields:
        if key not in used:
            raise InvalidField(
                f"No form of this journey has a field '{key}'.", field=("fields", key), code="UNKNOWN_FIELD"
            )
    values = [(tp, request_type, prefill.values_for(tp.field_values, request_type)) for tp, request_type, _ in forms]
    known = await person_refs([str(v) for _, _, vs in values for v in vs.values() if v])
    for (tp, request_type, filled), (_, _, service) in zip(values, forms, strict=True):
        if not service.active:
            # The service is not named: the starter may not see a retired service.
            raise DomainError(
                f"'{tp.name}' opens a request on a retired service; revise the map.",
                field=("mapId",),
                code="TOUCHPOINT_SERVICE_INACTIVE",
            )
        try:
            validate_field_values(request_type, filled, person_exists=known.__contains__)
        except InvalidField as error:
            error.message = f"{tp.name}: {error.message}"
            raise


async def cancel_run(cmd: commands.CancelJourneyRun, *, uow: UnitOfWork, actor: Person, now: datetime) -> int:
    """Cancels the run and every request it still has open."""
    async with uow:
        run = await uow.journey_runs.get_for_update(cmd.run_id)
        if run is None or not access.can_view_run(actor, run):
            raise NotFound("No such journey run.", field=("id",))
        if not access.can_cancel_run(actor, run):
            raise Forbidden("The sponsor, whoever started the run, or a manager taking part cancels it.", field=("id",))
        run.check_version(cmd.expected_version)
        reason = (cmd.reason or "").strip()[:500] or None
        open_ids = run.open_request_ids
        run.cancel(actor, now=now, reason=reason)
        record_in_order(uow, run)
        for request_id in sorted(open_ids):  # after the run: the one lock order
            request = await uow.requests.get_for_update(request_id)
            assert request is not None
            request.cancel_with_run(actor, now=now, reason=f"Journey run cancelled: {reason or 'no reason given'}")
            await uow.requests.save(request)
            record_in_order(uow, request)
        await uow.journey_runs.save(run)
        await uow.commit()
    return run.id
