"""The cost is checked, charged and reported on every path an HTTP operation may take: strawberry's
execution (with the compiled read inside it), the view's shortcut for documents validated before
(compiled reads and direct mutations), and normal execution. The compiled answer's `data` stays
byte for byte normal execution's."""

from __future__ import annotations

from typing import Any

import httpx
from graphql import parse

from api.app import create_app
from api.auth import mint_token
from api.settings import Settings
from bench.operations import PORTAL_LIST
from domain.people import Person
from schema import ids
from tests.compiled.seed import seed
from tests.support.api import FAST_PATHS_ON, SCHEMA
from tests.support.compiled import answer
from tests.support.database import snapshot
from tests.support.org import Org
from tests.support.statements import count_all_statements

SECRET = "s" * 32
PAGE = {"first": 10, "comments": 3}
SMALL_LIST = "{ requests(first: 5) { edges { node { number } } } }"  # compiled: 1 + 5 x 3
COMMENT_ADD = """mutation Comment($input: CommentAddInput!) { commentAdd(input: $input) {
  comment { id body author { name } } userErrors { field code message } } }"""


def cost_of(query: str, variables: dict[str, Any] | None = None) -> int:
    limits = SCHEMA.tandem_limits.documents
    return limits.shape(SCHEMA._schema, None, parse(query)).operation(None).cost(variables)


def data_text(body: str) -> str:
    """The body up to its `extensions` (the last member): the `data` bytes."""
    return body[: body.rindex(',"extensions":')]


class Served:
    """The app in-process, behind a real ASGI client, with the schema's executions counted."""

    def __init__(self, database_url: str, **settings: Any):
        self.app = create_app(
            Settings(database_url=database_url, tandem_secret=SECRET, **{**FAST_PATHS_ON, **settings})
        )
        self.schema = self.app.state.graphql.schema
        self.executed: list[str] = []
        execute = self.schema.execute

        async def counted(query, *args, **kwargs):  # the real execution, counted
            self.executed.append(query)
            return await execute(query, *args, **kwargs)

        self.schema.execute = counted
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://tandem.test")

    async def post(self, viewer: Person, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        token = mint_token(person_id=viewer.id, email=viewer.email, secret=SECRET, hours=1)
        return await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}"},
        )

    async def close(self) -> None:
        await self.client.aclose()
        await self.app.state.engine.dispose()


async def test_compiled_answers_report_their_cost_and_keep_normal_execution_s_data(database_url, api, org: Org):
    # given requests with comments, and the answer normal execution gives in-process
    await seed(org, 6)
    normal = await answer(api.engine, PORTAL_LIST, org.it_agent, PAGE, compiled=False)
    served = Served(database_url)
    cost = cost_of(PORTAL_LIST, PAGE)
    try:
        # when the portal list comes twice: validated and compiled in strawberry, then by the shortcut
        async with count_all_statements(served.app.state.engine) as first_log:
            first = await served.post(org.it_agent, PORTAL_LIST, PAGE)
        async with count_all_statements(served.app.state.engine) as second_log:
            second = await served.post(org.it_agent, PORTAL_LIST, PAGE)
    finally:
        await served.close()

    # then both were compiled reads (one statement, besides the token's person), the second without strawberry
    assert [log.count - ("from people" in log.statements[0]) for log in (first_log, second_log)] == [1, 1]
    assert served.executed == [PORTAL_LIST]
    # and their data are normal execution's bytes
    assert data_text(first.text) == data_text(second.text) == data_text(normal.body)
    # and each reports its cost and what remains of the minute's budget
    reports = [r.json()["extensions"]["cost"] for r in (first, second)]
    assert reports[0] == {
        "requested": cost,
        "budget": 100_000,
        "budgetPerMinute": 500_000,
        "remaining": 500_000 - cost,
        "resetsIn": reports[0]["resetsIn"],
    }
    assert reports[1]["requested"] == cost and reports[1]["remaining"] <= 500_000 - cost
    assert normal.body.endswith(f',"extensions":{{"cost":{{"requested":{cost},"budget":100000}}}}}}')


async def test_direct_mutations_and_normal_execution_report_their_cost(database_url, org: Org):
    request = ids.encode("Request", await org.raise_request(org.employee, title="Dock"))
    served = Served(database_url)
    direct = served.schema.tandem_direct
    try:
        # when a mutation comes twice (strawberry validates it, then the shortcut runs it directly)
        validated = await served.post(org.it_agent, COMMENT_ADD, {"input": {"requestId": request, "body": "One"}})
        answered_before = direct.answered
        again = await served.post(org.it_agent, COMMENT_ADD, {"input": {"requestId": request, "body": "Two"}})
        # and a query only normal execution answers
        goals = await served.post(org.it_agent, "{ sharedGoals(first: 10) { edges { node { progress } } } }")
    finally:
        await served.close()

    # then the second ran directly, and every answer reports its cost
    assert direct.answered == answered_before + 1
    assert again.json()["data"]["commentAdd"]["comment"]["body"] == "Two"
    for response, query in (
        (validated, COMMENT_ADD),
        (again, COMMENT_ADD),
        (goals, "{ sharedGoals(first: 10) { edges { node { progress } } } }"),
    ):
        report = response.json()["extensions"]["cost"]
        assert report["requested"] == cost_of(query) and report["remaining"] <= 500_000 - cost_of(query)


async def test_a_spent_budget_refuses_on_the_shortcut_too_and_runs_nothing(database_url, api, org: Org):
    # given a budget per minute of exactly one small compiled list and one (refused) comment
    request = ids.encode("Request", await org.raise_request(org.employee, title="Dock"))
    per_minute = cost_of(SMALL_LIST) + cost_of(COMMENT_ADD)
    served = Served(database_url, tandem_cost_per_minute=per_minute)
    direct = served.schema.tandem_direct
    try:
        # (the comment on a request that does not exist writes nothing, and is validated)
        lost = await served.post(org.it_agent, COMMENT_ADD, {"input": {"requestId": "UmVxdWVzdDo5OTk5", "body": "x"}})
        assert lost.json()["data"]["commentAdd"]["userErrors"][0]["code"] == "NOT_FOUND"
        assert (await served.post(org.it_agent, SMALL_LIST)).json()["extensions"]["cost"]["remaining"] == 0
        before = await snapshot(api.engine)
        answered_before = direct.answered

        # when the list and a real comment come again, each by the shortcut
        async with count_all_statements(served.app.state.engine) as log:
            listed = await served.post(org.it_agent, SMALL_LIST)
            commented = await served.post(org.it_agent, COMMENT_ADD, {"input": {"requestId": request, "body": "y"}})
    finally:
        await served.close()

    # then both are refused with 429 and when to retry, and nothing ran or changed
    for refused in (listed, commented):
        assert refused.status_code == 429
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert int(refused.headers["retry-after"]) == refused.json()["errors"][0]["extensions"]["retryAfter"] >= 1
        assert "data" not in refused.json()
    assert served.executed == [COMMENT_ADD, SMALL_LIST]
    assert direct.answered == answered_before
    assert all("from people" in statement for statement in log.statements)
    assert await snapshot(api.engine) == before
