"""Events from the event log: a request's timeline, the subscription feed, the audit trail; what
of them the compiled read path writes in SQL (`COMPILED`, see schema.compiled.sql)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import ColumnElement, Text, cast, select

from db import tables as t
from db.read.visibility import request_visible
from schema import ids
from schema.compiled import json_text as j
from schema.compiled import sql
from schema.compiled.summaries import summary_text
from schema.context import Info
from schema.events.summaries import summarise
from schema.organisation.types import PersonNode
from schema.relay import Node

if TYPE_CHECKING:
    from schema.compiled.planner import PlanField
    from schema.journeys.types import JourneyRunNode
    from schema.requests.types import RequestNode

RequestRef = Annotated["RequestNode", strawberry.lazy("schema.requests.types")]
JourneyRunRef = Annotated["JourneyRunNode", strawberry.lazy("schema.journeys.types")]


def event_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


def parse_event_cursor(cursor: str) -> int | None:
    """The sequence of an Event cursor; None for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        seq = int(value)
    except (ValueError, UnicodeDecodeError):
        return None
    return seq if kind == "seq" and 0 <= seq < 2**63 else None


@strawberry.type(name="Event")
class EventNode(Node):
    id: strawberry.ID
    cursor: str
    type: str
    occurred_at: datetime
    summary: str
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: Any) -> EventNode:
        return cls(
            id=ids.encode("Event", row.seq),
            cursor=event_cursor(row.seq),
            type=row.type,
            occurred_at=row.occurred_at,
            summary=summarise(row.type, row.payload),
            row=row,
        )

    @strawberry.field
    async def actor(self, info: Info) -> PersonNode | None:
        if self.row.actor_id is None:
            return None
        row = await info.context.loaders.person.load(self.row.actor_id)
        return PersonNode.from_row(row) if row is not None else None

    @strawberry.field
    async def request(self, info: Info) -> RequestRef | None:
        from schema.requests.types import RequestNode

        if self.row.request_id is None:
            return None
        row = await info.context.loaders.request.load(self.row.request_id)
        return RequestNode.from_row(row) if row is not None else None

    @strawberry.field
    async def journey_run(self, info: Info) -> JourneyRunRef | None:
        from schema.journeys.types import JourneyRunNode

        if self.row.journey_run_id is None:
            return None
        return JourneyRunNode.maybe(await info.context.loaders.journeys.run.load(self.row.journey_run_id))


def _request(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """EventNode.request: the request loader's row (null without one, or hidden), read from the
    requests table itself (a Request's encoders may name its columns), in its own FROM."""
    R = t.requests
    found = select(sql.object_json("Request", f.children, R, build)).where(
        R.c.id == row.c.request_id, request_visible(build.viewer)
    )
    return j.or_null(found.correlate_except(R).scalar_subquery())


# Event.journeyRun is not compiled: journey runs have their own visibility.
EVENT_SQL = sql.TypeSql.of(
    EventNode,
    {
        "id": sql.node_id("Event", key="seq"),
        # event_cursor as SQL
        "cursor": sql.FieldSql(
            lambda f, row, build: j.quoted(j.base64url(j.concat(["seq:", cast(row.c.seq, Text)]))), "String!"
        ),
        "type": sql.column("type", "String!"),
        "occurredAt": sql.column("occurred_at", "DateTime!"),
        "summary": sql.computed(lambda row: summary_text(row.c.type, row.c.payload), "String!"),
        "actor": sql.one("actor_id", "Person"),
        "request": sql.FieldSql(_request, "Request", column="request_id"),
    },
    rows=t.events,
)

COMPILED = (EVENT_SQL,)
