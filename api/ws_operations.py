"""One websocket operation: parsed and validated once per document, then either joined to the
event hub (`events` subscriptions) or run through strawberry (everything else)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    get_argument_values,
    get_operation_ast,
    get_variable_values,
    parse,
    specified_rules,
)

from api.graphql_app import response_json
from api.ws_sender import RESUME, TRY_AGAIN_LATER, Sender, text_frame
from compat import PreExecutionError, graphql_schema
from domain.people import Person
from schema.compiled.cache import CACHE_BYTES, ENTRY_BYTES, MB, Lru, document_bytes
from schema.events.subscriptions import feed_filter
from schema.extensions import coded
from schema.limits.budgets import Charge, PersonBudgets, RateLimited
from schema.live.audience import audience_for, selected_field_names
from schema.live.render import Operation, Rendered, payload_renderer

if TYPE_CHECKING:
    from api.websocket import Session
    from schema.live.hub import Member


class OperationError(Exception):
    def __init__(self, errors: list[GraphQLError]):
        super().__init__(errors[0].message)
        self.errors = errors


@dataclass(frozen=True)
class CheckedDocument:
    document: DocumentNode
    field_names: frozenset[str]


# Documents parsed, by schema and text: a thousand wallboards sending one document parse it once.
_PARSED: Lru[tuple[strawberry.Schema, str], CheckedDocument] = Lru(
    entries=512, max_bytes=CACHE_BYTES, weigh=lambda key, _: document_bytes(key[1])
)
# The start of `next` messages by operation id (api.websocket.MAX_OPERATION_ID characters at most),
# shared among the many connections whose clients number their operations alike ("1", "2", ...).
_NEXT_PREFIXES: Lru[str, str] = Lru(entries=1024, max_bytes=MB, weigh=lambda key, _: ENTRY_BYTES + 2 * len(key))


def _parsed(schema: strawberry.Schema, query: str) -> CheckedDocument:
    max_tokens = schema.tandem_limits.max_tokens
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError as error:
        raise OperationError([error]) from None
    return CheckedDocument(document, selected_field_names(document))


def _checked(
    schema: strawberry.Schema, query: str, name: str | None, variables: dict[str, Any] | None
) -> tuple[CheckedDocument, int | None]:
    """The document, checked as over HTTP (schema.limits.checks), and this run's cost."""
    checked = _PARSED.get((schema, query), lambda: _parsed(schema, query))
    errors, cost = schema.tandem_limits.documents.check(
        graphql_schema(schema), query, checked.document, operation_name=name, variables=variables, rules=specified_rules
    )
    if errors:
        raise OperationError(errors)
    return checked, cost


class NextMessages:
    """A subscriber's sink: every `next` differs only by its id, so the payload, encoded once for
    the whole group, is spliced between this operation's prefix and the closing brace, and framed
    once per distinct id (clients number their operations alike: "1", "2", ...)."""

    __slots__ = ("sender", "prefix")

    def __init__(self, sender: Sender, operation_id: str):
        self.sender = sender
        self.prefix = next_prefix(operation_id)

    def __call__(self, rendered: Rendered) -> None:
        frame = rendered.encodings.get(self.prefix)
        if frame is None:
            frame = rendered.encodings[self.prefix] = text_frame(self.prefix + rendered.json + "}")
        if not self.sender.write_frame(frame):
            self.sender.send_text(self.prefix + rendered.json + "}")

    def missed(self) -> None:
        self.sender.close_soon(TRY_AGAIN_LATER, f"An event could not be sent: {RESUME}")


def next_prefix(operation_id: str) -> str:
    """The start of a `next` message of this operation, up to its payload."""
    return _NEXT_PREFIXES.get(operation_id, lambda: f'{{"id":{json.dumps(operation_id)},"type":"next","payload":')


