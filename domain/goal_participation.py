"""Whether each department of a shared goal shares its figures with the goal's audience.

A goal names departments; naming one does not make its work readable. Each participating
department is INVITED until its manager (or an admin) ACCEPTS the goal, sharing the goal's
figures about its work with everyone who reads the goal, or DECLINES it. Until it accepts, the
department's figures are computed, for each reader, over the work that reader may see anyway
(see domain.goal_figures).

An acceptance is of the goal as it stood: accepting carries the version the manager read, and
a change to what the goal measures or who reads it (its period, departments or key results)
asks every other department again, since a goal can be edited by any participating manager,
the very person the acceptance protects against. A decline stands until its department
changes its mind; the department stays in the goal (its people read it, its manager edits it).
Creating a goal accepts it for the departments its creator manages.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from domain.people import Person


class Participation(enum.Enum):
    INVITED = "INVITED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


@dataclass(frozen=True)
class Decision:
    status: Participation = Participation.INVITED
    decided_by: int | None = None
    decided_at: datetime | None = None


INVITED = Decision()
# The parts of a goal whose change asks the departments again: what is measured, and for whom.
MEASURED = frozenset({"period_start", "period_end", "department_ids", "key_results"})


def can_decide(actor: Person, department_id: int) -> bool:
    """A department's manager speaks for it; admins for any."""
    return actor.is_admin or actor.manages(department_id)


def on_creation(actor: Person, department_ids: Iterable[int], *, now: datetime) -> dict[int, Decision]:
    return {d: Decision(Participation.ACCEPTED, actor.id, now) if actor.manages(d) else INVITED for d in department_ids}


def after_change(
    decisions: Mapping[int, Decision], department_ids: Iterable[int], *, actor: Person, measured: bool
) -> dict[int, Decision]:
    """Each department's decision once the goal changed: new departments are invited; when what
    the goal measures changed, acceptances of departments the editor does not manage are asked again."""

    def kept(department_id: int) -> Decision:
        decision = decisions.get(department_id, INVITED)
        if measured and decision.status is Participation.ACCEPTED and not actor.manages(department_id):
            return INVITED
        return decision

    return {d: kept(d) for d in department_ids}


def asked_again(before: Mapping[int, Decision], after: Mapping[int, Decision]) -> list[int]:
    """Departments whose acceptance a change withdrew, for the event saying so."""
    return sorted(
        d
        for d, decision in after.items()
        if decision.status is Participation.INVITED and before.get(d, INVITED).status is Participation.ACCEPTED
    )
