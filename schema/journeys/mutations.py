"""Journey mutations: map (create, revise, retire) and run (start, cancel)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import strawberry

from domain import journey_commands as commands
from domain.errors import NotFound
from domain.handlers import journeys as handle
from domain.journeys import MapSpec, StageSpec, TouchpointSpec
from schema import ids
from schema.commands import Handler, person_refs, reload, run_command
from schema.context import Info
from schema.errors import UserError
from schema.journeys import inputs
from schema.journeys.types import JourneyMapNode, JourneyRunNode
from schema.permissions import root_mutation


@strawberry.type
class JourneyMapPayload:
    journey_map: JourneyMapNode | None
    user_errors: list[UserError]


@strawberry.type
class JourneyRunPayload:
    journey_run: JourneyRunNode | None
    user_errors: list[UserError]


def _decode_at(value: strawberry.ID, type_name: str, path: tuple[str, ...]) -> int:
    parsed = ids.parse(value)
    if parsed is None or parsed[0] != type_name:
        raise NotFound(f"No {type_name} has this ID.", field=path)
    return parsed[1]


def _touchpoint(tp: inputs.TouchpointInput, path: tuple[str, ...]) -> TouchpointSpec:
    return TouchpointSpec(
        name=tp.name,
        department_id=_decode_at(tp.department_id, "Department", path + ("departmentId",)),
        request_type_id=(
            _decode_at(tp.request_type_id, "RequestType", path + ("requestTypeId",))
            if tp.request_type_id is not None
            else None
        ),
        pain_points=tuple(tp.pain_points or ()),
        field_values={v.key: v.value for v in tp.fields or () if v.value is not None},
    )


def map_spec(name: str, description: str | None, stages: list[inputs.JourneyStageInput]) -> MapSpec:
    return MapSpec(
        name=name,
        description=description or "",
        stages=tuple(
            StageSpec(
                name=stage.name,
                target_minutes=stage.target_minutes,
                touchpoints=tuple(
                    _touchpoint(tp, ("stages", str(i), "touchpoints", str(j))) for j, tp in enumerate(stage.touchpoints)
                ),
            )
            for i, stage in enumerate(stages)
        ),
    )


async def _map_payload(
    info: Info, handler: Handler, make_command: Callable[[], object], **extra: Any
) -> JourneyMapPayload:
    done = await run_command(info, handler, make_command, **extra)
    row = await reload(info.context.loaders.journeys.map, done.result)
    return JourneyMapPayload(journey_map=JourneyMapNode.maybe(row), user_errors=done.user_errors)


async def _run_payload(
    info: Info, handler: Handler, make_command: Callable[[], object], **extra: Any
) -> JourneyRunPayload:
    done = await run_command(info, handler, make_command, **extra)
    row = await reload(info.context.loaders.journeys.run, done.result)
    return JourneyRunPayload(journey_run=JourneyRunNode.maybe(row), user_errors=done.user_errors)


def _aware(moment: datetime | None) -> datetime | None:
    """A time sent without an offset is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _person_ref(person_id: int) -> str:
    return ids.encode("Person", person_id)


@strawberry.type
class JourneyMutations:
    @root_mutation(description="Map a journey (admins, and managers of a department owning a touchpoint).")
    async def journey_map_create(self, info: Info, input: inputs.JourneyMapCreateInput) -> JourneyMapPayload:
        return await _map_payload(
            info,
            handle.create_map,
            lambda: commands.CreateJourneyMap(map_spec(input.name, input.description, input.stages)),
            person_refs=person_refs(info),
        )

    @root_mutation(description="Replace a map by its next version; runs already started keep the stages they had.")
    async def journey_map_revise(self, info: Info, input: inputs.JourneyMapReviseInput) -> JourneyMapPayload:
        return await _map_payload(
            info,
            handle.revise_map,
            lambda: commands.ReviseJourneyMap(
                map_id=ids.decode(input.id, "JourneyMap", field="id"),
                spec=map_spec(input.name, input.description, input.stages),
            ),
            person_refs=person_refs(info),
        )

    @root_mutation(description="Start no more runs on this map; runs already started finish on it.")
    async def journey_map_retire(self, info: Info, input: inputs.JourneyMapRetireInput) -> JourneyMapPayload:
        return await _map_payload(
            info,
            handle.retire_map,
            lambda: commands.RetireJourneyMap(map_id=ids.decode(input.id, "JourneyMap", field="id")),
        )

    @root_mutation(description="Start a run: opens the first stage's requests, raised by you for the sponsor.")
    async def journey_run_start(self, info: Info, input: inputs.JourneyRunStartInput) -> JourneyRunPayload:
        return await _run_payload(
            info,
            handle.start_run,
            lambda: commands.StartJourneyRun(
                map_id=ids.decode(input.map_id, "JourneyMap", field="mapId"),
                subject=input.subject,
                sponsor_id=ids.decode_optional(input.sponsor_id, "Person", field="sponsorId"),
                start_at=_aware(input.start_at),
                fields={v.key: v.value for v in input.fields or () if v.value is not None},
            ),
            person_refs=person_refs(info),
            person_ref=_person_ref,
        )

    @root_mutation(description="Cancel a run and every request it still has open.")
    async def journey_run_cancel(self, info: Info, input: inputs.JourneyRunCancelInput) -> JourneyRunPayload:
        return await _run_payload(
            info,
            handle.cancel_run,
            lambda: commands.CancelJourneyRun(
                run_id=ids.decode(input.id, "JourneyRun", field="id"),
                reason=input.reason,
                expected_version=input.expected_version,
            ),
        )
