"""The scenarios: two floors (HTTP, GraphQL), the reads a portal and an agent workspace make,
and the writes behind them. Each is one operation that a load worker repeats."""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench import operations as ops
from bench import peer_scenarios as peer
from bench.http_client import Call, Reply
from bench.load import Operate, Send, UnexpectedAnswer
from bench.peer_scenarios import PeerSide, every_release
from bench.targets import CREATE_FIELDS, Targets

COMMENTS_PREVIEW = 3


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: str  # "baseline", "read", "page" (a whole page's reads in one operation) or "write"
    operate: Operate
    # Called once before the scenario runs, with the slots (workers) that will run it.
    prepare: Callable[[Send, Sequence[int]], Awaitable[None]] | None = None
    # The same read at another page size: its statement count must not change.
    at_page_size: Callable[[int], Operate] | None = None
    # The same logical operation against each PostGraphile release (bench.peer_scenarios), by major
    # version; none when PostGraphile has no counterpart.
    peers: dict[int, PeerSide] = field(default_factory=dict)


def graphql(document: str, variables: dict[str, Any] | None = None, *, token: str | None = None) -> Call:
    headers = [("Content-Type", "application/json")]
    if token:
        headers.append(("Authorization", f"Bearer {token}"))
    body = json.dumps({"query": document, "variables": variables or {}}).encode()
    return Call("POST", "/graphql", body, tuple(headers))


def check_read(reply: Reply) -> None:
    # Cheap on purpose: the load generator must not spend its core parsing 100 kB answers.
    # A key "errors" only appears unescaped in the body as a top-level error list.
    if reply.status != 200 or b'"errors"' in reply.body or b'"node":null' in reply.body:
        raise UnexpectedAnswer(f"HTTP {reply.status}: {reply.body[:300]!r}")


def payload(reply: Reply, field: str) -> dict[str, Any]:
    """A mutation's payload; top-level errors and HTTP failures raise."""
    if reply.status != 200:
        raise UnexpectedAnswer(f"HTTP {reply.status}: {reply.body[:300]!r}")
    answer = json.loads(reply.body)
    if answer.get("errors") or not answer.get("data"):
        raise UnexpectedAnswer(f"errors: {answer.get('errors')}")
    return answer["data"][field]


def require_no_user_errors(result: dict[str, Any]) -> None:
    if result["userErrors"]:
        raise UnexpectedAnswer(f"userErrors: {result['userErrors']}")


class Rotating:
    """Sends prepared calls in turn (different records, same shape) and checks each answer."""

    def __init__(self, calls: list[Call], check: Callable[[Reply], None] = check_read):
        self.calls, self.check = calls, check
        self.turns = itertools.count()

    async def __call__(self, send: Send, slot: int) -> None:
        self.check(await send(self.calls[next(self.turns) % len(self.calls)]))


def check_status_200(reply: Reply) -> None:
    if reply.status != 200:
        raise UnexpectedAnswer(f"HTTP {reply.status}")


class CreateRequests:
    def __init__(self, targets: Targets):
        self.targets = targets
        self.turns = itertools.count()

    async def __call__(self, send: Send, slot: int) -> dict[str, Any]:
        t = self.targets
        # A fresh idempotency key per request, as a mobile client sends: its bookkeeping is part of the write.
        call = graphql(
            ops.REQUEST_CREATE,
            {
                "input": {
                    "serviceId": t.service_id,
                    "requestTypeId": t.request_type_id,
                    "priority": "MEDIUM",
                    "title": f"VPN password expired ({next(self.turns)})",
                    "fields": CREATE_FIELDS,
                    "idempotencyKey": uuid.uuid4().hex,
                }
            },
            token=t.requester_token,
        )
        result = payload(await send(call), "requestCreate")
        require_no_user_errors(result)
        return result["request"]


@dataclass
class _Held:
    id: str
    status: str
    version: int


