"""An API token as its owner and admins see it: never its secret, which Tandem does not keep."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry

from domain.api_tokens import Scope
from schema import ids
from schema.context import Info
from schema.enums import ApiTokenScope
from schema.organisation.types import PersonNode
from schema.relay import Node


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
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > datetime.now(UTC)

    @strawberry.field(description="Whom the token signs in as.")
    async def person(self, info: Info) -> PersonNode:
        return PersonNode.from_row(await info.context.loaders.person.load(self.row.person_id))

    @strawberry.field
    async def created_by(self, info: Info) -> PersonNode:
        return PersonNode.from_row(await info.context.loaders.person.load(self.row.created_by_id))
