"""Concurrent changes to one run: a stage advances exactly once, and nothing deadlocks.

Each change runs in its own unit of work, so on its own pooled connection and transaction;
asyncio.gather puts them in flight together.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from db.uow import SqlUnitOfWork
from domain import commands
from domain import journey_commands as jc
from domain.handlers import journeys as journey_handlers
from domain.handlers import requests as handle
from domain.journeys import MapSpec, StageSpec, TouchpointSpec
from domain.people import Person
from domain.workflow import RequestStatus
from tests.support.journeys import Journeys, build_journeys

ROUNDS = 8


@pytest.fixture
async def journeys(org) -> Journeys:
    return await build_journeys(org)


def two_then_one(journeys: Journeys) -> MapSpec:
    """Stage 1 waits on two departments at once (HR and Facilities); stage 2 on IT."""
    d, rt = journeys.org.departments, journeys.org.request_types
    return MapSpec(
        "Two at once",
        stages=(
            StageSpec(
                "Both",
                touchpoints=(
                    TouchpointSpec(
                        "Contract",
                        d["hr"],
                        rt["contract"],
                        field_values={"employee": "{subject}", "start": "{startDate}"},
                    ),
                    TouchpointSpec(
                        "Workplace", d["facilities"], rt["workplace"], field_values={"first_day": "{startDate}"}
                    ),
                ),
            ),
            StageSpec("Then", touchpoints=(TouchpointSpec("Payslip", d["hr"], rt["payslip"]),)),
        ),
    )


async def rows(engine, sql: str, **params) -> list:
    async with engine.connect() as conn:
        return list(await conn.execute(text(sql), params))


async def move(journeys: Journeys, actor: Person, request_id: int, to: RequestStatus) -> int:
    (version,) = (await rows(journeys.org.engine, "select version from requests where id = :id", id=request_id))[0]
    return await handle.transition_request(
        commands.TransitionRequest(request_id=request_id, to=to, expected_version=version),
        uow=SqlUnitOfWork(journeys.org.engine),
        actor=actor,
        now=datetime.now(UTC),
    )


async def started(journeys: Journeys, map_id: int) -> tuple[int, int, int]:
    """A run whose two first-stage requests are in progress: (run, HR's request, Facilities' request)."""
    org = journeys.org
    run_id = await journeys.start(map_id)
    (contract, workplace) = [
        r.request_id
        for r in await rows(
            org.engine,
            "select request_id from journey_run_requests where run_id = :run order by request_id",
            run=run_id,
        )
    ]
    await move(journeys, org.hr_agent, contract, RequestStatus.IN_PROGRESS)
    await move(journeys, org.fac_agent, workplace, RequestStatus.IN_PROGRESS)
    return run_id, contract, workplace


async def test_resolving_a_stages_last_two_requests_at_once_advances_the_run_exactly_once(journeys: Journeys):
    org = journeys.org
    map_id = await journeys.create_map(two_then_one(journeys))
    for _ in range(ROUNDS):
        # given a run waiting on two requests
        run_id, contract, workplace = await started(journeys, map_id)
        # when HR and Facilities resolve them at the same moment
        outcomes = await asyncio.gather(
            move(journeys, org.hr_agent, contract, RequestStatus.RESOLVED),
            move(journeys, org.fac_agent, workplace, RequestStatus.RESOLVED),
            return_exceptions=True,
        )
        # then both resolutions count, and the run entered its second stage once, opening one request
        assert outcomes == [contract, workplace]
        assert await rows(
            org.engine,
            "select position, left_at is null as open from journey_run_stages where run_id = :run order by position",
            run=run_id,
        ) == [(0, False), (1, True)]
        assert (
            len(
                await rows(
                    org.engine, "select 1 from journey_run_requests where run_id = :run and position = 1", run=run_id
                )
            )
            == 1
        )
        entered = await rows(
            org.engine,
            "select count(*) from events where journey_run_id = :run and type = 'JourneyStageEntered'",
            run=run_id,
        )
        assert entered == [(2,)]


async def test_cancelling_a_run_while_its_requests_are_resolved_neither_deadlocks_nor_leaves_work_open(
    journeys: Journeys,
):
    org = journeys.org
    map_id = await journeys.create_map(two_then_one(journeys))
    for _ in range(ROUNDS):
        # given a run waiting on two requests
        run_id, contract, workplace = await started(journeys, map_id)
        # when both are resolved while the sponsor (who started it) cancels the run
        cancel = journey_handlers.cancel_run(
            jc.CancelJourneyRun(run_id=run_id),
            uow=SqlUnitOfWork(org.engine),
            actor=org.hr_agent,
            now=datetime.now(UTC),
        )
        outcomes = await asyncio.gather(
            move(journeys, org.hr_agent, contract, RequestStatus.RESOLVED),
            cancel,
            move(journeys, org.fac_agent, workplace, RequestStatus.RESOLVED),
            return_exceptions=True,
        )
        # then the cancellation went through, and each resolution either did or was refused by a rule
        # (the request was already cancelled, or changed since it was read): no deadlock, no crash
        assert outcomes[1] == run_id
        for outcome in (outcomes[0], outcomes[2]):
            assert isinstance(outcome, int) or getattr(outcome, "code", None) in (
                "ILLEGAL_TRANSITION",
                "STALE_VERSION",
            ), outcome
        # and the run is cancelled with none of its requests left open
        assert await rows(org.engine, "select status from journey_runs where id = :run", run=run_id) == [("CANCELLED",)]
        assert (
            await rows(
                org.engine,
                """
            select r.id from requests r join journey_run_requests l on l.request_id = r.id
            where l.run_id = :run and r.status not in ('RESOLVED', 'CLOSED', 'CANCELLED')""",
                run=run_id,
            )
            == []
        )