class Transitions:
    """Each worker moves a request of its own IN_PROGRESS ⇄ WAITING_ON_REQUESTER, sending the
    version it last read: no two workers race for one version, so any STALE_VERSION is a bug."""

    def __init__(self, targets: Targets):
        self.targets = targets
        self.held: dict[int, _Held] = {}

    async def prepare(self, send: Send, slots: Sequence[int]) -> None:
        create = CreateRequests(self.targets)
        for slot in slots:
            request = await create(send, slot)
            self.held[slot] = _Held(request["id"], request["status"], request["version"])

    async def __call__(self, send: Send, slot: int) -> None:
        held = self.held[slot]
        to = "WAITING_ON_REQUESTER" if held.status == "IN_PROGRESS" else "IN_PROGRESS"
        call = graphql(
            ops.REQUEST_TRANSITION,
            {"input": {"id": held.id, "to": to, "expectedVersion": held.version}},
            token=self.targets.agent_token,
        )
        result = payload(await send(call), "requestTransition")
        if result["userErrors"]:
            if any(e["code"] == "STALE_VERSION" for e in result["userErrors"]):
                await self._reread(send, held)  # so the next try carries the current version
            raise UnexpectedAnswer(f"userErrors: {result['userErrors']}")
        held.status, held.version = result["request"]["status"], result["request"]["version"]

    async def _reread(self, send: Send, held: _Held) -> None:
        reply = await send(graphql(ops.REQUEST_VERSION, {"id": held.id}, token=self.targets.agent_token))
        node = json.loads(reply.body)["data"]["node"]
        held.status, held.version = node["status"], node["version"]


class Comments:
    """The agent answers on the department's open requests, in turn."""

    def __init__(self, targets: Targets):
        self.targets = targets
        self.turns = itertools.count()

    async def __call__(self, send: Send, slot: int) -> None:
        t = self.targets
        request_id = t.open_ids[next(self.turns) % len(t.open_ids)]
        call = graphql(
            ops.COMMENT_ADD,
            {
                "input": {
                    "requestId": request_id,
                    "body": "Thanks, we are on it and will update you here.",
                    "idempotencyKey": uuid.uuid4().hex,
                }
            },
            token=t.agent_token,
        )
        require_no_user_errors(payload(await send(call), "commentAdd"))


def build_scenarios(targets: Targets, *, list_size: int = 50, detail_size: int = 20) -> list[Scenario]:
    """`list_size` rows per list; `detail_size` comments and events on a request's page."""
    t = targets

    def portal(token: str) -> Callable[[int], Operate]:
        return lambda first: Rotating(
            [graphql(ops.PORTAL_LIST, {"first": first, "comments": COMMENTS_PREVIEW}, token=token)]
        )

    def detail(first: int) -> Operate:
        return Rotating(
            [graphql(ops.REQUEST_DETAIL, {"id": i, "page": first}, token=t.agent_token) for i in t.detail_ids]
        )

    def queue(first: int) -> Operate:
        return Rotating(
            [graphql(ops.DEPARTMENT_QUEUE, {"department": t.department_id, "first": first}, token=t.agent_token)]
        )

    rows = t.rows
    reads = [
        (
            "portal list · agent",
            portal(t.agent_token),
            list_size,
            every_release(lambda major: peer.portal(rows, major=major, requester=False, first=list_size)),
        ),
        (
            "portal list · requester",
            portal(t.requester_token),
            list_size,
            every_release(lambda major: peer.portal(rows, major=major, requester=True, first=list_size)),
        ),
        (
            "request detail (node)",
            detail,
            detail_size,
            every_release(lambda major: peer.detail(rows, major=major, page=detail_size)),
        ),
        (
            "department queue",
            queue,
            list_size,
            every_release(lambda major: peer.queue(rows, major=major, first=list_size)),
        ),
    ]
    transitions = Transitions(t)
    typename = Rotating([graphql(ops.TYPENAME)])
    return [
        Scenario("A: GET /healthz", "baseline", Rotating([Call("GET", "/healthz")], check_status_200)),
        Scenario(
            "B: { __typename }",
            "baseline",
            typename,
            peers=every_release(lambda major: peer.Rotating([peer.peer_graphql(ops.TYPENAME, {}, major=major)])),
        ),
        Scenario("{ __typename } + token", "read", Rotating([graphql(ops.TYPENAME, token=t.agent_token)])),
        *(Scenario(name, "read", make(size), at_page_size=make, peers=other) for name, make, size, other in reads),
        Scenario("goals wallboard", "read", Rotating([graphql(ops.GOALS_WALLBOARD, token=t.agent_token)])),
        Scenario(
            "requestCreate",
            "write",
            CreateRequests(t),
            peers=every_release(lambda m: peer.CreateRequests(rows, major=m)),
        ),
        Scenario(
            "requestTransition",
            "write",
            transitions,
            prepare=transitions.prepare,
            peers=every_release(lambda major: peer.transitions(rows, major=major)),
        ),
        Scenario("commentAdd", "write", Comments(t), peers=every_release(lambda m: peer.Comments(rows, major=m))),
    ]
