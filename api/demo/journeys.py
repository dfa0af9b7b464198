"""The demo's journeys: employee onboarding and office moves, with two months of runs.

Each department has its own pace, so the analytics show something real: IT's laptops make
Equipment the bottleneck, Finance is sometimes late with payroll. Runs are planned stage by
stage (a stage begins when its last request is resolved) and played with the request
stories, in time order, through the real handlers. Runs still going today stay active.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from api.demo.acts import Step
from api.demo.catalog import Offering
from api.demo.journey_acts import CancelRun, CompleteTouchpointTask, MoveTouchpoint, StartRun
from api.demo.organisation import Directory
from api.demo.playback import person_ref
from api.demo.schedule import HISTORY
from db.uow import SqlUnitOfWork
from domain import journey_commands as jc
from domain.handlers import journeys as handle
from domain.journeys import JourneyMap, MapSpec, StageSpec, TouchpointSpec
from domain.people import Person
from domain.workflow import RequestStatus
from schema.commands import person_refs_in

S = RequestStatus
RUNS = {"onboarding": 120, "office_move": 80}
CANCELLED_SHARE = 0.05
FIRST_NAMES = ("Jane", "Omar", "Lucia", "Tom", "Ana", "Kofi", "Mia", "Ravi", "Lena", "Hugo", "Sara", "Ivan")
LAST_NAMES = ("Doe", "Farouk", "Bianchi", "Becker", "Souza", "Mensah", "Lund", "Iyer", "Vogel", "Petit", "Kaya")


@dataclass(frozen=True)
class Pace:
    """Minutes until the owner responds, and from then until it is resolved (uniform ranges)."""

    respond: tuple[int, int]
    work: tuple[int, int]


# By request type name: how fast its department turns it around.
PACES = {
    "Employment contract": Pace((30, 240), (60, 900)),
    "Add to payroll": Pace((60, 720), (120, 2400)),
    "New laptop": Pace((30, 300), (900, 5400)),
    "Account for a system": Pace((20, 200), (60, 1200)),
    "Workplace for a new starter": Pace((60, 480), (120, 1800)),
    "Badge": Pace((30, 240), (60, 900)),
    "Desk move": Pace((60, 600), (600, 3000)),
    "Workstation setup": Pace((30, 300), (120, 1500)),
}
TASK_WORKERS = {"New laptop": "finance", "Desk move": "it"}


def _form(offerings: list[Offering], name: str) -> Offering:
    return next(o for o in offerings if o.kind.name == name)


def onboarding(directory: Directory, offerings: list[Offering]) -> MapSpec:
    d = directory.departments

    def tp(name: str, department: str, form: str | None, values: dict | None = None, pains=()) -> TouchpointSpec:
        type_id = _form(offerings, form).request_type_id if form else None
        return TouchpointSpec(name, d[department], type_id, tuple(pains), values or {})

    return MapSpec(
        "Employee onboarding",
        description="From signed offer to a productive first day.",
        stages=(
            StageSpec(
                "Contract & payroll",
                target_minutes=1440,
                touchpoints=(
                    tp(
                        "Employment contract",
                        "hr",
                        "Employment contract",
                        {"new_hire_name": "{subject}", "start_date": "{startDate}"},
                        ("Contract arrives days before the start",),
                    ),
                    tp(
                        "Payroll",
                        "finance",
                        "Add to payroll",
                        {"employee": "{subject}", "first_day": "{startDate}"},
                        ("First salary paid late",),
                    ),
                ),
            ),
            StageSpec(
                "Equipment & access",
                target_minutes=4320,
                touchpoints=(
                    tp(
                        "Laptop",
                        "it",
                        "New laptop",
                        {"model": "14-inch standard", "needed_by": "{startDate}", "approver": "{sponsor}"},
                        ("Laptop not ready on day one", "Approval waits on Finance"),
                    ),
                    tp("Accounts", "it", "Account for a system", {"system": "Workday", "access_level": "Edit"}),
                ),
            ),
            StageSpec(
                "Workplace",
                target_minutes=2880,
                touchpoints=(
                    tp(
                        "Desk",
                        "facilities",
                        "Workplace for a new starter",
                        {"starter": "{subject}", "first_day": "{startDate}"},
                    ),
                    tp(
                        "Badge",
                        "facilities",
                        "Badge",
                        {"reason": "New starter", "building": "HQ", "badge_holder": "{sponsor}"},
                        ("Badge not ready at reception",),
                    ),
                ),
            ),
            StageSpec("First day", touchpoints=(tp("Welcome and buddy", "hr", None, pains=("Nobody at reception",)),)),
        ),
    )


def office_move(directory: Directory, offerings: list[Offering]) -> MapSpec:
    d = directory.departments
    desk_move, setup = _form(offerings, "Desk move"), _form(offerings, "Workstation setup")
    return MapSpec(
        "Office move",
        description="Moving someone to a new desk, connected on the day.",
        stages=(
            StageSpec(
                "Plan the move",
                target_minutes=2880,
                touchpoints=(
                    TouchpointSpec(
                        "Desk move",
                        d["facilities"],
                        desk_move.request_type_id,
                        ("Boxes arrive late",),
                        {"move_date": "{startDate}"},
                    ),
                ),
            ),
            StageSpec(
                "Set up the new desk",
                target_minutes=1440,
                touchpoints=(
                    TouchpointSpec(
                        "Workstation",
                        d["it"],
                        setup.request_type_id,
                        ("No network on the new desk",),
                        {"move_date": "{startDate}"},
                    ),
                ),
            ),
        ),
    )


async def build_maps(
    engine: AsyncEngine, directory: Directory, offerings: list[Offering], *, at: datetime
) -> dict[str, JourneyMap]:
    refs = person_refs_in(engine)
    made = {}
    for key, spec, manager in (
        ("onboarding", onboarding(directory, offerings), directory.manager("hr")),
        ("office_move", office_move(directory, offerings), directory.manager("facilities")),
    ):
        map_id = await handle.create_map(
            jc.CreateJourneyMap(spec), uow=SqlUnitOfWork(engine), actor=manager, now=at, person_refs=refs
        )
        async with SqlUnitOfWork(engine) as uow:
            made[key] = await uow.journey_maps.get(map_id)
    return made


class RunWriter:
    """One run's steps, stage by stage; steps from `now` on are left out (the run is still going)."""

    def __init__(
        self, rng: random.Random, directory: Directory, offerings: list[Offering], journey: JourneyMap, *, now: datetime
    ):
        self.rng, self.directory, self.journey, self.now = rng, directory, journey, now
        self.forms = {o.request_type_id: o for o in offerings}
        self.steps: list[Step] = []

    def write(self, start: datetime, starter: Person, sponsor: Person, fields: dict[str, str]) -> list[Step]:
        subject = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        first_day = (start + timedelta(days=self.rng.randint(7, 25))).replace(hour=9, minute=0, second=0)
        self.steps = [Step(start, starter, StartRun(self.journey.id, subject, sponsor.id, first_day, fields))]
        cancel_at = None
        if self.rng.random() < CANCELLED_SHARE:
            cancel_at = start + timedelta(minutes=self.rng.randint(60, 6000))
        entered = start
        for stage in self.journey.stages:
            ends = [self._work(tp, entered) for tp in stage.touchpoints if tp.request_type_id is not None]
            entered = max(ends, default=entered)
        if cancel_at is not None and cancel_at < entered:  # plans change before the run completes
            self.steps = [s for s in self.steps if s.at < cancel_at]
            self.steps.append(Step(cancel_at, starter, CancelRun("Plans changed")))
        return [s for s in self.steps if s.at < self.now]

    def _work(self, touchpoint, entered: datetime) -> datetime:
        """Plan a touchpoint's request: the owner responds, other departments do their tasks, it is resolved."""
        form = self.forms[touchpoint.request_type_id]
        pace = PACES[form.kind.name]
        agent = self.rng.choice(self.directory.agents(form.service.owner))
        responded = entered + timedelta(minutes=self.rng.randint(*pace.respond))
        resolved = responded + timedelta(minutes=self.rng.randint(*pace.work))
        self.steps.append(Step(responded, agent, MoveTouchpoint(touchpoint.id, S.IN_PROGRESS)))
        if form.kind.name in TASK_WORKERS:
            worker = self.rng.choice(self.directory.agents(TASK_WORKERS[form.kind.name]))
            done = responded + (resolved - responded) * self.rng.uniform(0.3, 0.8)
            self.steps.append(Step(done, worker, CompleteTouchpointTask(touchpoint.id, 0)))
        self.steps.append(Step(resolved, agent, MoveTouchpoint(touchpoint.id, S.RESOLVED)))
        return resolved


def plan_runs(
    directory: Directory, offerings: list[Offering], maps: dict[str, JourneyMap], *, rng: random.Random, now: datetime
) -> list[list[Step]]:
    stories = []
    for key, count in RUNS.items():
        journey = maps[key]
        for _ in range(count):
            start = now - HISTORY + timedelta(minutes=rng.randint(0, int(HISTORY.total_seconds() // 60) - 60))
            writer = RunWriter(rng, directory, offerings, journey, now=now)
            if key == "onboarding":
                starter = rng.choice(directory.agents("hr"))
                sponsor = rng.choice(directory.managers)
                fields: dict[str, str] = {}
            else:
                starter = rng.choice(directory.agents("facilities"))
                sponsor = rng.choice(directory.requesters)
                fields = {"from_desk": f"D3.{rng.randint(1, 40):02d}", "to_desk": f"D4.{rng.randint(1, 40):02d}"}
            stories.append(writer.write(start, starter, sponsor, fields))
    return stories


__all__ = ["build_maps", "person_ref", "plan_runs"]
