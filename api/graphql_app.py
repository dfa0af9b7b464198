"""The GraphQL endpoint: builds each request's context (viewer from the bearer token) and
applies the GraphQL-over-HTTP rules of `api.graphql_http` to strawberry's responses."""

from __future__ import annotations

import json
import logging
from typing import Any

import strawberry
from cross_web import HTTPException
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError

from api import access, graphql_http, tracing
from api.access import AccessLog, OperationRecord
from api.auth import AuthError
from api.credentials import Credentials
from api.oidc.sign_in import OidcSignIn
from api.persisted_queries import PersistedQueries, PersistedQueryError
from compat import CannotGetOperationTypeError, InvalidOperationTypeError, OperationType
from db.broker import EventBroker
from db.engine import reader
from db.failures import describe, failure_code
from db.uow import CommitListener
from schema.compiled import json_text
from schema.compiled.extension import RawJson, answer_validated
from schema.context import Context
from schema.extensions import OperationNotChosen
from schema.limits.budgets import PersonBudgets
from schema.scopes import OutOfScope, check_scopes

log = logging.getLogger("tandem.graphql")

# What each method may run: subscriptions are served over websockets only (api.websocket).
ALLOWED_OPERATIONS = {
    "GET": frozenset({OperationType.QUERY}),
    "POST": frozenset({OperationType.QUERY, OperationType.MUTATION}),
}


def response_json(data: Any) -> str:
    """The response body. UTF-8 is written as is (not as \\u escapes), as the compiled read path's
    SQL writes it, so a compiled answer is byte for byte the one normal execution gives."""
    if isinstance(data, dict) and isinstance(data.get("data"), RawJson):
        rest = "".join("," + _encode(key) + ":" + _encode(value) for key, value in data.items() if key != "data")
        return '{"data":' + data["data"].text + rest + "}"
    return _encode(data)


def _encode(value: Any) -> str:
    return json_text.encode(value)


