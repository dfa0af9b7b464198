"""Plays the planned history (requests and journey runs) through the real handlers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from api.demo.acts import Step
from db.uow import SqlUnitOfWork
from domain.errors import DomainError
from schema import ids
from schema.commands import person_refs_in


def person_ref(person_id: int) -> str:
    """How a PERSON field names someone: their global ID, as the API writes it."""
    return ids.encode("Person", person_id)


class DemoStepFailed(RuntimeError):
    """A planned step broke a domain rule: the plan, not the data, is wrong."""


def chronological(stories: list[list[Step]]) -> list[tuple[int, Step]]:
    """All steps of all requests, oldest first, so the event log reads in time order and
    request numbers follow the order in which requests were raised."""
    keyed = [
        (step.at, story, position, step) for story, steps in enumerate(stories) for position, step in enumerate(steps)
    ]
    keyed.sort(key=lambda entry: entry[:3])
    return [(story, step) for _, story, _, step in keyed]


class Playback:
    def __init__(self, engine: AsyncEngine):
        self.engine = engine
        self.person_refs = person_refs_in(engine)
        self.tickets: dict[int, Any] = {}

    async def play(self, stories: list[list[Step]], *, on_step: Callable[[int, int], None] | None = None) -> int:
        """Run every step, telling `on_step(done, total)` after each; return how many ran."""
        ordered = chronological(stories)
        for done, (story, step) in enumerate(ordered, start=1):
            await self.perform(story, step)
            if on_step is not None:
                on_step(done, len(ordered))
        return len(ordered)

    async def perform(self, story: int, step: Step) -> None:
        uow = SqlUnitOfWork(self.engine)
        extra: dict[str, Any] = {"person_refs": self.person_refs} if step.act.checks_person_fields else {}
        if getattr(step.act, "refers_to_people", False):
            extra["person_ref"] = person_ref
        try:
            await step.act.handler(
                step.act.command(self.tickets.get(story)), uow=uow, actor=step.actor, now=step.at, **extra
            )
        except DomainError as error:
            raise DemoStepFailed(
                f"story {story}: {step.act!r} by {step.actor.email} failed: {error.code} {error.message}"
            ) from error
        self.tickets[story] = step.act.ticket_after(uow, self.tickets.get(story))
