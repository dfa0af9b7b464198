"""The same scenarios against PostGraphile: its documents (bench.peer_operations), the same
records (table ids instead of Relay ids), the same page sizes and the same checks."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench import peer_operations as ops
from bench.http_client import Call, Reply
from bench.load import Operate, Send, UnexpectedAnswer
from bench.targets import RowIds

COMMENTS_PREVIEW = 3
FIRST_NUMBER = 1_000_000_000  # request numbers PostGraphile's creates use, far past the seeded ones


def peer_graphql(document: str, variables: dict[str, Any]) -> Call:
    body = json.dumps({"query": document, "variables": variables}).encode()
    return Call("POST", "/graphql", body, (("Content-Type", "application/json"),))


def check_read(reply: Reply) -> None:
    if reply.status != 200 or b'"errors"' in reply.body or b'"requestById":null' in reply.body:
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


def portal(rows: RowIds, *, requester: bool, first: int = 50) -> Operate:
    who = {"requesterId": str(rows.requester)} if requester else {"ownerDepartmentId": str(rows.department)}
    visible = {"internal": False} if requester else None
    return Rotating(
        [peer_graphql(ops.PORTAL_LIST, {"first": first, "comments": COMMENTS_PREVIEW, "who": who, "visible": visible})]
    )


def detail(rows: RowIds, *, page: int = 20) -> Operate:
    return Rotating([peer_graphql(ops.REQUEST_DETAIL, {"id": str(i), "page": page}) for i in rows.details])


def queue(rows: RowIds, *, first: int = 50) -> Operate:
    return Rotating([peer_graphql(ops.DEPARTMENT_QUEUE, {"department": str(rows.department), "first": first})])


class CreateRequests:
    def __init__(self, rows: RowIds):
        self.rows, self.numbers = rows, itertools.count(FIRST_NUMBER)

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
        return payload(await send(peer_graphql(ops.CREATE_REQUEST, {"request": request})), "createRequest", "request")


@dataclass
class _Held:
    id: str
    status: str
    version: int


class Transitions:
    """As Tandem's: each worker moves its own request IN_PROGRESS ⇄ WAITING_ON_REQUESTER."""

    def __init__(self, rows: RowIds):
        self.rows = rows
        self.held: dict[int, _Held] = {}

    async def prepare(self, send: Send, slots: Sequence[int]) -> None:
        create = CreateRequests(self.rows)
        create.numbers = itertools.count(FIRST_NUMBER // 2)  # apart from the create scenario's numbers
        for slot in slots:
            request = await create(send, slot)
            self.held[slot] = _Held(request["id"], request["status"], request["version"])

    async def __call__(self, send: Send, slot: int) -> None:
        held = self.held[slot]
        to = "WAITING_ON_REQUESTER" if held.status == "IN_PROGRESS" else "IN_PROGRESS"
        patch = {"status": to, "version": held.version + 1, "updatedAt": datetime.now(UTC).isoformat()}
        request = payload(
            await send(peer_graphql(ops.UPDATE_REQUEST, {"id": held.id, "patch": patch})),
            "updateRequestById",
            "request",
        )
        held.status, held.version = request["status"], request["version"]


class Comments:
    def __init__(self, rows: RowIds):
        self.rows, self.turns = rows, itertools.count()

    async def __call__(self, send: Send, slot: int) -> None:
        request_id = self.rows.open[next(self.turns) % len(self.rows.open)]
        comment = {
            "requestId": str(request_id),
            "authorId": str(self.rows.agent),
            "body": "Thanks, we are on it and will update you here.",
            "internal": False,
        }
        payload(await send(peer_graphql(ops.CREATE_COMMENT, {"comment": comment})), "createComment", "comment")
