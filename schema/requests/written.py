"""Mutation payloads answered from what the command wrote, instead of reading it back.

Only the optimistic unit of work (db.optimistic) hands back what it wrote; after the locking one,
or for an idempotent replay (nothing written now), the payload is read back as before.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import strawberry

from db.mapping import request_values
from domain import access
from schema.commands import reload
from schema.requests.types import CommentNode, RequestNode


async def comment_node(info: strawberry.Info, comment_id: int | None, uow: Any) -> CommentNode | None:
    comment = next((c for c in getattr(uow, "written_comments", ()) if c.id == comment_id), None)
    if comment is None:
        row = await reload(info.context.loaders.comment, comment_id)
        return CommentNode.from_row(row) if row else None
    # The viewer wrote it, so passed the rules for writing it, which include seeing it; and the
    # viewer is its author, already read for this call.
    viewer = info.context.require_viewer()
    info.context.loaders.person.prime(viewer.id, viewer)
    return CommentNode.from_row(comment)


async def request_node(info: strawberry.Info, request_id: int | None, uow: Any) -> RequestNode | None:
    request = getattr(uow, "saved", None)
    if request is None or request.id != request_id:
        row = await reload(info.context.loaders.request, request_id)
        return RequestNode.from_row(row) if row else None
    # The same rule the loader's SQL applies (db.read mirrors domain.access), on the state written.
    if not access.can_view_request(info.context.require_viewer(), request):
        return None
    return RequestNode.from_row(SimpleNamespace(**request_values(request)))