def prepare(schema: strawberry.Schema, payload: dict[str, Any]) -> PreparedOperation:
    query = payload.get("query")
    variables = payload.get("variables")
    name = payload.get("operationName")
    if (
        not isinstance(query, str)
        or not (variables is None or isinstance(variables, dict))
        or not (name is None or isinstance(name, str))
    ):
        raise OperationError(
            [
                GraphQLError(
                    "A subscribe payload needs a `query` string (and optional "
                    "`variables` object and `operationName` string).",
                    extensions={"code": "BAD_REQUEST"},
                )
            ]
        )
    checked, cost = _checked(schema, query, name, variables)
    operation = get_operation_ast(checked.document, name)
    if operation is None:
        raise OperationError(
            [GraphQLError("Name the operation to run with `operationName`.", extensions={"code": "BAD_REQUEST"})]
        )
    return PreparedOperation(schema, query, checked, operation, variables, name, cost)


@dataclass
class PreparedOperation:
    schema: strawberry.Schema
    query: str
    checked: CheckedDocument
    definition: OperationDefinitionNode
    variables: dict[str, Any] | None
    operation_name: str | None
    cost: int | None
    charged: Charge | None = None

    def charge(self, viewer: Person, budgets: PersonBudgets | None) -> None:
        """Charged once, when subscribing; RATE_LIMITED comes back as the operation's error."""
        if self.cost is None:
            return
        try:
            self.charged = self.schema.tandem_limits.documents.charge(self.cost, budgets=budgets, person=viewer.id)
        except RateLimited as refusal:
            raise OperationError([refusal]) from None

    @property
    def name(self) -> str | None:
        """The operation's name in its document (None: unnamed)."""
        return self.definition.name.value if self.definition.name is not None else None

    @property
    def root_field(self) -> FieldNode | None:
        selections = self.definition.selection_set.selections
        return selections[0] if len(selections) == 1 and isinstance(selections[0], FieldNode) else None

    @property
    def is_event_feed(self) -> bool:
        root = self.root_field
        return (
            self.definition.operation is OperationType.SUBSCRIPTION and root is not None and root.name.value == "events"
        )

    def _arguments(self) -> dict[str, Any]:
        schema = graphql_schema(self.schema)
        coerced = get_variable_values(schema, self.definition.variable_definitions or [], self.variables or {})
        if isinstance(coerced, list):
            raise OperationError(coerced)
        field_def = schema.subscription_type.fields["events"]
        try:
            return get_argument_values(field_def, self.root_field, coerced)
        except GraphQLError as error:
            raise OperationError([error]) from None

    async def join_hub(self, session: Session, operation_id: str) -> Member:
        endpoint, viewer = session.endpoint, session.viewer
        arguments = self._arguments()
        context = endpoint.context(viewer, scopes=session.credential.scopes)
        try:
            wanted = await feed_filter(
                context,
                after=arguments.get("after"),
                request_id=arguments.get("requestId"),
                department_id=arguments.get("departmentId"),
            )
        except GraphQLError as error:
            raise OperationError([error]) from None
        audience = audience_for(viewer, self.checked.field_names)
        operation = Operation(self.checked.document, self.variables, self.operation_name)
        # (what is subscribed to, who it is rendered for): a member whose role changes keeps the first
        # and moves to another audience (EventHub.regroup).
        key = (
            (
                self.query,
                self.operation_name,
                json.dumps(self.variables, sort_keys=True),
                wanted.request_id,
                wanted.department_id,
            ),
            audience.key,
        )
        return await endpoint.hub.join(
            key=key,
            audience=audience,
            render=payload_renderer(self.schema, operation, endpoint.context),
            viewer=viewer,
            sink=NextMessages(session.sender, operation_id),
            request_id=wanted.request_id,
            department_id=wanted.department_id,
            after=wanted.after,
        )

    async def stream(self, session: Session, operation_id: str) -> None:
        context = session.endpoint.context(session.viewer, scopes=session.credential.scopes)
        context.cost = self.charged  # charged when subscribing, not again
        results = await self.schema.stream(
            self.query, variable_values=self.variables, context_value=context, operation_name=self.operation_name
        )
        first = True
        async for result in results:
            if first and isinstance(result, PreExecutionError):
                raise OperationError(list(result.errors or []))
            first = False
            payload: dict[str, Any] = {"data": result.data}  # a compiled read's data is JSON text (RawJson)
            if result.errors:
                payload["errors"] = [coded(e).formatted for e in result.errors]
            session.next(operation_id, response_json(payload))
