"""Who may see and do what with journeys. db.read.journey_visibility mirrors the seeing rules.

- A map is seen by admins, by every manager (maps are how departments plan together), by
  the staff of each department owning one of its touchpoints, and by the sponsor of any of
  its runs.
- A run names a person, so fewer see it: admins, its sponsor, and the staff of the
  departments owning its map's touchpoints (they do the run's work).
- Admins and managers create maps; a manager only maps journeys their department takes
  part in, and revises or retires only those.
- Staff of a touchpoint's department (and admins) start runs; the sponsor, whoever started
  the run, a manager of a touchpoint's department or an admin may cancel one.
- A run is raised by whoever starts it, for its sponsor (the requester of everything it opens).
  Staff name as sponsor themselves, a requester (the people the departments serve), or staff
  of a department taking part (who see the run anyway); only an admin names an admin, or
  staff of a department outside the journey: a starter must not borrow the name, and the
  authority, of someone the journey does not concern.
"""

from __future__ import annotations

from collections.abc import Collection

from domain.journey_runs import JourneyRun
from domain.journeys import JourneyMap
from domain.people import Person, Role


def takes_part(viewer: Person, department_ids: Collection[int]) -> bool:
    return viewer.is_staff and viewer.department_id in department_ids


def can_view_map(viewer: Person, journey: JourneyMap, *, sponsors_a_run: bool = False) -> bool:
    return (
        viewer.is_admin or viewer.role is Role.MANAGER or takes_part(viewer, journey.department_ids) or sponsors_a_run
    )


def can_create_map(viewer: Person, department_ids: Collection[int]) -> bool:
    return viewer.is_admin or (viewer.role is Role.MANAGER and takes_part(viewer, department_ids))


def can_manage_map(viewer: Person, journey: JourneyMap) -> bool:
    return can_create_map(viewer, journey.department_ids)


def can_start_run(viewer: Person, journey: JourneyMap) -> bool:
    return viewer.is_admin or takes_part(viewer, journey.department_ids)


def can_view_run(viewer: Person, run: JourneyRun) -> bool:
    return viewer.is_admin or viewer.id == run.sponsor_id or takes_part(viewer, run.department_ids)


def can_cancel_run(viewer: Person, run: JourneyRun) -> bool:
    return (
        viewer.is_admin
        or viewer.id in (run.sponsor_id, run.started_by_id)
        or (viewer.role is Role.MANAGER and takes_part(viewer, run.department_ids))
    )


def can_sponsor(starter: Person, sponsor: Person, journey: JourneyMap) -> bool:
    return (
        starter.is_admin
        or sponsor.id == starter.id
        or sponsor.role is Role.REQUESTER
        or takes_part(sponsor, journey.department_ids)
    )
