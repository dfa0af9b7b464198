"""`node(id:)` and `nodes(ids:)`: any object by global ID, through the same visibility as lists;
`node(id:)` of a Request also as SQL, for the compiled read path (`COMPILED`)."""

from __future__ import annotations

import asyncio
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import ColumnElement, select

from db import tables as t
from db.read.pages import MAX_PAGE
from db.read.visibility import request_visible
from schema import ids
from schema.catalog.types import RequestTypeNode, ServiceNode
from schema.compiled import json_text as j
from schema.compiled.arguments import Fallback, NodeShape
from schema.compiled.sql import Build, FieldSql, TypeSql, object_json
from schema.context import Info
from schema.errors import BadRequest
from schema.events.types import EventNode
from schema.goals.types import SharedGoalNode
from schema.journeys.types import JourneyMapNode, JourneyRunNode
from schema.organisation.types import DepartmentNode, PersonNode
from schema.permissions import root_field
from schema.relay import Node
from schema.requests.types import CommentNode, RequestNode, TaskNode
from schema.tokens.types import ApiTokenNode

if TYPE_CHECKING:
    from schema.compiled.planner import PlanField

# type name -> (loader attribute path, node constructor); each loader applies the viewer's rules.
RESOLVERS: dict[str, tuple[str, Callable[[Any], Node]]] = {
    "Department": ("department", DepartmentNode.from_row),
    "Person": ("person", PersonNode.from_row),
    "Service": ("service", ServiceNode.from_row),
    "RequestType": ("visible_request_type", RequestTypeNode.from_row),
    "Request": ("request", RequestNode.from_row),
    "Task": ("task", TaskNode.from_row),
    "Comment": ("comment", CommentNode.from_row),
    "Event": ("event", EventNode.from_row),
    "SharedGoal": ("goal", SharedGoalNode.from_row),
    "JourneyMap": ("journeys.map", JourneyMapNode.from_row),
    "JourneyRun": ("journeys.run", JourneyRunNode.from_row),
    "ApiToken": ("api_token", ApiTokenNode.from_row),
}


async def resolve_node(info: Info, global_id: str) -> Node | None:
    parsed = ids.parse(global_id)
    if parsed is None or parsed[0] not in RESOLVERS:
        return None
    loader_name, build = RESOLVERS[parsed[0]]
    row = await operator.attrgetter(loader_name)(info.context.loaders).load(parsed[1])
    return build(row) if row is not None else None


@strawberry.type
class NodeQueries:
    @root_field(description="Any object by ID; null when it does not exist or the viewer may not see it.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)

    @root_field(description="Objects by ID, in the order asked; null for any not visible.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_PAGE:
            raise BadRequest(f"Ask for at most {MAX_PAGE} IDs at once.")
        # Gathered, so the loaders batch every ID of a type into one statement.
        return list(await asyncio.gather(*(resolve_node(info, i) for i in ids)))


# --- Query.node of a Request as SQL ------------------------------------------------------------------


def _node_arguments(site: int, arguments: dict[str, Any], params: dict[str, Any]) -> NodeShape:
    """The plan is made for a Request: an ID of another type (or none) falls back."""
    parsed = ids.parse(arguments["id"])
    if parsed is None or parsed[0] != "Request":
        raise Fallback("node of another type")
    params[f"node_{site}"] = parsed[1]
    return NodeShape()


def _request_node(f: PlanField, row: Any, build: Build) -> ColumnElement[str]:
    """null when it does not exist or the viewer may not see it."""
    R = t.requests
    found = select(object_json("Request", f.children, R, build)).where(
        R.c.id == build.param(f"node_{f.site}", R.c.id.type), request_visible(build.viewer)
    )
    return j.or_null(found.scalar_subquery())


COMPILED = (TypeSql("Query", {"node": FieldSql(_request_node, "Node", arguments=_node_arguments, plan_as="Request")}),)