class TandemGraphQL(GraphQL):
    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        engine: AsyncEngine,
        secret: str,
        graphiql: bool,
        broker: EventBroker | None = None,
        hub: Any = None,
        persisted: PersistedQueries | None = None,
        oidc: OidcSignIn | None = None,
        budgets: PersonBudgets | None = None,
        credentials: Credentials | None = None,
        access_log: AccessLog | None = None,
    ):
        super().__init__(schema, graphql_ide="graphiql" if graphiql else None, allow_queries_via_get=True)
        self.persisted = persisted if persisted is not None else PersistedQueries()
        self.engine = engine
        self.reader = reader(engine)
        self.credentials = credentials or Credentials(engine, secret=secret, oidc=oidc)
        self.broker = broker
        self.hub = hub
        self.budgets = budgets  # each person's cost budget per minute (none: unlimited)
        self.access = access_log or AccessLog(None)  # the access log line and metrics of each operation
        # A commit here wakes this process's broker at once; other processes hear it by NOTIFY.
        self.on_commit: CommitListener | None = broker.announce if broker is not None else None

    async def get_context(self, request: Any, response: Any = None) -> Context:
        header = request.headers.get("authorization")
        credential, auth_error = None, None
        try:
            credential = await self.credentials.credential(header)
        except AuthError as error:
            if request.scope.get("type") == "http":
                # A bad token is refused whatever the operation: it is never read as "signed out".
                raise HTTPException(401, str(error)) from None
            auth_error = str(error)
        context = Context(
            engine=self.engine,
            viewer=credential.person if credential else None,
            auth_error=auth_error,
            request=request,
            response=response,
            on_commit=self.on_commit,
            broker=self.broker,
            hub=self.hub,
            compiled_reads=request.scope.get("type") == "http",
            reader_engine=self.reader,
            budgets=self.budgets,
            scopes=credential.scopes if credential else None,
            on_identity_change=self.credentials.forget,
        )
        record = request.scope.get(access.SCOPE_KEY)
        if record is not None:
            record.context = context
        return context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        record = scope[access.SCOPE_KEY] = self.access.start(scope["method"])
        status: int | str = 500  # what uvicorn answers for an exception that gets past this
        try:
            with tracing.operation_span(root=False) as span:
                request = Request(scope, receive=receive)
                response = await self.respond(request, record)
                graphql_http.vary_by_viewer(response, signed_in="authorization" in request.headers)
                status = response.status_code
                tracing.name_operation(span, *record.operation())
                await response(scope, receive, send)
        finally:
            record.finish(status)

    async def respond(self, request: Request, record: OperationRecord) -> Response:
        # As strawberry's own __call__, except refusals get a JSON error body instead of plain text.
        media_type = graphql_http.response_media_type(request.headers.get("accept"))
        try:
            return await self.run(request)
        except HTTPException as error:
            code = graphql_http.error_code(error.status_code, getattr(error, "code", None))
            record.add_code(code)
            return graphql_http.http_error(error.status_code, error.reason, media_type=media_type, code=code)
        except PersistedQueryError as error:
            record.add_code(error.code)
            # Never cached: a CDN keeping NOT_FOUND for a GET URL would hide the stored query.
            return graphql_http.http_error(
                error.status_for(media_type),
                str(error),
                media_type=media_type,
                code=error.code,
                headers={"Cache-Control": "no-store"},
            )
        except Exception as error:
            # The database failed the sign-in, or a compiled read: answered, so the connection stays open.
            if (code := failure_code(error)) is None:
                raise
            log.warning("database failure: %s", describe(error), extra={"code": code})
            record.add_code(code)
            return graphql_http.database_error(code, media_type=media_type)

    async def render_graphql_ide(self, request: Any) -> Response:
        record = request.scope.get(access.SCOPE_KEY)
        if record is not None:
            record.skip()  # a page, not an operation
        return await super().render_graphql_ide(request)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET with only a persisted query's hash is an operation, not a browser asking for GraphiQL.
        return super().should_render_graphql_ide(request) and request.query_params.get("extensions") is None

    def decode_json(self, data: str | bytes) -> object:
        try:
            return json.loads(data)
        except UnicodeDecodeError:
            raise graphql_http.Refused(400, "The request body is not UTF-8.") from None
        except RecursionError:
            raise graphql_http.Refused(400, "The request's JSON is nested too deeply.") from None

    async def parse_http_body(self, request_adapter: Any) -> Any:
        parsed = await super().parse_http_body(request_adapter)
        for operation in parsed if isinstance(parsed, list) else [parsed]:
            if not isinstance(operation.operation_name, (str, type(None))):
                # strawberry checks query, variables and extensions, not this one (a list would reach
                # the caches keyed on it)
                raise graphql_http.Refused(
                    400, "The GraphQL operation's `operationName` must be a string or null, if provided."
                )
            operation.query = self.persisted.resolve(operation.query, operation.extensions)
        return parsed

    async def execute_single(self, *, request_adapter: Any, **kwargs: Any) -> Any:
        data = kwargs["request_data"]
        context = kwargs["context"]
        # The name asked for, logged even when the document does not parse; the type once it does.
        context.operation_name = data.operation_name
        try:  # before any path runs it: compiled, direct or strawberry's
            check_scopes(self.schema, kwargs["context"].scopes, data.query, data.operation_name)
        except OutOfScope as error:
            raise HTTPException(403, error.message) from None
        result = await answer_validated(
            self.schema,
            data.query,
            data.operation_name,
            data.variables,
            kwargs["context"],
            method=request_adapter.method,
        )
        if result is not None:
            return result
        # As strawberry's execute_single, with Tandem's operations per method and coded refusals.
        try:
            return await self.schema.execute(
                data.query,
                root_value=kwargs["root_value"],
                variable_values=data.variables,
                context_value=kwargs["context"],
                operation_name=data.operation_name,
                allowed_operation_types=ALLOWED_OPERATIONS[request_adapter.method],
                operation_extensions=data.extensions,
            )
        except CannotGetOperationTypeError as error:
            chosen = error.__cause__
            reason = str(chosen) if isinstance(chosen, OperationNotChosen) else error.as_http_error_reason()
            raise graphql_http.Refused(400, reason, code="OPERATION_RESOLUTION_FAILURE") from None
        except InvalidOperationTypeError as error:
            context.operation_type = error.operation_type.value
            raise _refused_operation(error.operation_type, request_adapter.method) from None
        except MissingQueryError:
            raise graphql_http.Refused(400, "No GraphQL query found in the request.") from None

    async def get_sub_response(self, request: Any) -> Response:
        sub_response = await super().get_sub_response(request)
        # Remembered here because create_response does not see the request.
        sub_response.media_type = graphql_http.response_media_type(request.headers.get("accept"))
        return sub_response

    async def process_result(self, request: Any, result: Any) -> Any:
        response_data = await super().process_result(request, result)
        if graphql_http.is_request_error(result):
            response_data.pop("data", None)
        record = request.scope.get(access.SCOPE_KEY)
        if record is not None:
            record.add_codes(response_data.get("errors"))
            record.cost_from(response_data.get("extensions"))
        return response_data

    def encode_json(self, data: Any) -> str:
        return response_json(data)

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        media_type = sub_response.media_type or graphql_http.JSON
        response.headers["content-type"] = media_type
        if isinstance(response_data, dict):
            response.status_code = graphql_http.status_for(media_type, response_data, response.status_code)
            retry_after = graphql_http.retry_after(response_data)
            if retry_after is not None:
                response.status_code = 429
                response.headers["Retry-After"] = str(retry_after)
            if graphql_http.database_failed(response_data):
                response.status_code = 503
                response.headers.update(graphql_http.RETRY_AFTER)
        return response


def _refused_operation(operation_type: OperationType, method: str) -> HTTPException:
    if operation_type is OperationType.SUBSCRIPTION:
        return graphql_http.Refused(
            400, "Subscriptions are served over websockets (graphql-transport-ws) at /graphql, not over HTTP."
        )
    # The spec: a mutation sent with GET is 405 Method Not Allowed, not a bad request.
    return graphql_http.Refused(405, f"Mutations are not allowed when using {method}; send them with POST.")
