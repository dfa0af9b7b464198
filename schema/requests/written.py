"""Mutation payloads answered from what the command wrote, instead of reading it back.

The optimistic units of work (db.optimistic) say what they wrote (db.uow.Written); after the
locking one, or for an idempotent replay (nothing written now), the payload is read back.
"""

from __future__ import annotations

from types import SimpleNamespace

from db.mapping import request_values
from db.uow import Written
from domain import access
from schema.commands import reload
from schema.context import Info
from schema.requests.types import CommentNode, RequestNode


async def comment_node(info: Info, comment_id: int | None, written: Written) -> CommentNode | None:
    comment = written.comment(comment_id)
    if comment is None:
        row = await reload(info.context.loaders.comment, comment_id)
        return CommentNode.from_row(row) if row else None
    # The viewer wrote it, so passed the rules for writing it, which include seeing it; and the
    # viewer is its author, already read for this call.
    viewer = info.context.require_viewer()
    info.context.loaders.person.prime(viewer.id, viewer)
    return CommentNode.from_row(comment)


async def request_node(info: Info, request_id: int | None, written: Written) -> RequestNode | None:
    request = written.request
    if request is None or request.id != request_id:
        row = await reload(info.context.loaders.request, request_id)
        return RequestNode.from_row(row) if row else None
    # The same rule the loader's SQL applies (db.read mirrors domain.access), on the state written.
    if not access.can_view_request(info.context.require_viewer(), request):
        return None
    return RequestNode.from_row(SimpleNamespace(**request_values(request)))
