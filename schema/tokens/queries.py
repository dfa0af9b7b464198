"""Listing API tokens: one's own, or (admins) anyone's."""

from __future__ import annotations

import strawberry

from db.read import api_tokens as read
from domain.api_tokens import may_see_tokens_of
from schema import ids
from schema.context import Info
from schema.errors import ApiError
from schema.permissions import root_field
from schema.relay import Connection, root_connection
from schema.tokens.types import ApiTokenNode


@strawberry.type
class ApiTokenQueries:
    @root_field(
        administration=True,
        description="The viewer's API tokens, newest first; admins may name "
        "another person (a service account, say) with personId.",
    )
    async def api_tokens(
        self,
        info: Info,
        person_id: strawberry.ID | None = None,
        include_revoked: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ApiTokenNode]:
        context = info.context
        viewer = context.require_viewer()
        owner = viewer.id
        if person_id is not None:
            owner = await ids.visible_id(person_id, "Person", field="personId", load=context.loaders.person.load)
        if not may_see_tokens_of(viewer, owner):
            raise ApiError("Only admins list other people's API tokens.", "FORBIDDEN")
        return await root_connection(
            context.reader,
            first=first,
            node=ApiTokenNode.from_row,
            fetch_page=lambda conn: read.tokens_page(
                conn, owner, include_revoked=include_revoked, first=first, after=after
            ),
            fetch_count=lambda conn: read.tokens_count(conn, owner, include_revoked=include_revoked),
        )
