"""The optimistic write path (db.optimistic): races on one request, retries and the fallback."""

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from sqlalchemy import func, select, text

from db import tables as t
from db.engine import create_engine
from db.optimistic import runner
from db.optimistic.uow import OpeningUnitOfWork, OptimisticUnitOfWork
from db.uow import SqlUnitOfWork
from domain import commands
from domain.errors import InvalidField, StaleVersion
from domain.handlers import requests as handle
from domain.workflow import RequestStatus
from tests.support.database import asyncpg_dsn
from tests.support.journeys import build_journeys
from tests.support.org import Org

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


async def _scalar(engine, query):
    async with engine.connect() as conn:
        return (await conn.execute(query)).scalar_one()


async def _request(engine, request_id):
    async with engine.connect() as conn:
        return (await conn.execute(select(t.requests).where(t.requests.c.id == request_id))).one()


def _events(request_id, type_):
    return (
        select(func.count()).select_from(t.events).where(t.events.c.request_id == request_id, t.events.c.type == type_)
    )


def _comments(request_id):
    return select(func.count()).select_from(t.comments).where(t.comments.c.request_id == request_id)


async def _comment(org, actor, request_id, body, *, now, key=None, engine=None, **options):
    return await runner.run(
        handle.add_comment,
        commands.AddComment(request_id=request_id, body=body, idempotency_key=key),
        engine=engine or org.engine,
        actor=actor,
        now=now,
        **options,
    )


async def test_two_comments_at_once_both_land_and_the_earlier_is_the_first_response(org: Org):
    for _round in range(5):
        # given a new request nobody has answered
        request_id = await org.raise_request(org.employee, now=NOW - timedelta(hours=1))

        # when two agents answer at once, the later clock possibly written first
        (first, uow1), (second, uow2) = await asyncio.gather(
            _comment(org, org.it_agent2, request_id, "later", now=NOW + timedelta(seconds=5)),
            _comment(org, org.it_agent, request_id, "earlier", now=NOW),
        )

        # then both comments and both events landed, through the optimistic path
        assert first != second
        assert isinstance(uow1, OptimisticUnitOfWork) or isinstance(uow2, OptimisticUnitOfWork)
        assert await _scalar(org.engine, _comments(request_id)) == 2
        assert await _scalar(org.engine, _events(request_id, "CommentAdded")) == 2
        # the first response is the earlier answer, updated_at the later one; comments keep the version
        row = await _request(org.engine, request_id)
        assert row.first_response_at == NOW
        assert row.updated_at == NOW + timedelta(seconds=5)
        assert row.version == 1


async def test_a_requester_reply_racing_a_resolve_loses_no_update(org: Org):
    for _round in range(5):
        # given a request waiting on its requester (version 2)
        request_id = await org.raise_request(org.employee, now=NOW - timedelta(hours=1))
        await runner.run(
            handle.transition_request,
            commands.TransitionRequest(
                request_id=request_id, to=RequestStatus.WAITING_ON_REQUESTER, expected_version=1
            ),
            engine=org.engine,
            actor=org.it_agent,
            now=NOW - timedelta(minutes=30),
        )

        # when the requester replies while the agent resolves from version 2
        reply = _comment(org, org.employee, request_id, "Here is the answer", now=NOW)
        resolve = runner.run(
            handle.transition_request,
            commands.TransitionRequest(request_id=request_id, to=RequestStatus.RESOLVED, expected_version=2),
            engine=org.engine,
            actor=org.it_agent,
            now=NOW,
        )
        _, resolved = await asyncio.gather(reply, resolve, return_exceptions=True)

        # then the reply always lands; either the resolve came first (the reply leaves it resolved)
        # or the reply moved the request back to work and the resolve is refused as stale
        row = await _request(org.engine, request_id)
        assert await _scalar(org.engine, _comments(request_id)) == 1
        assert await _scalar(org.engine, _events(request_id, "RequestTransitioned")) == 2
        assert row.version == 3
        if isinstance(resolved, StaleVersion):
            assert row.status == "IN_PROGRESS" and row.sla_paused_at is None
        else:
            assert resolved[0] == request_id and row.status == "RESOLVED"


class _AlwaysOvertaken(OptimisticUnitOfWork):
    """Another writer changes the request between every read and write: the guard never holds."""

    tries = 0

    async def commit(self) -> None:
        type(self).tries += 1
        conn = await asyncpg.connect(self.dsn)
        try:
            await conn.execute("update requests set updated_at = updated_at where id = $1", self.plan.request_id)
        finally:
            await conn.close()
        await super().commit()


async def test_when_every_try_is_overtaken_the_locking_path_writes_it_once(org: Org, database_url):
    # given a request, and writers that always overtake the optimistic tries
    request_id = await org.raise_request(org.employee, now=NOW)
    _AlwaysOvertaken.dsn = asyncpg_dsn(database_url)
    _AlwaysOvertaken.tries = 0

    # when an agent comments
    comment_id, uow = await _comment(
        org, org.it_agent, request_id, "Looking", now=NOW, key="k1", optimistic=_AlwaysOvertaken
    )

    # then every try was made, the lock wrote it, once, with its one event and its key
    assert _AlwaysOvertaken.tries == runner.ATTEMPTS
    assert isinstance(uow, SqlUnitOfWork)
    assert await _scalar(org.engine, _comments(request_id)) == 1
    assert await _scalar(org.engine, _events(request_id, "CommentAdded")) == 1
    assert await _scalar(org.engine, select(t.idempotency_keys.c.result_id)) == comment_id


