"""`node(id:)` and `nodes(ids:)`: any object by global ID, through the same visibility as lists;
both also as SQL, for the compiled read path (`COMPILED`), for the types in NODE_SQL."""

from __future__ import annotations

import asyncio
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import ColumnElement, Select, Table, select

from db import tables as t
from db.read.api_tokens import token_visible
from db.read.catalog import visible_services
from db.read.events import visible_events
from db.read.goals import visible_goals
from db.read.journeys import visible_maps, visible_runs
from db.read.pages import MAX_PAGE
from db.read.requests import visible_comments, visible_requests
from db.read.visibility import request_visible, service_visible
from domain.people import Person
from schema import ids
from schema.catalog.types import RequestTypeNode, ServiceNode
from schema.compiled import json_text as j
from schema.compiled.arguments import Fallback, NodeShape, NodesShape
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


# --- Query.node and Query.nodes as SQL ---------------------------------------------------------------


@dataclass(frozen=True)
class NodeSql:
    """How node(id:) reads a type in SQL: `rows(viewer)`, the query its loader (RESOLVERS) runs, so
    the same visibility; the object is read from `table` (which the query selects from), by `key`."""

    rows: Callable[[Person], Select[Any]]
    table: Table
    key: str = "id"


RT, S = t.request_types, t.services
# The types node(id:) and nodes(ids:) read in SQL; an ID of another type in RESOLVERS falls back.
NODE_SQL: dict[str, NodeSql] = {
    "Department": NodeSql(lambda viewer: select(t.departments), t.departments),
    "Person": NodeSql(lambda viewer: select(t.people), t.people),
    "Service": NodeSql(visible_services, S),
    "RequestType": NodeSql(
        lambda viewer: select(RT).join(S, S.c.id == RT.c.service_id).where(service_visible(viewer)), RT
    ),
    "Request": NodeSql(visible_requests, t.requests),
    "Task": NodeSql(
        lambda viewer: (
            select(t.tasks).join(t.requests, t.requests.c.id == t.tasks.c.request_id).where(request_visible(viewer))
        ),
        t.tasks,
    ),
    "Comment": NodeSql(visible_comments, t.comments),
    "Event": NodeSql(visible_events, t.events, key="seq"),
    "JourneyMap": NodeSql(visible_maps, t.journey_maps),
    "JourneyRun": NodeSql(visible_runs, t.journey_runs),
    "SharedGoal": NodeSql(visible_goals, t.shared_goals),
    "ApiToken": NodeSql(lambda viewer: select(t.api_tokens).where(token_visible(viewer)), t.api_tokens),
}
PLANNED = tuple(NODE_SQL)


def _node_type(site: str, global_id: str, params: dict[str, Any]) -> str | None:
    """The type an ID names, its database id bound as `site`; None when normal execution answers
    null whatever the database holds (an ID that does not parse, or of no type node reads)."""
    parsed = ids.parse(global_id)
    if parsed is None or parsed[0] not in RESOLVERS:
        return None
    if parsed[0] not in NODE_SQL:
        raise Fallback("node of a type not compiled")
    params[site] = parsed[1]
    return parsed[0]


def _node_arguments(site: int, arguments: dict[str, Any], params: dict[str, Any]) -> NodeShape:
    return NodeShape(type_name=_node_type(f"node_{site}", arguments["id"], params))


def _nodes_arguments(site: int, arguments: dict[str, Any], params: dict[str, Any]) -> NodesShape:
    if len(arguments["ids"]) > MAX_PAGE:
        raise Fallback("too many IDs")  # normal execution answers BAD_USER_INPUT
    names = tuple(_node_type(f"node_{site}_{n}", i, params) for n, i in enumerate(arguments["ids"]))
    return NodesShape(type_names=names)


def _lookup(f: PlanField, type_name: str | None, param: str, build: Build) -> ColumnElement[str]:
    """One object by ID as its loader reads it: null when it does not exist or the viewer may not see it."""
    if type_name is None:
        return j.const(j.NULL_TEXT)
    node = NODE_SQL[type_name]
    json = object_json(type_name, f.variants[type_name], node.table, build)
    key = node.table.c[node.key]
    found = node.rows(build.viewer).with_only_columns(json, maintain_column_froms=True)
    return j.or_null(found.where(key == build.param(param, key.type)).scalar_subquery())


def _node(f: PlanField, row: Any, build: Build) -> ColumnElement[str]:
    shape = build.shapes[f.bound_site]
    assert isinstance(shape, NodeShape)
    return _lookup(f, shape.type_name, f"node_{f.site}", build)


def _nodes(f: PlanField, row: Any, build: Build) -> ColumnElement[str]:
    """In the order asked, null for any not visible."""
    shape = build.shapes[f.bound_site]
    assert isinstance(shape, NodesShape)
    items: list[ColumnElement[str] | str] = []
    for n, type_name in enumerate(shape.type_names):
        items += ["," if n else "", _lookup(f, type_name, f"node_{f.site}_{n}", build)]
    return j.concat(["[", *items, "]"])


COMPILED = (
    TypeSql(
        "Query",
        {
            "nodes": FieldSql(_nodes, "[Node]!", arguments=_nodes_arguments, plan_for=PLANNED),
            "node": FieldSql(_node, "Node", arguments=_node_arguments, plan_for=PLANNED),
        },
    ),
)
