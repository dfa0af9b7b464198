"""Every relation goes through a batched dataloader: statements depend on depth, not rows."""

from datetime import UTC, datetime, timedelta

import pytest

from db.uow import SqlUnitOfWork
from domain import commands
from domain.handlers import organisation
from domain.handlers import requests as handle
from tests.support.org import Org
from tests.support.statements import count_statements

PORTAL = """
query($first: Int!) {
  requests(first: $first) { totalCount edges { cursor node {
    number title status
    service { name ownerDepartment { name } collaboratingDepartments { name } requestTypes { name } }
    requestType { name fields { key } }
    requester { name department { name } } assignee { name } ownerDepartment { name }
    fields { key value } sla { breached }
    tasks { title department { name } assignee { name } }
    watchers { name }
    comments(last: 3) { totalCount edges { node { body author { name } } } }
    activity(first: 5) { totalCount edges { node { type actor { name } } } }
  } } }
  departments(first: 10) { edges { node { name stats { open }
    queue(first: $first) { totalCount edges { node { number requester { name } } } } } } }
}"""


async def _raise_many(org: Org, count: int) -> None:
    start = datetime.now(UTC) - timedelta(hours=count)
    for i in range(count):
        now = start + timedelta(minutes=i)
        request_id = await org.raise_request(
            org.employee, request_type="new_laptop", title=f"Laptop {i}", fields={"model": "13-inch"}, now=now
        )
        await handle.add_comment(
            commands.AddComment(request_id=request_id, body=f"Note {i}", internal=i % 2 == 0),
            uow=SqlUnitOfWork(org.engine),
            actor=org.it_agent,
            now=now,
        )
        await handle.assign_request(
            commands.AssignRequest(request_id=request_id, assignee_id=org.it_agent.id, expected_version=1),
            uow=SqlUnitOfWork(org.engine),
            actor=org.it_agent,
            now=now,
        )
        await handle.watch_request(
            commands.WatchRequest(request_id=request_id), uow=SqlUnitOfWork(org.engine), actor=org.it_agent2, now=now
        )


async def _statements(api, viewer, rows: int) -> int:
    """The fewest of three runs: a loader's keys arrive in one batch unless their resolvers' own
    awaits finish on different turns of the event loop, which a loaded machine can make happen
    (one statement more, in either run). That only ever adds; rows never may."""
    counts = []
    for _ in range(3):
        with count_statements(api.engine) as log:
            data = await api.ok(PORTAL, viewer, first=rows)
        assert len(data["requests"]["edges"]) == rows
        counts.append(log.count)
    return min(counts)


@pytest.mark.parametrize("viewer_key", ["it_agent", "admin"])
async def test_statement_count_is_the_same_for_5_and_100_rows(api, org: Org, viewer_key):
    await _raise_many(org, 100)
    viewer = getattr(org, viewer_key)

    five = await _statements(api, viewer, 5)
    hundred = await _statements(api, viewer, 100)

    assert five == hundred
    print(f"\nstatements for {viewer_key}: 5 rows -> {five}, 100 rows -> {hundred}")


async def test_statement_count_does_not_grow_with_the_number_of_departments(api, org: Org):
    # given requests in IT's queue and three departments
    await _raise_many(org, 5)
    with count_statements(api.engine) as log:
        await api.ok(PORTAL, org.admin, first=5)
    three_departments = log.count

    # when seven more departments exist (each with an empty queue and stats)
    for i in range(7):
        await organisation.create_department(
            commands.CreateDepartment(name=f"Dept {i}"),
            uow=SqlUnitOfWork(org.engine),
            actor=org.admin,
            now=datetime.now(UTC),
        )
    with count_statements(api.engine) as log:
        data = await api.ok(PORTAL, org.admin, first=5)

    # then the same statements serve ten departments' queues as three
    assert len(data["departments"]["edges"]) == 10
    assert log.count == three_departments
