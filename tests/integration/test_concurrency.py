"""Concurrent writers on one request: no lost update, no lost comment, no double event."""

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select

from db import tables as t
from db.uow import SqlUnitOfWork
from domain import commands
from domain.errors import StaleVersion
from domain.handlers import requests as handle
from domain.workflow import Priority, RequestStatus
from tests.support.org import Org


async def _count(engine, query) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(query)).scalar_one()


async def test_of_five_racing_updates_on_one_version_exactly_one_wins(org: Org):
    # given a request at version 1
    request_id = await org.raise_request(org.employee)
    now = datetime.now(UTC)

    # when five agents move it at once, each from the version they read
    async def move(to: RequestStatus):
        return await handle.transition_request(
            commands.TransitionRequest(request_id=request_id, to=to, expected_version=1),
            uow=SqlUnitOfWork(org.engine),
            actor=org.it_agent,
            now=now,
        )

    targets = [
        RequestStatus.TRIAGED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.CANCELLED,
        RequestStatus.WAITING_ON_REQUESTER,
        RequestStatus.RESOLVED,
    ]
    outcomes = await asyncio.gather(*(move(to) for to in targets), return_exceptions=True)

    # then one wins, the others are told their version is stale, and one event was written
    assert sum(o == request_id for o in outcomes) == 1
    assert sum(isinstance(o, StaleVersion) for o in outcomes) == 4
    assert await _count(org.engine, select(t.requests.c.version).where(t.requests.c.id == request_id)) == 2
    transitions = (
        select(func.count())
        .select_from(t.events)
        .where(t.events.c.request_id == request_id, t.events.c.type == "RequestTransitioned")
    )
    assert await _count(org.engine, transitions) == 1


async def test_twenty_concurrent_comments_are_all_kept(org: Org):
    request_id = await org.raise_request(org.employee, priority=Priority.HIGH)
    now = datetime.now(UTC)

    async def comment(i: int) -> int:
        actor = org.employee if i % 2 else org.it_agent
        return await handle.add_comment(
            commands.AddComment(request_id=request_id, body=f"comment {i}"),
            uow=SqlUnitOfWork(org.engine),
            actor=actor,
            now=now,
        )

    ids = await asyncio.gather(*(comment(i) for i in range(20)))

    assert len(set(ids)) == 20
    comments = select(func.count()).select_from(t.comments).where(t.comments.c.request_id == request_id)
    events = (
        select(func.count())
        .select_from(t.events)
        .where(t.events.c.request_id == request_id, t.events.c.type == "CommentAdded")
    )
    assert await _count(org.engine, comments) == 20
    assert await _count(org.engine, events) == 20


async def test_a_task_completed_while_the_request_is_resolved_cannot_sneak_past_the_rule(org: Org):
    # given a request with an open Facilities task
    request_id = await org.raise_request(org.employee, request_type="new_laptop", fields={"model": "13-inch"})
    async with org.engine.connect() as conn:
        task_id = (await conn.execute(select(t.tasks.c.id).where(t.tasks.c.request_id == request_id))).scalar_one()
    now = datetime.now(UTC)

    # when Facilities completes it while IT tries to resolve, at the same moment
    complete = handle.complete_task(
        commands.CompleteTask(task_id=task_id), uow=SqlUnitOfWork(org.engine), actor=org.fac_agent, now=now
    )
    resolve = handle.transition_request(
        commands.TransitionRequest(request_id=request_id, to=RequestStatus.RESOLVED, expected_version=1),
        uow=SqlUnitOfWork(org.engine),
        actor=org.it_agent,
        now=now,
    )
    await asyncio.gather(complete, resolve, return_exceptions=True)

    # then whichever ran first, the resolve is refused: before the completion the task is open
    # (TASKS_OPEN); after it, the version the resolve read is stale (STALE_VERSION)
    async with org.engine.connect() as conn:
        status = (await conn.execute(select(t.requests.c.status).where(t.requests.c.id == request_id))).scalar_one()
        task_status = (await conn.execute(select(t.tasks.c.status).where(t.tasks.c.id == task_id))).scalar_one()
    assert task_status == "DONE"
    assert status == "NEW"


async def test_the_last_two_tasks_completed_at_once_resume_the_request(org: Org):
    """The second completion waits for the first's row lock; it must then see the first task done
    (read after the lock, not in the locking statement's older snapshot), or the request stays
    waiting on departments whose work is finished."""
    now = datetime.now(UTC)
    for _round in range(5):
        # given a request waiting on Facilities and HR, one open task each
        request_id = await org.raise_request(org.employee, request_type="new_laptop", fields={"model": "13-inch"})
        await handle.add_task(
            commands.AddTask(request_id=request_id, title="Payroll note", department_id=org.departments["hr"]),
            uow=SqlUnitOfWork(org.engine),
            actor=org.it_agent,
            now=now,
        )
        version = await _count(org.engine, select(t.requests.c.version).where(t.requests.c.id == request_id))
        for to in (RequestStatus.TRIAGED, RequestStatus.WAITING_ON_DEPARTMENT):
            await handle.transition_request(
                commands.TransitionRequest(request_id=request_id, to=to, expected_version=version),
                uow=SqlUnitOfWork(org.engine),
                actor=org.it_agent,
                now=now,
            )
            version += 1
        async with org.engine.connect() as conn:
            tasks = (
                await conn.execute(
                    select(t.tasks.c.id, t.tasks.c.department_id).where(t.tasks.c.request_id == request_id)
                )
            ).all()
        agents = {org.departments["facilities"]: org.fac_agent, org.departments["hr"]: org.hr_agent}
        # when both departments complete their task at the same moment
        await asyncio.gather(
            *(
                handle.complete_task(
                    commands.CompleteTask(task_id=task.id),
                    uow=SqlUnitOfWork(org.engine),
                    actor=agents[task.department_id],
                    now=now,
                )
                for task in tasks
            )
        )
        # then the request resumes
        status = select(t.requests.c.status).where(t.requests.c.id == request_id)
        async with org.engine.connect() as conn:
            assert (await conn.execute(status)).scalar_one() == "IN_PROGRESS"
