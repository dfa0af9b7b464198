"""The GraphQL endpoint: builds each request's context (viewer from the bearer token)."""
from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.asgi import GraphQL

from api.auth import AuthError, viewer_from_header
from db.uow import CommitListener
from schema.context import Context


class TandemGraphQL(GraphQL):
    def __init__(self, schema: strawberry.Schema, *, engine: AsyncEngine, secret: str, graphiql: bool,
                 on_commit: CommitListener | None = None):
        super().__init__(schema, graphql_ide="graphiql" if graphiql else None, allow_queries_via_get=True)
        self.engine = engine
        self.secret = secret
        self.on_commit = on_commit

    async def get_context(self, request: Any, response: Any = None) -> Context:
        header = request.headers.get("authorization")
        viewer, auth_error = None, None
        try:
            viewer = await viewer_from_header(header, engine=self.engine, secret=self.secret)
        except AuthError as error:
            auth_error = str(error)
        return Context(engine=self.engine, viewer=viewer, auth_error=auth_error, request=request,
                       response=response, on_commit=self.on_commit)
