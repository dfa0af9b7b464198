"""Writes one request's life as steps in time order.

The writer keeps track of what the domain will allow next — who owns the request, who
is assigned, which tasks are open, the status — so that the plan plays back through the
real handlers without a rule saying no. Durations follow the request type's SLA targets.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from api.demo import phrases
from api.demo.acts import (
    Act,
    AddTask,
    Assign,
    Comment,
    CompleteTask,
    HandOff,
    Move,
    Raise,
    Rate,
    Reprioritise,
    Step,
    Watch,
)
from api.demo.catalog import Offering
from api.demo.field_values import FieldDraw, display_values, sample_fields
from api.demo.organisation import DEPARTMENTS, Directory
from domain.people import Person
from domain.sla import targets
from domain.workflow import Priority, RequestStatus

S = RequestStatus
T = TypeVar("T")
PRIORITY_WEIGHTS = {Priority.LOW: 20, Priority.MEDIUM: 50, Priority.HIGH: 22, Priority.URGENT: 8}
LATE_SHARE = 0.12  # stories where the department is slow: they breach their SLA


@dataclass
class PlannedTask:
    department: str
    done: bool = False


class StoryWriter:
    """One request's story: the requester's side, the owner's side, other departments' side."""

    def __init__(
        self, *, rng: random.Random, directory: Directory, offering: Offering, requester: Person, start: datetime
    ):
        self.rng, self.directory, self.offering, self.requester = rng, directory, offering, requester
        self.at = start
        self.steps: list[Step] = []
        self.status = S.NEW
        self.owner = offering.service.owner
        self.assignee: Person | None = None
        self.tasks = [PlannedTask(t.department) for t in offering.kind.tasks]
        self.priority = rng.choices(list(PRIORITY_WEIGHTS), weights=list(PRIORITY_WEIGHTS.values()))[0]
        self.late = rng.random() < LATE_SHARE
        self.pace = rng.uniform(1.2, 1.8) if self.late else rng.uniform(0.3, 0.9)

    # -- time and bookkeeping ---------------------------------------------------------
    def chance(self, share: float) -> bool:
        return self.rng.random() < share

    def pick(self, options: Sequence[T]) -> T:
        return self.rng.choice(options)

    def do(self, actor: Person, act: Act) -> None:
        self.steps.append(Step(self.at, actor, act))
        self.at += timedelta(seconds=self.rng.randint(10, 90))  # the next click is not instant

    def wait(self, low: timedelta, high: timedelta) -> None:
        self.at += low + (high - low) * self.rng.random()

    def work(self, low: float, high: float) -> None:
        """Advance by a share of the resolution target: how long this part of the work took."""
        self.at += targets(self.offering.kind.sla, self.priority)[1] * self.pace * self.rng.uniform(low, high)

    def respond_delay(self) -> None:
        response = targets(self.offering.kind.sla, self.priority)[0]
        self.at += response * (self.rng.uniform(1.1, 2.5) if self.late else self.rng.uniform(0.05, 0.8))

    def time_left(self) -> timedelta:
        """How long the request may have sat since its last step, today: until its next SLA
        target at this story's pace (a late story's pace runs past the target)."""
        response, resolution = targets(self.offering.kind.sla, self.priority)
        budget = response if self.status is S.NEW else resolution
        due_at_pace = self.steps[0].at + budget * self.pace
        return max(due_at_pace - self.steps[-1].at, timedelta(minutes=10))

    @property
    def open_tasks(self) -> list[int]:
        return [i for i, task in enumerate(self.tasks) if not task.done]

    def owner_agent(self) -> Person:
        """Who acts for the owner: the assignee, else an agent (the role account most often)."""
        if self.assignee is not None:
            return self.assignee
        agents = self.directory.agents(self.owner)
        return self.rng.choices(agents, weights=[3] + [1] * (len(agents) - 1))[0]

    def move(self, actor: Person, to: RequestStatus, reason: str | None = None) -> None:
        self.do(actor, Move(to, reason))
        self.status = to

    # -- the requester ----------------------------------------------------------------
    def raise_request(self) -> None:
        kind, directory = self.offering.kind, self.directory
        draw = FieldDraw(random.Random(self.rng.getrandbits(64)), self.at.date(), self.requester, directory, {})
        values = sample_fields(kind.fields, draw)
        shown = display_values(kind.fields, values, directory)
        title = self.pick(kind.titles).format_map(shown)
        description = self.pick(kind.descriptions).format_map(shown)
        by_phone = self.chance(0.08)  # an agent takes the call and raises it for the requester
        actor = self.owner_agent() if by_phone else self.requester
        self.do(
            actor,
            Raise(
                self.offering.service_id,
                self.offering.request_type_id,
                title,
                description,
                self.priority,
                values,
                requester_id=self.requester.id if by_phone else None,
            ),
        )

    def say(self, person: Person, options: tuple[str, ...], *, internal: bool = False, **words: str) -> None:
        first = self.requester.name.split()[0]
        self.do(person, Comment(self.pick(options).format(first=first, **words), internal=internal))

    def nudge(self) -> None:
        response = targets(self.offering.kind.sla, self.priority)[0]
        self.at += max(response * self.rng.uniform(0.3, 0.8), timedelta(minutes=20))
        self.say(self.requester, phrases.NUDGE)

    def requester_replies(self) -> None:
        # The reply moves the request back to work (and restarts the SLA clock).
        self.wait(timedelta(hours=1), timedelta(days=2))
        self.say(self.requester, phrases.REPLY)
        self.status = S.IN_PROGRESS

    def cancel_by_requester(self) -> None:
        self.wait(timedelta(minutes=20), timedelta(hours=30))
        self.move(self.requester, S.CANCELLED, self.pick(phrases.REQUESTER_CANCEL))

    def reopen(self) -> None:
        self.wait(timedelta(hours=2), timedelta(days=4))  # inside the 7-day reopen window
        self.say(self.requester, phrases.REOPEN)
        self.move(self.requester, S.IN_PROGRESS, "Reopened by the requester")

    def rate(self) -> None:
        self.wait(timedelta(minutes=10), timedelta(hours=30))
        best = 5 if not self.late else 3
        score = self.rng.choices([best, best - 1, best - 2], weights=[6, 3, 1])[0]
        self.do(self.requester, Rate(score, self.pick(phrases.RATING_COMMENTS[score])))

    def close(self) -> None:
        if self.chance(0.6):
            self.wait(timedelta(hours=1), timedelta(days=2))
            self.move(self.requester, S.CLOSED, self.pick(phrases.THANKS))
        else:
            self.wait(timedelta(days=3), timedelta(days=5))
            self.move(self.owner_agent(), S.CLOSED, phrases.AUTO_CLOSE)

    # -- the owning department -----------------------------------------------------------
    def triage(self, to: RequestStatus) -> None:
        self.respond_delay()
        manager = self.directory.manager(self.owner)
        triager = manager if self.chance(0.15) else self.owner_agent()
        if self.chance(0.7):
            self.say(triager, phrases.ACKNOWLEDGE)
        self.move(triager, to)
        assignee = triager if triager is not manager and self.chance(0.7) else self.owner_agent()
        self.do(triager, Assign(assignee.id))
        self.assignee = assignee
        if self.priority in (Priority.HIGH, Priority.URGENT) and self.chance(0.5):
            self.do(manager, Watch(manager.id))  # managers keep an eye on urgent work

    def hand_off(self) -> None:
        handoff = self.offering.service.handoff
        assert handoff is not None
        self.respond_delay()
        agent = self.owner_agent()
        self.say(agent, phrases.HANDOFF_NOTE, internal=True, reason=handoff.reason)
        if self.chance(0.7):  # telling the requester is also the SLA's first response
            self.say(agent, phrases.PASSED_ON, department=DEPARTMENTS[handoff.department])
        self.do(agent, HandOff(self.directory.departments[handoff.department], handoff.reason))
        self.owner, self.assignee = handoff.department, None

    def start(self) -> None:
        self.work(0.02, 0.1)
        self.move(self.owner_agent(), S.IN_PROGRESS)

    def copy_in_colleague(self) -> None:
        colleague = self.pick([p for p in self.directory.requesters if p.id != self.requester.id])
        self.do(self.owner_agent(), Watch(colleague.id))

    def reprioritise(self) -> None:
        escalate = self.priority in (Priority.LOW, Priority.MEDIUM)
        self.priority = Priority.HIGH if escalate else Priority.MEDIUM
        agent = self.owner_agent()
        self.do(agent, Comment(phrases.ESCALATE if escalate else phrases.DOWNGRADE, internal=True))
        self.do(agent, Reprioritise(self.priority))

    def internal_note(self) -> None:
        self.work(0.02, 0.1)
        self.say(self.owner_agent(), phrases.INTERNAL_NOTES[self.owner], internal=True)

    def progress_note(self) -> None:
        self.work(0.05, 0.2)
        self.say(self.owner_agent(), phrases.PROGRESS)

    def ask_requester(self) -> None:
        self.work(0.05, 0.2)
        agent = self.owner_agent()
        self.say(agent, phrases.QUESTION)
        self.move(agent, S.WAITING_ON_REQUESTER)

    def resolve(self) -> None:
        for position in self.open_tasks:
            self.complete_task(position)
        self.work(0.05, 0.3)
        agent = self.owner_agent()
        self.say(agent, phrases.RESOLUTION)
        self.move(agent, S.RESOLVED)

    def cancel_by_agent(self) -> None:
        self.work(0.02, 0.2)
        self.move(self.owner_agent(), S.CANCELLED, self.pick(phrases.AGENT_CANCEL))

    # -- other departments ---------------------------------------------------------------
    def add_task(self, title: str, department: str) -> None:
        worker = self.pick(self.directory.agents(department)) if self.chance(0.5) else None
        self.do(
            self.owner_agent(), AddTask(title, self.directory.departments[department], worker.id if worker else None)
        )
        self.tasks.append(PlannedTask(department))

    def complete_task(self, position: int) -> None:
        task = self.tasks[position]
        self.work(0.05, 0.25)
        worker = self.pick(self.directory.agents(task.department))
        if self.chance(0.5):
            self.say(worker, phrases.INTERNAL_NOTES[task.department], internal=True)
        self.do(worker, CompleteTask(position))
        task.done = True
        if self.status is S.WAITING_ON_DEPARTMENT and not self.open_tasks:
            self.status = S.IN_PROGRESS  # the domain resumes the request when the last task is done

    def wait_on_departments(self, *, leave_open: bool) -> None:
        self.move(self.owner_agent(), S.WAITING_ON_DEPARTMENT)
        pending = self.open_tasks
        done = self.rng.randrange(len(pending)) if leave_open else len(pending)
        for position in pending[:done]:
            self.complete_task(position)
