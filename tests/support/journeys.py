"""An onboarding journey on top of tests.support.org, built through the real handlers.

Stages: Paperwork (HR contract, target 60 min) -> Equipment (IT laptop, whose form fans a
desk task out to Facilities, and a Facilities workplace; target 120 min) -> Welcome (a
lunch, which opens no request).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from db.uow import SqlUnitOfWork
from domain import commands
from domain import journey_commands as jc
from domain.catalog import FieldDefinition, FieldKind
from domain.handlers import catalog
from domain.handlers import journeys as handle
from domain.journeys import MapSpec, StageSpec, TouchpointSpec
from domain.people import Person
from schema import ids
from tests.support.org import Org


async def person_refs(values: list[str]) -> set[str]:
    wanted = {v for v in values if (parsed := ids.parse(v)) and parsed[0] == "Person"}
    return wanted


def person_ref(person_id: int) -> str:
    return ids.encode("Person", person_id)


@dataclass
class Journeys:
    org: Org
    maps: dict[str, int] = field(default_factory=dict)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.org.engine)

    def onboarding_spec(self, **changes) -> MapSpec:
        d, rt = self.org.departments, self.org.request_types
        stages = (
            StageSpec(
                "Paperwork",
                target_minutes=60,
                touchpoints=(
                    TouchpointSpec(
                        "Contract",
                        d["hr"],
                        rt["contract"],
                        pain_points=("Contract sent late",),
                        field_values={"employee": "{subject}", "start": "{startDate}"},
                    ),
                ),
            ),
            StageSpec(
                "Equipment",
                target_minutes=120,
                touchpoints=(
                    TouchpointSpec(
                        "Laptop",
                        d["it"],
                        rt["new_laptop"],
                        pain_points=("Laptop not ready on day one",),
                        field_values={"model": "13-inch", "needed_by": "{startDate}", "manager": "{sponsor}"},
                    ),
                    TouchpointSpec(
                        "Workplace", d["facilities"], rt["workplace"], field_values={"first_day": "{startDate}"}
                    ),
                ),
            ),
            StageSpec("Welcome", touchpoints=(TouchpointSpec("Welcome lunch", d["hr"]),)),
        )
        return MapSpec(
            **{"name": "Onboarding", "description": "A new colleague's first days", "stages": stages, **changes}
        )

    async def create_map(self, spec: MapSpec, *, actor: Person | None = None, now: datetime | None = None) -> int:
        return await handle.create_map(
            jc.CreateJourneyMap(spec),
            uow=self.uow(),
            actor=actor or self.org.admin,
            now=now or datetime.now(UTC),
            person_refs=person_refs,
        )

    async def start(
        self,
        map_id: int,
        *,
        subject: str = "Jane Doe",
        actor: Person | None = None,
        sponsor: Person | None = None,
        now: datetime | None = None,
        **kwargs,
    ) -> int:
        return await handle.start_run(
            jc.StartJourneyRun(map_id=map_id, subject=subject, sponsor_id=sponsor.id if sponsor else None, **kwargs),
            uow=self.uow(),
            actor=actor or self.org.hr_agent,
            now=now or datetime.now(UTC),
            person_refs=person_refs,
            person_ref=person_ref,
        )


async def build_journeys(org: Org) -> Journeys:
    """The journey catalog and the onboarding map."""
    await add_journey_catalog(org)
    journeys = Journeys(org)
    journeys.maps["onboarding"] = await journeys.create_map(journeys.onboarding_spec())
    return journeys


async def add_journey_catalog(org: Org) -> Org:
    """Adds an HR contract form and a Facilities workplace service with a starter's form."""
    now = datetime.now(UTC)
    admin = org.admin
    org.request_types["contract"] = await catalog.create_request_type(
        commands.CreateRequestType(
            service_id=org.services["payroll"],
            name="Employment contract",
            fields=(
                FieldDefinition("employee", "Employee", FieldKind.TEXT, required=True),
                FieldDefinition("start", "Start date", FieldKind.DATE, required=True),
            ),
        ),
        uow=SqlUnitOfWork(org.engine),
        actor=admin,
        now=now,
    )
    org.services["workplace"] = await catalog.create_service(
        commands.CreateService(name="Workplace", owner_department_id=org.departments["facilities"]),
        uow=SqlUnitOfWork(org.engine),
        actor=admin,
        now=now,
    )
    org.request_types["workplace"] = await catalog.create_request_type(
        commands.CreateRequestType(
            service_id=org.services["workplace"],
            name="Workplace for a starter",
            fields=(
                FieldDefinition("first_day", "First day", FieldKind.DATE, required=True),
                FieldDefinition("floor", "Floor", FieldKind.NUMBER),
            ),
        ),
        uow=SqlUnitOfWork(org.engine),
        actor=admin,
        now=now,
    )
    return org
