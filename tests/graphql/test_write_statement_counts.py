"""A request command reads the request whole in one statement and writes everything in one (then
waits for its flush, db.durability): the statements do not grow with the request's tasks, watchers
or comments."""

from datetime import UTC, datetime

from db import durability
from db.uow import SqlUnitOfWork
from domain import commands
from domain.handlers import requests as handle
from schema import ids
from tests.graphql.request_ops import COMMENT_ADD, ok
from tests.support.org import Org
from tests.support.statements import count_all_statements

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


async def _busy_request(org: Org, *, tasks: int, watchers: int) -> int:
    request_id = await org.raise_request(org.employee, request_type="new_laptop", fields={"model": "13-inch"}, now=NOW)
    for i in range(tasks):
        await handle.add_task(
            commands.AddTask(request_id=request_id, title=f"Step {i}", department_id=org.departments["hr"]),
            uow=SqlUnitOfWork(org.engine),
            actor=org.it_agent,
            now=NOW,
        )
    for person in [org.it_agent, org.it_agent2, org.it_manager, org.other, org.hr_agent][:watchers]:
        await handle.watch_request(
            commands.WatchRequest(request_id=request_id, person_id=person.id),
            uow=SqlUnitOfWork(org.engine),
            actor=org.it_manager,
            now=NOW,
        )
    return request_id


async def _comment_statements(api, org: Org, request_id: int) -> list[str]:
    async with count_all_statements(api.engine) as log:
        ok(
            await api.mutate(
                COMMENT_ADD,
                org.it_agent,
                input={
                    "requestId": ids.encode("Request", request_id),
                    "body": "On it",
                    "idempotencyKey": f"k-{request_id}",
                },
            ),
            "comment",
        )
    return log.statements


async def test_comment_add_is_one_read_and_one_write_however_busy_the_request(api, org: Org):
    # given a bare request and one with six tasks and five watchers
    bare = await _busy_request(org, tasks=0, watchers=0)
    busy = await _busy_request(org, tasks=5, watchers=5)

    # when an agent comments on each (its payload asks for the comment and its author)
    on_bare = await _comment_statements(api, org, bare)
    on_busy = await _comment_statements(api, org, busy)

    # then each takes the same three statements: the read, the write, and the wait for its flush
    assert len(on_bare) == len(on_busy) == 3, on_busy
    assert on_busy[2] == durability.FLUSHED


MOVE = """mutation($input: RequestTransitionInput!) { requestTransition(input: $input) {
  request { id status version updatedAt } userErrors { code } } }"""


async def test_transition_is_one_read_and_one_write_however_busy_the_request(api, org: Org):
    bare = await _busy_request(org, tasks=0, watchers=0)
    busy = await _busy_request(org, tasks=5, watchers=5)
    statements = []
    for request_id, version in ((bare, 1), (busy, 11)):
        async with count_all_statements(api.engine) as log:
            moved = ok(
                await api.mutate(
                    MOVE,
                    org.it_agent,
                    input={"id": ids.encode("Request", request_id), "to": "TRIAGED", "expectedVersion": version},
                )
            )
        assert moved["status"] == "TRIAGED" and moved["version"] == version + 1
        statements.append(log.statements)
    assert len(statements[0]) == len(statements[1]) == 3, statements[1]


RAISE = """mutation($input: RequestCreateInput!) { requestCreate(input: $input) {
  request { id number status } userErrors { code } } }"""


async def test_create_is_one_read_the_ids_and_one_write_with_or_without_tasks(api, org: Org):
    statements = []
    for request_type, fields in (("payslip", []), ("new_laptop", [{"key": "model", "value": "13-inch"}])):
        service = "payroll" if request_type == "payslip" else "laptops"
        async with count_all_statements(api.engine) as log:
            ok(
                await api.mutate(
                    RAISE,
                    org.employee,
                    input={
                        "serviceId": org.gid("Service", service),
                        "requestTypeId": org.gid("RequestType", request_type),
                        "title": "Help",
                        "fields": fields,
                        "idempotencyKey": request_type,
                    },
                )
            )
        statements.append(log.statements)
    # the form, the ids (once it passed), the write, the wait for its flush: tasks or none
    assert len(statements[0]) == len(statements[1]) == 4, statements[1]
