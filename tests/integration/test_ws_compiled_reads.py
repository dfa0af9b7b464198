"""Queries sent over a websocket run through the compiled read path as they do over HTTP: the app
served by uvicorn in this process, called by a real graphql-transport-ws client; the answer is the
one HTTP gives, from the compiled path's statements (normal execution would run a dozen)."""

from __future__ import annotations

import httpx
from gql import gql

from api.app import create_app
from api.auth import mint_token
from api.settings import Settings
from tests.compiled.seed import seed
from tests.e2e.live import live_session
from tests.support.api import FAST_PATHS_ON
from tests.support.in_process import uvicorn_serving
from tests.support.org import Org
from tests.support.statements import count_all_statements

SECRET = "ws-compiled-reads-secret-32-bytes!"
PAGE = """query PortalPage {
  viewer { name department { name } }
  requests(first: 5) { totalCount edges { node { number title status requester { name } } } }
  sharedGoals(first: 3) { edges { node { title progress keyResults { current } } } }
  nodes(ids: ["UmVxdWVzdDox", "bm90LWFuLWlk"]) { id }
}"""


async def test_a_query_over_a_websocket_is_answered_compiled_as_over_http(database_url, org: Org):
    # given a varied organisation, and the app serving it
    await seed(org)
    app = create_app(Settings(database_url=database_url, tandem_secret=SECRET, **FAST_PATHS_ON))
    token = mint_token(person_id=org.it_agent.id, email=org.it_agent.email, secret=SECRET, hours=1)
    async with uvicorn_serving(app) as server:
        url = f"http://127.0.0.1:{server.config.port}"
        async with httpx.AsyncClient() as http:
            over_http = await http.post(
                f"{url}/graphql", json={"query": PAGE}, headers={"authorization": f"Bearer {token}"}
            )
        # when the same page is asked for over a websocket
        async with live_session(url, token) as session, count_all_statements(app.state.engine) as log:
            over_ws = await session.execute(gql(PAGE), get_execution_result=True)
    # then its data and errors are HTTP's, read in two statements: the goals page's key results
    # (their figures are shared: schema.goals.shared_figures), then the whole page
    answer = over_http.json()
    assert answer["data"]["requests"]["totalCount"] > 0 and answer["data"]["sharedGoals"]["edges"]
    assert over_ws.data == answer["data"]
    assert [e["extensions"]["code"] for e in over_ws.errors or []] == [
        e["extensions"]["code"] for e in answer.get("errors", [])
    ]
    assert log.count == 2 and "AS kr_id" in log.statements[0], log.statements
