"""`last`/`before` on a request's comments and activity: the newest first, shown in order."""

from datetime import UTC, datetime, timedelta

from db.uow import SqlUnitOfWork
from domain import commands
from domain.handlers import requests as handle
from schema import ids
from tests.support.org import Org

COMMENTS = """query($id: ID!, $last: Int, $before: String, $first: Int) { node(id: $id) { ... on Request {
  comments(last: $last, before: $before, first: $first) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { body } } } } } }"""


async def _request_with_comments(org: Org, count: int, *, internal_every: int = 0) -> str:
    start = datetime.now(UTC) - timedelta(hours=1)
    request_id = await org.raise_request(org.employee, now=start)
    for i in range(1, count + 1):
        internal = bool(internal_every) and i % internal_every == 0
        await handle.add_comment(
            commands.AddComment(request_id=request_id, body=f"c{i}", internal=internal),
            uow=SqlUnitOfWork(org.engine),
            actor=org.it_agent,
            now=start + timedelta(minutes=i),
        )
    return ids.encode("Request", request_id)


def _bodies(data) -> list[str]:
    return [e["node"]["body"] for e in data["node"]["comments"]["edges"]]


async def test_last_pages_backwards_from_the_newest(api, org: Org):
    request = await _request_with_comments(org, 7)

    newest = await api.ok(COMMENTS, org.employee, id=request, last=3)
    assert _bodies(newest) == ["c5", "c6", "c7"]
    info = newest["node"]["comments"]["pageInfo"]
    assert (info["hasPreviousPage"], info["hasNextPage"]) == (True, False)

    middle = await api.ok(COMMENTS, org.employee, id=request, last=3, before=info["startCursor"])
    assert _bodies(middle) == ["c2", "c3", "c4"]
    oldest = await api.ok(
        COMMENTS, org.employee, id=request, last=3, before=middle["node"]["comments"]["pageInfo"]["startCursor"]
    )
    assert _bodies(oldest) == ["c1"]
    info = oldest["node"]["comments"]["pageInfo"]
    assert (info["hasPreviousPage"], info["hasNextPage"]) == (False, True)
    assert oldest["node"]["comments"]["totalCount"] == 7


async def test_backward_pages_still_hide_internal_notes_from_requesters(api, org: Org):
    request = await _request_with_comments(org, 6, internal_every=2)  # c2, c4, c6 are internal

    as_requester = await api.ok(COMMENTS, org.employee, id=request, last=2)
    as_agent = await api.ok(COMMENTS, org.it_agent, id=request, last=2)

    assert _bodies(as_requester) == ["c3", "c5"]
    assert _bodies(as_agent) == ["c5", "c6"]


async def test_each_request_in_a_list_gets_its_own_newest_comments(api, org: Org):
    first = await _request_with_comments(org, 4)
    second = await _request_with_comments(org, 2)
    data = await api.ok(
        """{ requests(first: 10, orderBy: {field: NUMBER, direction: ASC}) { edges { node { id
        comments(last: 2) { edges { node { body } } } } } } }""",
        org.it_agent,
    )
    newest = {
        e["node"]["id"]: [c["node"]["body"] for c in e["node"]["comments"]["edges"]] for e in data["requests"]["edges"]
    }
    assert newest == {first: ["c3", "c4"], second: ["c1", "c2"]}


async def test_paging_both_ways_at_once_is_refused(api, org: Org):
    request = await _request_with_comments(org, 2)
    result = await api.run(COMMENTS, org.employee, id=request, last=1, first=1)
    assert result.errors[0].extensions["code"] == "BAD_USER_INPUT"
    assert "not both" in result.errors[0].message


async def test_the_latest_activity(api, org: Org):
    request = await _request_with_comments(org, 3)
    data = await api.ok(
        """query($id: ID!) { node(id: $id) { ... on Request {
        activity(last: 2) { edges { node { type summary } } } } } }""",
        org.it_agent,
        id=request,
    )
    summaries = [e["node"]["summary"] for e in data["node"]["activity"]["edges"]]
    assert summaries == ["Commented: c2", "Commented: c3"]
