"""Listing API tokens: one's own, or (admins) anyone's; one's own also as SQL for the compiled read
path (`COMPILED`)."""

from __future__ import annotations

from typing import Any

import strawberry

from db.read import api_tokens as read
from domain.api_tokens import may_see_tokens_of
from schema import ids
from schema.compiled.connections import root_list
from schema.compiled.sql import TypeSql
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


# --- Query.apiTokens as SQL: the viewer's own (tokens_page and tokens_count), in one statement ------


def _include_revoked(arguments: dict[str, Any]) -> bool:
    """`personId` names someone normal execution looks up (unknown or hidden: NOT_FOUND; another's,
    not as an admin: FORBIDDEN), so a list naming anyone is answered there."""
    if arguments.get("person_id") is not None:
        raise ValueError("personId: normal execution looks the person up")
    return bool(arguments.get("include_revoked"))


COMPILED = (
    TypeSql(
        "Query",
        {
            "apiTokens": root_list(
                "ApiToken",
                table=read.T,
                order=read.NEWEST_FIRST,
                rows=lambda viewer, include_revoked: read.tokens_of(viewer.id, include_revoked=include_revoked),
                criteria=_include_revoked,
            )
        },
    ),
)
