"""The compiled read path is really taken for what portals send (one SQL statement), and what it
does not cover falls back to normal execution with the same answer."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from api.app import create_app
from api.auth import mint_token
from api.settings import Settings
from bench.operations import DEPARTMENT_QUEUE, PORTAL_LIST, REQUEST_DETAIL
from schema import ids
from tests.compiled.seed import seed
from tests.support.api import FAST_PATHS_ON
from tests.support.compiled import answer, both
from tests.support.org import Org
from tests.support.statements import count_all_statements


@pytest.mark.parametrize("viewer_key", ["it_agent", "employee", "admin"])
async def test_the_portal_list_is_one_statement(api, org: Org, viewer_key):
    # given requests with comments, tasks and watchers
    await seed(org, 12)
    viewer = getattr(org, viewer_key)

    # when the portal list runs compiled, then normally
    async with count_all_statements(api.engine) as compiled_log:
        compiled = await answer(api.engine, PORTAL_LIST, viewer, {"first": 50, "comments": 3}, compiled=True)
    async with count_all_statements(api.engine) as normal_log:
        normal = await answer(api.engine, PORTAL_LIST, viewer, {"first": 50, "comments": 3}, compiled=False)

    # then the compiled path answered, in one statement, the same bytes
    assert compiled.compiled
    assert compiled_log.count == 1
    assert normal_log.count > 1
    assert compiled.body == normal.body


@pytest.mark.parametrize("viewer_key", ["it_agent", "hr_agent", "employee", "admin"])
async def test_the_request_detail_and_the_queue_are_one_statement_each(api, org: Org, viewer_key):
    # given requests with internal notes, tasks, watchers, hand-offs and their event log
    seeded = await seed(org, 12)
    viewer = getattr(org, viewer_key)
    operations = [
        (REQUEST_DETAIL, {"id": ids.encode("Request", request_id), "page": 20}) for request_id in seeded.request_ids
    ]
    operations.append((DEPARTMENT_QUEUE, {"department": org.gid("Department", "it"), "first": 50}))
    for query, variables in operations:
        # when each runs normally, then compiled
        normal = await answer(api.engine, query, viewer, variables, compiled=False)
        async with count_all_statements(api.engine) as log:
            compiled = await answer(api.engine, query, viewer, variables, compiled=True)
        # then the compiled path answered in one statement, the same bytes
        assert compiled.compiled
        assert log.count == 1
        assert compiled.body == normal.body, (viewer_key, variables)


UNSUPPORTED = {
    "a mutation": (
        'mutation { commentAdd(input: {requestId: "UmVxdWVzdDox", body: "hi"}) { userErrors { code } } }',
        {},
    ),
    "introspection": ("{ __schema { queryType { name } } }", {}),
    "tokens of a person named": ('{ apiTokens(personId: "UGVyc29uOjE") { totalCount } }', {}),
    "more than 100 node IDs": ("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["UmVxdWVzdDox"] * 101}),
    "a bad cursor": ('{ requests(after: "nope") { totalCount } }', {}),
    "a negative page size": ("{ requests(first: -1) { totalCount } }", {}),
    "paging both ways": (
        "{ requests(first: 1) { edges { node { comments(first: 1, last: 1) { totalCount } } } } }",
        {},
    ),
    "bad variables": ("query($n: Int) { requests(first: $n) { totalCount } }", {"n": "many"}),
    "a validation error": ("{ requests { nope } }", {}),
}


@pytest.mark.parametrize("case", sorted(UNSUPPORTED))
async def test_what_the_compiler_does_not_cover_falls_back_with_the_same_answer(api, org: Org, case):
    await seed(org, 3)
    query, variables = UNSUPPORTED[case]

    normal, compiled = await both(api.engine, query, org.it_agent, variables)

    assert not compiled.compiled
    assert compiled.body == normal.body


async def test_without_a_viewer_the_answer_is_unauthenticated_as_before(api, org: Org):
    normal, compiled = await both(api.engine, PORTAL_LIST, None, {"first": 5, "comments": 3})

    assert not compiled.compiled
    assert compiled.body == normal.body
    assert '"UNAUTHENTICATED"' in compiled.body


async def test_over_http_the_compiled_answer_is_the_normal_one(database_url, api, org: Org):
    # given a token for an agent and a running app
    await seed(org, 6)
    secret = "s" * 32
    token = mint_token(person_id=org.it_agent.id, email=org.it_agent.email, secret=secret, hours=1)
    # (no budget per minute: its `remaining` would differ from the in-process answer's)
    app = create_app(
        Settings(database_url=database_url, tandem_secret=secret, tandem_cost_per_minute=0, **FAST_PATHS_ON)
    )
    variables = {"first": 10, "comments": 3}
    normal = await answer(api.engine, PORTAL_LIST, org.it_agent, variables, compiled=False)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://tandem.test") as client:
        async with count_all_statements(app.state.engine) as log:
            response = await client.post(
                "/graphql",
                json={"query": PORTAL_LIST, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
        signed_out = await client.post("/graphql", json={"query": PORTAL_LIST, "variables": variables})
    await app.state.engine.dispose()

    # then the body is byte for byte normal execution's, from one statement besides the token's
    # person (read on the driver, db.engine.fetch_one)
    assert response.status_code == 200
    assert response.text == normal.body
    assert log.count == 2 and "from people where id = $1" in log.statements[0]
    # and without a token the answer is the same refusal as before
    assert signed_out.status_code == 401
    assert signed_out.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


TWO_OPERATIONS = """
query Portal { requests(first: 2) { edges { node { title } } } }
mutation Comment { commentAdd(input: {requestId: "UmVxdWVzdDox", body: "hi"}) { userErrors { code } } }
"""


async def test_the_operation_name_picks_what_is_compiled(api, org: Org):
    await seed(org, 3)

    query_normal, query_compiled = await both(api.engine, TWO_OPERATIONS, org.it_agent, operation_name="Portal")
    async with count_all_statements(api.engine) as log:
        compiled = await answer(api.engine, TWO_OPERATIONS, org.it_agent, compiled=True, operation_name="Comment")

    assert query_compiled.compiled
    assert query_compiled.body == query_normal.body
    assert not compiled.compiled  # the mutation runs through its handler
    assert log.count > 1


async def test_a_queue_statement_binds_only_the_viewer_and_reads_the_same_for_the_department(api, org: Org):
    # given two agents of one department and the department's queue
    await seed(org, 12)
    variables = {"department": org.gid("Department", "it"), "first": 50}
    texts = []
    for agent in (org.it_agent, org.it_agent2):
        # when each opens it
        async with count_all_statements(api.engine) as log:
            compiled = await answer(api.engine, DEPARTMENT_QUEUE, agent, variables, compiled=True)
        normal = await answer(api.engine, DEPARTMENT_QUEUE, agent, variables, compiled=False)
        assert compiled.compiled and compiled.body == normal.body
        texts.append(log.statements[0])
    # then the filters, sizes and department are written into one SQL text and the viewer is its only
    # parameter: PostgreSQL's generic plan of it knows the department (no per-row visibility probe)
    assert texts[0] == texts[1]
    assert set(re.findall(r"\$\d+", texts[0])) == {"$1"}


async def test_a_searched_text_stays_a_parameter_whatever_it_holds(api, org: Org):
    # given a search for a text with quotes, a backslash and SQL in it
    await seed(org, 6)
    search = "it's \\' ); drop table requests; --"
    query = "query($s: String) { requests(filter: {search: $s}) { totalCount edges { node { title } } } }"

    # when it runs through both paths
    async with count_all_statements(api.engine) as log:
        normal, compiled = await both(api.engine, query, org.it_agent, {"s": search})

    # then the compiled answer is the normal one and the text never became SQL
    assert compiled.compiled
    assert compiled.body == normal.body
    assert all("drop table" not in statement for statement in log.statements)


async def test_over_http_a_document_answered_before_skips_strawberrys_execution(database_url, api, org: Org):
    # given an app that has compiled and answered the portal list once
    await seed(org, 6)
    secret = "s" * 32
    minted = mint_token(person_id=org.it_agent.id, email=org.it_agent.email, secret=secret, hours=1)
    token = {"Authorization": f"Bearer {minted}"}
    # (no budget per minute: its `remaining` would differ from the in-process answer's)
    app = create_app(
        Settings(database_url=database_url, tandem_secret=secret, tandem_cost_per_minute=0, **FAST_PATHS_ON)
    )
    schema = app.state.graphql.schema
    executed: list[str | None] = []
    execute = schema.execute

    async def counted_execute(query, *args, **kwargs):  # the real execution, counted
        executed.append(query)
        return await execute(query, *args, **kwargs)

    schema.execute = counted_execute
    variables = {"first": 10, "comments": 3}
    normal = await answer(api.engine, PORTAL_LIST, org.it_agent, variables, compiled=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://tandem.test") as client:
        first = await client.post("/graphql", json={"query": PORTAL_LIST, "variables": variables}, headers=token)
        # when the same document comes again, by POST and by GET
        again = await client.post("/graphql", json={"query": PORTAL_LIST, "variables": variables}, headers=token)
        by_get = await client.get(
            "/graphql", params={"query": PORTAL_LIST, "variables": json.dumps(variables)}, headers=token
        )
        # and a document with two operations, answered once as its query, then asked for its mutation by GET
        two = {"query": TWO_OPERATIONS, "operationName": "Portal"}
        await client.post("/graphql", json=two, headers=token)
        mutation_by_get = await client.get("/graphql", params={**two, "operationName": "Comment"}, headers=token)
    await app.state.engine.dispose()

    # then they were answered without strawberry's execution, byte for byte as normal execution
    assert executed == [PORTAL_LIST, TWO_OPERATIONS, TWO_OPERATIONS]
    assert first.text == again.text == by_get.text == normal.body
    # and a mutation is still refused over GET
    assert mutation_by_get.status_code == 405
