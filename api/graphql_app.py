"""The GraphQL endpoint: builds each request's context (viewer from the bearer token) and
applies the GraphQL-over-HTTP rules of `api.graphql_http` to strawberry's responses."""
from __future__ import annotations

import json
from typing import Any

import strawberry
from cross_web import HTTPException
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.schema.exceptions import InvalidOperationTypeError

from api import graphql_http
from api.auth import AuthError, RecentPeople, viewer_from_header
from api.oidc.sign_in import OidcSignIn
from api.persisted_queries import PersistedQueries, PersistedQueryError
from db.broker import EventBroker
from db.engine import reader
from db.uow import CommitListener
from schema.compiled.extension import RawJson, answer_validated
from schema.context import Context


def response_json(data: Any) -> str:
    """The response body. UTF-8 is written as is (not as \\u escapes), as the compiled read path's
    SQL writes it, so a compiled answer is byte for byte the one normal execution gives."""
    if isinstance(data, dict) and isinstance(data.get("data"), RawJson) and len(data) == 1:
        return '{"data":' + data["data"].text + "}"
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


class TandemGraphQL(GraphQL):
    def __init__(self, schema: strawberry.Schema, *, engine: AsyncEngine, secret: str, graphiql: bool,
                 broker: EventBroker | None = None, hub: Any = None, persisted: PersistedQueries | None = None,
                 oidc: OidcSignIn | None = None):
        super().__init__(schema, graphql_ide="graphiql" if graphiql else None, allow_queries_via_get=True)
        self.persisted = persisted if persisted is not None else PersistedQueries()
        self.engine = engine
        self.reader = reader(engine)
        self.secret = secret
        self.oidc = oidc
        self.recent_people = RecentPeople()
        self.broker = broker
        self.hub = hub
        # A commit here wakes this process's broker at once; other processes hear it by NOTIFY.
        self.on_commit: CommitListener | None = broker.announce if broker is not None else None

    async def get_context(self, request: Any, response: Any = None) -> Context:
        header = request.headers.get("authorization")
        viewer, auth_error = None, None
        try:
            viewer = await viewer_from_header(header, engine=self.reader, secret=self.secret,
                                              recent=self.recent_people, oidc=self.oidc)
        except AuthError as error:
            if request.scope.get("type") == "http":
                # A bad token is refused whatever the operation: it is never read as "signed out".
                raise HTTPException(401, str(error)) from None
            auth_error = str(error)
        return Context(engine=self.engine, viewer=viewer, auth_error=auth_error, request=request,
                       response=response, on_commit=self.on_commit, broker=self.broker,
                       hub=self.hub, compiled_reads=request.scope.get("type") == "http",
                       reader_engine=self.reader)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # As strawberry's own __call__, except refusals get a JSON error body instead of plain text.
        request = Request(scope, receive=receive)
        media_type = graphql_http.response_media_type(request.headers.get("accept"))
        try:
            response = await self.run(request)
        except HTTPException as error:
            response = graphql_http.http_error(error.status_code, error.reason, media_type=media_type)
        except PersistedQueryError as error:
            # Never cached: a CDN keeping NOT_FOUND for a GET URL would hide the stored query.
            response = graphql_http.http_error(error.status_for(media_type), str(error), media_type=media_type,
                                               code=error.code, headers={"Cache-Control": "no-store"})
        await response(scope, receive, send)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET with only a persisted query's hash is an operation, not a browser asking for GraphiQL.
        return super().should_render_graphql_ide(request) and request.query_params.get("extensions") is None

    async def parse_http_body(self, request_adapter: Any) -> Any:
        parsed = await super().parse_http_body(request_adapter)
        for operation in parsed if isinstance(parsed, list) else [parsed]:
            operation.query = self.persisted.resolve(operation.query, operation.extensions)
        return parsed

    async def execute_single(self, *, request_adapter: Any, **kwargs: Any) -> Any:
        data = kwargs["request_data"]
        result = await answer_validated(self.schema, data.query, data.operation_name, data.variables,
                                        kwargs["context"], method=request_adapter.method)
        if result is not None:
            return result
        try:
            return await super().execute_single(request_adapter=request_adapter, **kwargs)
        except HTTPException as error:
            # The spec: a mutation sent with GET is 405 Method Not Allowed, not a bad request.
            if isinstance(error.__cause__, InvalidOperationTypeError) and request_adapter.method == "GET":
                raise HTTPException(405, f"{error.reason}; send them with POST.") from error
            raise

    async def get_sub_response(self, request: Any) -> Response:
        sub_response = await super().get_sub_response(request)
        # Remembered here because create_response does not see the request.
        sub_response.media_type = graphql_http.response_media_type(request.headers.get("accept"))
        return sub_response

    async def process_result(self, request: Any, result: Any) -> Any:
        response_data = await super().process_result(request, result)
        if graphql_http.is_request_error(result):
            response_data.pop("data", None)
        return response_data

    def encode_json(self, data: Any) -> str:
        return response_json(data)

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        media_type = sub_response.media_type or graphql_http.JSON
        response.headers["content-type"] = media_type
        if isinstance(response_data, dict):
            response.status_code = graphql_http.status_for(media_type, response_data, response.status_code)
        return response