async def test_the_same_key_twice_at_once_writes_one_comment(org: Org):
    request_id = await org.raise_request(org.employee, now=NOW)

    results = await asyncio.gather(
        *(_comment(org, org.it_agent, request_id, "Once", now=NOW, key="same") for _ in range(4))
    )

    assert len({comment_id for comment_id, _ in results}) == 1
    assert await _scalar(org.engine, _comments(request_id)) == 1
    assert await _scalar(org.engine, _events(request_id, "CommentAdded")) == 1


async def test_a_request_of_a_journey_run_takes_the_locking_path(org: Org):
    # given the contract request a journey run opened
    journeys = await build_journeys(org)
    run_id = await journeys.start(journeys.maps["onboarding"], now=NOW)
    request_id = await _scalar(org.engine, select(t.requests.c.id).where(t.requests.c.journey_run_id == run_id))

    # when HR moves it, the run's lock is taken first, as for every change to a run
    _, uow = await runner.run(
        handle.transition_request,
        commands.TransitionRequest(request_id=request_id, to=RequestStatus.TRIAGED, expected_version=1),
        engine=org.engine,
        actor=org.hr_agent,
        now=NOW,
    )

    assert isinstance(uow, SqlUnitOfWork)
    assert (await _request(org.engine, request_id)).status == "TRIAGED"


async def test_writes_commit_asynchronously_only_their_own_transaction(org: Org, database_url):
    # given an engine with one connection, so every step below runs on the same one
    engine = create_engine(database_url, pool_size=1)
    _AlwaysOvertaken.dsn = asyncpg_dsn(database_url)
    try:
        request_id = await org.raise_request(org.employee, now=NOW)

        # when a comment (the optimistic path) and a request (the locking one) are written on it
        await _comment(org, org.it_agent, request_id, "On it", now=NOW, engine=engine)
        await runner.run(
            handle.transition_request,
            commands.TransitionRequest(request_id=request_id, to=RequestStatus.TRIAGED, expected_version=1),
            engine=engine,
            actor=org.it_agent,
            now=NOW,
            optimistic=_AlwaysOvertaken,
        )

        # then the connection's later transactions commit synchronously again (db.durability)
        async with engine.connect() as conn:
            assert (await conn.execute(text("show synchronous_commit"))).scalar_one() == "on"
    finally:
        await engine.dispose()


async def _raise(org, actor, *, key=None, fields=None, request_type="new_laptop"):
    async def refs(values):
        return set(values)

    return await runner.run(
        handle.create_request,
        commands.CreateRequest(
            service_id=org.services["laptops"],
            title="New laptop",
            request_type_id=org.request_types[request_type],
            fields=fields if fields is not None else {"model": "13-inch"},
            idempotency_key=key,
        ),
        engine=org.engine,
        actor=actor,
        now=NOW,
        person_refs=refs,
    )


async def test_the_same_create_key_four_times_at_once_opens_one_request(org: Org):
    results = await asyncio.gather(*(_raise(org, org.employee, key="laptop-1") for _ in range(4)))

    assert len({request_id for request_id, _ in results}) == 1
    assert await _scalar(org.engine, select(func.count()).select_from(t.requests)) == 1
    assert await _scalar(org.engine, select(func.count()).select_from(t.tasks)) == 1
    assert (
        await _scalar(org.engine, select(func.count()).select_from(t.events).where(t.events.c.type == "RequestCreated"))
        == 1
    )


async def test_a_refused_request_spends_no_number(org: Org):
    # given one request raised without a lock
    first, uow = await _raise(org, org.employee)
    assert isinstance(uow, OpeningUnitOfWork)

    # when one is refused (its form misses a required field), then another raised
    with pytest.raises(InvalidField):
        await _raise(org, org.employee, fields={})
    second, _ = await _raise(org, org.employee)

    # then the numbers follow each other, and the refused one wrote nothing
    numbers = select(t.requests.c.number).where(t.requests.c.id.in_([first, second])).order_by(t.requests.c.id)
    async with org.engine.connect() as conn:
        assert list((await conn.execute(numbers)).scalars()) == [1001, 1002]
    assert await _scalar(org.engine, select(func.count()).select_from(t.requests)) == 2


async def test_keyed_commands_run_without_a_lock_and_say_what_they_wrote(org: Org):
    # given a requester raising a request and an agent answering, each with an idempotency key
    request_id, opened = await _raise(org, org.employee, key="laptop-2")
    comment_id, commented = await _comment(org, org.it_agent, request_id, "On it", now=NOW, key="answer-1")

    # then both ran without a lock (the handlers' read plans name the keys they claim), and each
    # unit of work says what it wrote, for the payloads to answer from
    assert isinstance(opened, OpeningUnitOfWork) and isinstance(commented, OptimisticUnitOfWork)
    assert opened.written.request is not None and opened.written.request.id == request_id
    assert commented.written.request is not None and commented.written.request.id == request_id
    assert [c.id for c in commented.written.comments] == [comment_id]

    # when the comment is sent again with its key, nothing is written: the payload reads it back
    again, replayed = await _comment(org, org.it_agent, request_id, "On it", now=NOW, key="answer-1")
    assert again == comment_id
    assert replayed.written.request is None and replayed.written.comment(comment_id) is None
    assert await _scalar(org.engine, _comments(request_id)) == 1
