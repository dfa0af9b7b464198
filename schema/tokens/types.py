"""An API token as its owner and admins see it: never its secret, which Tandem does not keep; and
what of it the compiled read path writes in SQL (`COMPILED`, see schema.compiled.sql)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import ColumnElement, and_, collate, func, select

from db import tables as t
from domain.api_tokens import Scope
from schema import ids
from schema.compiled import json_text as j
from schema.compiled import sql
from schema.context import Info
from schema.enums import ApiTokenScope
from schema.organisation.types import PersonNode
from schema.relay import Node

if TYPE_CHECKING:
    from schema.compiled.planner import PlanField


@strawberry.type(name="ApiToken")
class ApiTokenNode(Node):
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(
        description="The secret's first characters, to tell one's tokens apart (and to find a leaked one)."
    )
    scopes: list[ApiTokenScope]
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None = strawberry.field(description="Updated at most once a minute.")
    revoked_at: datetime | None
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: Any) -> ApiTokenNode:
        return cls(
            id=ids.encode("ApiToken", row.id),
            name=row.name,
            prefix=row.shown_prefix,
            scopes=[ApiTokenScope(Scope(s)) for s in sorted(row.scopes)],
            created_at=row.created_at,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
            row=row,
        )

    @classmethod
    def maybe(cls, row: Any | None) -> ApiTokenNode | None:
        return cls.from_row(row) if row is not None else None

    @strawberry.field(description="Neither revoked nor expired (its person may still be deactivated).")
    def active(self, info: Info) -> bool:
        # The call's clock, as the compiled read path compares it (Context.now).
        return self.revoked_at is None and self.expires_at > info.context.now()

    @strawberry.field(description="Whom the token signs in as.")
    async def person(self, info: Info) -> PersonNode:
        return PersonNode.from_row(await info.context.loaders.person.load(self.row.person_id))

    @strawberry.field
    async def created_by(self, info: Info) -> PersonNode:
        return PersonNode.from_row(await info.context.loaders.person.load(self.row.created_by_id))


def _scopes(f: PlanField, row: Any, build: sql.Build) -> ColumnElement[str]:
    """sorted(row.scopes): code point order."""
    scope = func.unnest(row.c.scopes).table_valued("value").render_derived()
    json = select(j.array(j.quoted(scope.c.value), order_by=[collate(scope.c.value, "C")])).select_from(scope)
    return json.scalar_subquery()


API_TOKEN_SQL = sql.TypeSql.of(
    ApiTokenNode,
    {
        "id": sql.node_id("ApiToken"),
        "name": sql.column("name", "String!"),
        "prefix": sql.column("shown_prefix", "String!"),
        "scopes": sql.FieldSql(_scopes, "[ApiTokenScope!]!"),
        "createdAt": sql.column("created_at", "DateTime!"),
        "expiresAt": sql.column("expires_at", "DateTime!"),
        "lastUsedAt": sql.column("last_used_at", "DateTime"),
        "revokedAt": sql.column("revoked_at", "DateTime"),
        "active": sql.FieldSql(
            lambda f, row, build: j.boolean(and_(row.c.revoked_at.is_(None), row.c.expires_at > build.now())),
            "Boolean!",
        ),
        "person": sql.one("person_id", "Person!"),
        "createdBy": sql.one("created_by_id", "Person!"),
    },
    rows=t.api_tokens,
)

COMPILED = (API_TOKEN_SQL,)
