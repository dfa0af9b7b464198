"""The same scenarios against PostGraphile: its documents (bench.peer_operations), the same
records (table ids instead of Relay ids), the same page sizes and the same checks; one side per
release (bench.peers), each sending the documents in its own names."""

from __future__ import annotations

import itertools
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench import peer_operations as ops
from bench.http_client import Call, Reply
from bench.load import Operate, Send, UnexpectedAnswer
from bench.peers import RELEASES
from bench.targets import RowIds

COMMENTS_PREVIEW = 3
FIRST_NUMBER = 1_000_000_000  # request numbers PostGraphile's creates use, far past the seeded ones
RELEASE_SPAN = 100_000_000  # each release numbers its own (they write to the same database)
# Top-level answers that must not be null (the documents alias them so in every release).
REQUIRED = (b'"request":null', b'"viewer":null')


@dataclass(frozen=True)
class PeerSide:
    """A scenario's operation against one PostGraphile release."""

    operate: Operate
    prepare: Callable[[Send, Sequence[int]], Awaitable[None]] | None = None


def every_release(make: Callable[[int], Operate | PeerSide]) -> dict[int, PeerSide]:
    """`make(major)` for each release: its side of the scenario."""
    sides = {major: make(major) for major in RELEASES}
    return {major: side if isinstance(side, PeerSide) else PeerSide(side) for major, side in sides.items()}


def peer_graphql(document: str, variables: dict[str, Any], *, major: int = 5) -> Call:
    body = json.dumps({"query": ops.for_release(document, major), "variables": variables}).encode()
    return Call("POST", "/graphql", body, (("Content-Type", "application/json"),))


def check_read(reply: Reply) -> None:
    if reply.status != 200 or b'"errors"' in reply.body or any(marker in reply.body for marker in REQUIRED):
        raise UnexpectedAnswer(f"HTTP {reply.status}: {reply.body[:300]!r}")


def payload(reply: Reply, field: str, record: str) -> dict[str, Any]:
    answer = json.loads(reply.body) if reply.status == 200 else {}
    if answer.get("errors") or not (answer.get("data") or {}).get(field):
        raise UnexpectedAnswer(f"HTTP {reply.status}: {reply.body[:300]!r}")
    return answer["data"][field][record]


class Rotating:
    def __init__(self, calls: list[Call]):
        self.calls, self.turns = calls, itertools.count()

    async def __call__(self, send: Send, slot: int) -> None:
        check_read(await send(self.calls[next(self.turns) % len(self.calls)]))


def portal_variables(rows: RowIds, *, requester: bool, first: int) -> dict[str, Any]:
    who = {"requesterId": str(rows.requester)} if requester else {"ownerDepartmentId": str(rows.department)}
    visible = {"internal": False} if requester else None
    return {"first": first, "comments": COMMENTS_PREVIEW, "who": who, "visible": visible}


def portal(rows: RowIds, *, major: int, requester: bool, first: int = 50) -> Operate:
    variables = portal_variables(rows, requester=requester, first=first)
    return Rotating([peer_graphql(ops.PORTAL_LIST, variables, major=major)])


def detail(rows: RowIds, *, major: int, page: int = 20) -> Operate:
    return Rotating(
        [peer_graphql(ops.REQUEST_DETAIL, {"row": str(i), "page": page}, major=major) for i in rows.details]
    )


def queue(rows: RowIds, *, major: int, first: int = 50) -> Operate:
    variables = {"department": str(rows.department), "first": first}
    return Rotating([peer_graphql(ops.DEPARTMENT_QUEUE, variables, major=major)])


class CreateRequests:
    def __init__(self, rows: RowIds, *, major: int, first_number: int = FIRST_NUMBER):
        self.rows, self.major = rows, major
        self.numbers = itertools.count(first_number + major * RELEASE_SPAN)

    async def __call__(self, send: Send, slot: int) -> dict[str, Any]:
        number = next(self.numbers)
        request = {
            "number": str(number),
            "title": f"VPN password expired ({number})",
            "status": "NEW",
            "priority": "MEDIUM",
            "serviceId": str(self.rows.service),
            "requestTypeId": str(self.rows.request_type),
            "requesterId": str(self.rows.requester),
            "ownerDepartmentId": str(self.rows.service_department),
            "fields": {"account": "VPN"},
        }
        reply = await send(peer_graphql(ops.CREATE_REQUEST, {"request": request}, major=self.major))
        return payload(reply, "createRequest", "request")


@dataclass
class _Held:
    row: str
    status: str
    version: int


class Transitions:
    """As Tandem's: each worker moves its own request IN_PROGRESS ⇄ WAITING_ON_REQUESTER."""

    def __init__(self, rows: RowIds, *, major: int):
        self.rows, self.major = rows, major
        self.held: dict[int, _Held] = {}

    async def prepare(self, send: Send, slots: Sequence[int]) -> None:
        # Apart from the create scenario's numbers.
        create = CreateRequests(self.rows, major=self.major, first_number=FIRST_NUMBER // 2)
        for slot in slots:
            request = await create(send, slot)
            self.held[slot] = _Held(request["row"], request["status"], request["version"])

    async def __call__(self, send: Send, slot: int) -> None:
        held = self.held[slot]
        to = "WAITING_ON_REQUESTER" if held.status == "IN_PROGRESS" else "IN_PROGRESS"
        patch = {"status": to, "version": held.version + 1, "updatedAt": datetime.now(UTC).isoformat()}
        reply = await send(peer_graphql(ops.UPDATE_REQUEST, {"row": held.row, "patch": patch}, major=self.major))
        request = payload(reply, "updated", "request")
        held.status, held.version = request["status"], request["version"]


def transitions(rows: RowIds, *, major: int) -> PeerSide:
    moving = Transitions(rows, major=major)
    return PeerSide(moving, moving.prepare)


class Comments:
    def __init__(self, rows: RowIds, *, major: int):
        self.rows, self.major, self.turns = rows, major, itertools.count()

    async def __call__(self, send: Send, slot: int) -> None:
        request_id = self.rows.open[next(self.turns) % len(self.rows.open)]
        comment = {
            "requestId": str(request_id),
            "authorId": str(self.rows.agent),
            "body": "Thanks, we are on it and will update you here.",
            "internal": False,
        }
        reply = await send(peer_graphql(ops.CREATE_COMMENT, {"comment": comment}, major=self.major))
        payload(reply, "createComment", "comment")
