"""Which things happen to a request on its way to the status it has today."""

from __future__ import annotations

from api.demo.acts import Step
from api.demo.story_writer import StoryWriter
from domain.workflow import RequestStatus

S = RequestStatus

# Cross-department work an owner asks for when the form brought none of its own.
FALLBACK_TASKS = {
    "it": ("Approve the cost", "finance"),
    "facilities": ("Check the network points", "it"),
    "hr": ("Confirm the budget", "finance"),
    "finance": ("Confirm the employee's details", "hr"),
}


def write_story(writer: StoryWriter, target: RequestStatus) -> list[Step]:
    writer.raise_request()
    if target is S.NEW:
        if writer.chance(0.3):
            writer.nudge()
    elif target is S.CANCELLED and writer.chance(0.5):
        writer.cancel_by_requester()
    else:
        _triage(writer, target)
        if target is S.CANCELLED:
            writer.cancel_by_agent()
        elif target is not S.TRIAGED:
            _work(writer, target)
            if target in (S.RESOLVED, S.CLOSED):
                _finish(writer, target)
    return writer.steps


def _triage(writer: StoryWriter, target: RequestStatus) -> None:
    if writer.offering.service.handoff and writer.chance(0.3):
        writer.hand_off()
    straight_to_work = target is not S.TRIAGED and writer.chance(0.35)
    writer.triage(S.IN_PROGRESS if straight_to_work else S.TRIAGED)
    if writer.chance(0.15):
        writer.copy_in_colleague()


def _work(writer: StoryWriter, target: RequestStatus) -> None:
    if writer.status is S.TRIAGED:
        writer.start()
    if writer.chance(0.12):
        writer.reprioritise()
    if writer.chance(0.4):
        writer.internal_note()
    if writer.offering.service.extra_task and writer.chance(0.2):
        writer.add_task(*_extra_task(writer))
    if target is S.WAITING_ON_REQUESTER or writer.chance(0.2):
        writer.ask_requester()
        if target is S.WAITING_ON_REQUESTER:
            return
        writer.requester_replies()
    if target is S.WAITING_ON_DEPARTMENT:
        if not writer.open_tasks:
            writer.add_task(*_extra_task(writer))
        writer.wait_on_departments(leave_open=True)
    elif writer.open_tasks and (target is not S.IN_PROGRESS or writer.chance(0.5)):
        writer.wait_on_departments(leave_open=target is S.IN_PROGRESS)
        if target is S.IN_PROGRESS and writer.status is not S.IN_PROGRESS:
            writer.move(writer.owner_agent(), S.IN_PROGRESS, "Carrying on while the other teams finish")
    if target is S.IN_PROGRESS and writer.chance(0.5):
        writer.progress_note()


def _extra_task(writer: StoryWriter) -> tuple[str, str]:
    spec = writer.offering.service.extra_task
    if spec is not None and spec.department != writer.owner:
        return spec.title, spec.department
    return FALLBACK_TASKS[writer.owner]


def _finish(writer: StoryWriter, target: RequestStatus) -> None:
    writer.resolve()
    if target is S.CLOSED and writer.chance(0.08):
        writer.reopen()
        writer.work(0.05, 0.3)
        writer.resolve()
    rate_first = writer.chance(0.5)
    rated = writer.chance(0.55)
    if rated and rate_first:
        writer.rate()
    if target is S.CLOSED:
        writer.close()
    if rated and not rate_first:
        writer.rate()
