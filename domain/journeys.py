"""Journey maps: ordered stages of touchpoints, each owned by a department.

A map is never edited in place. Revising it makes a new version and retires the old one,
so a run always follows the stages it started with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from domain.errors import DomainError, NotFound
from domain.events import Event
from domain.people import Person

MAX_STAGES = 20
MAX_TOUCHPOINTS = 20
MAX_PAIN_POINTS = 10
MAX_NAME = 120
MAX_PAIN_POINT = 500
MAX_DESCRIPTION = 4000
MAX_TARGET_MINUTES = 525_600  # a year


@dataclass(frozen=True)
class Touchpoint:
    id: int
    position: int
    name: str
    department_id: int
    request_type_id: int | None = None
    pain_points: tuple[str, ...] = ()
    # Values for the request's form; may hold {subject}, {startDate} and {sponsor} (domain.prefill).
    field_values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class JourneyStage:
    id: int
    position: int
    name: str
    target_minutes: int | None
    touchpoints: tuple[Touchpoint, ...]


@dataclass
class JourneyMap:
    id: int
    lineage_id: int  # the first version's id: every version of one journey shares it
    version: int
    name: str
    description: str
    stages: tuple[JourneyStage, ...]
    created_by_id: int
    created_at: datetime
    retired_at: datetime | None = None
    replaces_id: int | None = None
    events: list[Event] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.retired_at is None

    @property
    def department_ids(self) -> tuple[int, ...]:
        """Departments owning a touchpoint: who works the journey, and who sees it."""
        return tuple(sorted({tp.department_id for stage in self.stages for tp in stage.touchpoints}))

    @property
    def touchpoints(self) -> list[Touchpoint]:
        return [tp for stage in self.stages for tp in stage.touchpoints]

    def stage_at(self, position: int) -> JourneyStage:
        return self.stages[position]

    def retire(self, actor: Person, *, now: datetime, replaced_by: int | None = None) -> None:
        if not self.active:
            raise DomainError("This version of the map is already retired.", field=("id",), code="MAP_RETIRED")
        self.retired_at = now
        self.events.append(
            Event(
                "JourneyMapRetired",
                now,
                actor.id,
                {"mapId": self.id, "name": self.name, "version": self.version, "replacedBy": replaced_by},
                department_ids=self.department_ids,
            )
        )


# -- what a map is made of, before it has ids ---------------------------------------------
@dataclass(frozen=True)
class TouchpointSpec:
    name: str
    department_id: int
    request_type_id: int | None = None
    pain_points: tuple[str, ...] = ()
    field_values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StageSpec:
    name: str
    touchpoints: tuple[TouchpointSpec, ...]
    target_minutes: int | None = None


@dataclass(frozen=True)
class MapSpec:
    name: str
    stages: tuple[StageSpec, ...]
    description: str = ""

    @property
    def department_ids(self) -> set[int]:
        return {tp.department_id for stage in self.stages for tp in stage.touchpoints}


def _text(value: str, path: tuple[str, ...], *, limit: int = MAX_NAME, label: str = "Name") -> str:
    value = value.strip()
    if not value:
        raise DomainError(f"{label} must not be blank.", field=path)
    if len(value) > limit:
        raise DomainError(f"{label} is longer than {limit} characters.", field=path)
    return value


def check_spec(spec: MapSpec, *, request_type_owners: Mapping[int, int | None]) -> None:
    """The shape rules of a map. `request_type_owners` maps each named request type to the
    department owning its service (None when it does not exist)."""
    _text(spec.name, ("name",))
    if len(spec.description) > MAX_DESCRIPTION:
        raise DomainError(f"Description is longer than {MAX_DESCRIPTION} characters.", field=("description",))
    if not spec.stages:
        raise DomainError("A journey map needs at least one stage.", field=("stages",), code="NO_STAGES")
    if len(spec.stages) > MAX_STAGES:
        raise DomainError(f"A journey map has at most {MAX_STAGES} stages.", field=("stages",), code="TOO_MANY_STAGES")
    for i, stage in enumerate(spec.stages):
        _check_stage(stage, ("stages", str(i)), request_type_owners)


def _check_stage(stage: StageSpec, path: tuple[str, ...], owners: Mapping[int, int | None]) -> None:
    _text(stage.name, path + ("name",))
    if stage.target_minutes is not None and not 0 < stage.target_minutes <= MAX_TARGET_MINUTES:
        raise DomainError(
            f"A target is 1 to {MAX_TARGET_MINUTES} minutes.", field=path + ("targetMinutes",), code="INVALID_TARGET"
        )
    if not stage.touchpoints:
        raise DomainError(
            "A stage needs at least one touchpoint.", field=path + ("touchpoints",), code="STAGE_WITHOUT_TOUCHPOINTS"
        )
    if len(stage.touchpoints) > MAX_TOUCHPOINTS:
        raise DomainError(
            f"A stage has at most {MAX_TOUCHPOINTS} touchpoints.",
            field=path + ("touchpoints",),
            code="TOO_MANY_TOUCHPOINTS",
        )
    for j, touchpoint in enumerate(stage.touchpoints):
        _check_touchpoint(touchpoint, path + ("touchpoints", str(j)), owners)


def _check_touchpoint(tp: TouchpointSpec, path: tuple[str, ...], owners: Mapping[int, int | None]) -> None:
    _text(tp.name, path + ("name",))
    if len(tp.pain_points) > MAX_PAIN_POINTS:
        raise DomainError(
            f"A touchpoint lists at most {MAX_PAIN_POINTS} pain points.",
            field=path + ("painPoints",),
            code="TOO_MANY_PAIN_POINTS",
        )
    for k, pain in enumerate(tp.pain_points):
        _text(pain, path + ("painPoints", str(k)), limit=MAX_PAIN_POINT, label="A pain point")
    if tp.request_type_id is None:
        if tp.field_values:
            raise DomainError(
                "Field values fill a request type's form: name the request type.",
                field=path + ("fields",),
                code="FIELDS_WITHOUT_REQUEST_TYPE",
            )
        return
    owner = owners.get(tp.request_type_id)
    if owner is None:
        raise NotFound("No such request type.", field=path + ("requestTypeId",))
    if owner != tp.department_id:
        # The department keeps its territory: a touchpoint opens work only in its own catalog.
        raise DomainError(
            "The request type belongs to no service of the touchpoint's department.",
            field=path + ("requestTypeId",),
            code="REQUEST_TYPE_NOT_IN_DEPARTMENT",
        )


def new_journey_map(
    spec: MapSpec,
    *,
    id: int,
    stage_ids: list[int],
    touchpoint_ids: list[int],
    actor: Person,
    now: datetime,
    previous: JourneyMap | None = None,
) -> JourneyMap:
    """A map built from a checked spec; `previous` is the version it replaces."""
    stage_id, touchpoint_id = iter(stage_ids), iter(touchpoint_ids)
    stages = tuple(
        JourneyStage(
            id=next(stage_id),
            position=i,
            name=stage.name.strip(),
            target_minutes=stage.target_minutes,
            touchpoints=tuple(
                Touchpoint(
                    id=next(touchpoint_id),
                    position=j,
                    name=tp.name.strip(),
                    department_id=tp.department_id,
                    request_type_id=tp.request_type_id,
                    pain_points=tuple(p.strip() for p in tp.pain_points),
                    field_values=dict(tp.field_values),
                )
                for j, tp in enumerate(stage.touchpoints)
            ),
        )
        for i, stage in enumerate(spec.stages)
    )
    journey = JourneyMap(
        id=id,
        lineage_id=previous.lineage_id if previous else id,
        version=previous.version + 1 if previous else 1,
        name=spec.name.strip(),
        description=spec.description.strip(),
        stages=stages,
        created_by_id=actor.id,
        created_at=now,
        replaces_id=previous.id if previous else None,
    )
    journey.events.append(
        Event(
            "JourneyMapCreated",
            now,
            actor.id,
            {
                "mapId": journey.id,
                "name": journey.name,
                "version": journey.version,
                "replaces": journey.replaces_id,
                "stages": len(stages),
            },
            department_ids=journey.department_ids,
        )
    )
    return journey


def touchpoint_count(spec: MapSpec) -> int:
    return sum(len(stage.touchpoints) for stage in spec.stages)
