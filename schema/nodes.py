"""`node(id:)` and `nodes(ids:)`: any object by global ID, through the same visibility as lists."""

from __future__ import annotations

import asyncio
import operator
from collections.abc import Callable
from typing import Any

import strawberry

from db.read.pages import MAX_PAGE
from schema import ids
from schema.catalog.types import RequestTypeNode, ServiceNode
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
