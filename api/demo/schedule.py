"""How many requests, in which status, raised by whom, and when: the demo's request history."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from api.demo.acts import Step
from api.demo.catalog import Offering
from api.demo.organisation import Directory
from api.demo.stories import write_story
from api.demo.story_writer import StoryWriter
from domain.people import Person
from domain.workflow import RequestStatus

S = RequestStatus
HISTORY = timedelta(days=60)

# Today's statuses: most history is closed; a realistic backlog is open.
STATUS_COUNTS = {
    S.NEW: 24,
    S.TRIAGED: 18,
    S.IN_PROGRESS: 36,
    S.WAITING_ON_REQUESTER: 18,
    S.WAITING_ON_DEPARTMENT: 18,
    S.RESOLVED: 36,
    S.CLOSED: 126,
    S.CANCELLED: 24,
}

# How many days ago finished requests last saw activity: resolved ones are still inside
# the window in which a requester may reopen them. Open ones are as recent as their
# pace makes them (StoryWriter.time_left).
LAST_ACTIVITY_DAYS_AGO = {S.RESOLVED: (0.05, 6), S.CLOSED: (0.2, 58), S.CANCELLED: (0.1, 58)}

EMPLOYEE_SHARE = 0.08  # employee@example.com raises enough to fill a demo portal
STAFF_SHARE = 0.1  # agents and managers need things from other departments too


def plan_requests(
    directory: Directory, offerings: list[Offering], *, rng: random.Random, now: datetime
) -> list[list[Step]]:
    """Every request's steps; each list is in time order, and every step is in the past."""
    targets = [status for status, count in STATUS_COUNTS.items() for _ in range(count)]
    rng.shuffle(targets)
    weights = [o.kind.weight for o in offerings]
    stories = []
    for target in targets:
        offering = rng.choices(offerings, weights=weights)[0]
        requester = _requester(rng, directory, offering)
        stories.append(_plan_in_time(rng, directory, offering, requester, target, now=now))
    return stories


def _requester(rng: random.Random, directory: Directory, offering: Offering) -> Person:
    roll = rng.random()
    if roll < EMPLOYEE_SHARE:
        return directory.by_email("employee@example.com")
    if roll < EMPLOYEE_SHARE + STAFF_SHARE:
        owner_id = directory.departments[offering.service.owner]
        return rng.choice([p for p in directory.people if p.is_staff and p.department_id != owner_id])
    return rng.choice(directory.requesters)


def _plan_in_time(
    rng: random.Random,
    directory: Directory,
    offering: Offering,
    requester: Person,
    target: RequestStatus,
    *,
    now: datetime,
) -> list[Step]:
    """Write the story once to learn how long it runs, then again where it ends on time.

    Both writings use one seed, and durations never depend on the start, so the second
    is the first moved in time (field dates follow the real raise date).
    """
    seed = rng.getrandbits(64)

    def write(start: datetime) -> StoryWriter:
        writer = StoryWriter(
            rng=random.Random(seed), directory=directory, offering=offering, requester=requester, start=start
        )
        write_story(writer, target)
        return writer

    draft = write(now)
    span = draft.steps[-1].at - draft.steps[0].at
    if target in LAST_ACTIVITY_DAYS_AGO:
        low, high = LAST_ACTIVITY_DAYS_AGO[target]
        ended_ago = timedelta(days=rng.uniform(low, high))
        # Keep the whole story inside the history window when it can fit.
        ended_ago = min(ended_ago, max(timedelta(days=low), HISTORY - span))
    else:
        ended_ago = draft.time_left() * rng.random()
    return write(now - ended_ago - span).steps
