"""GraphQL over websockets: the graphql-transport-ws protocol (the `graphql-ws` JS client's).

Authentication happens once, in `connection_init` (`{"authorization": "Bearer <JWT>"}`): a
missing token closes with 4401, a bad one with 4403, and a database too slow or away to check
it with 1013 (try again later). `events` subscriptions join the process's event hub, which
shares rendering among subscribers (schema.live.hub); every other operation (other
subscriptions, queries, mutations) runs through strawberry.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Receive, Scope, Send

from api import tracing
from api.access import AccessLog, OperationRecord
from api.api_tokens import Credential
from api.auth import AuthError, seconds_left
from api.credentials import Credentials
from api.oidc.sign_in import OidcSignIn
from api.ws_expiry import Deadlines
from api.ws_operations import OperationError, next_prefix, prepare
from api.ws_sender import TRY_AGAIN_LATER, Sender
from api.ws_watch import SessionWatch
from db.broker import EventBroker
from db.engine import reader
from db.failures import FAILURE_MESSAGES, describe, failure_code
from domain.people import Person
from schema.context import Context
from schema.extensions import coded
from schema.limits.budgets import PersonBudgets
from schema.live.audience import realigned
from schema.live.hub import EventHub, Member
from schema.scopes import OutOfScope, check_scopes

log = logging.getLogger("tandem.ws")
PROTOCOL = "graphql-transport-ws"
# RFC 6455's "Message Too Big": graphql-ws clients take a 1xxx code other than the transient
# ones as fatal, so they do not resend the same message in a loop.
MESSAGE_TOO_BIG = 1009
# Ids are kept (the running operations', the `next` prefixes'): clients send "1", "2" or a UUID.
MAX_OPERATION_ID = 128


# How an operation ended, as the access log says it.
COMPLETE, ERROR, STOPPED, CLOSED = "complete", "error", "stopped", "closed"


class LiveOperation:
    """An `events` subscription, live in the hub: its member there and its access log record."""

    __slots__ = ("member", "record")

    def __init__(self, member: Member, record: OperationRecord):
        self.member = member
        self.record = record


@dataclass
class WebSocketSettings:
    init_timeout: float = 10.0
    max_operations: int = 50  # per connection
    max_backlog: int = 1000  # messages queued for a client that stopped reading
    send_timeout: float = 10.0  # how long a message may wait for room before its client is dropped
    # As HTTP bodies (TANDEM_MAX_BODY_BYTES). uvicorn is told too (ws_max_size) and closes first;
    # this holds under any other server.
    max_message_bytes: int = 1_000_000


class GraphQLWebSocket:
    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        engine: AsyncEngine,
        secret: str,
        broker: EventBroker,
        hub: EventHub,
        settings: WebSocketSettings | None = None,
        oidc: OidcSignIn | None = None,
        budgets: PersonBudgets | None = None,
        credentials: Credentials | None = None,
        watch: SessionWatch | None = None,
        access_log: AccessLog | None = None,
    ):
        self.schema = schema
        self.access = access_log or AccessLog(None)  # each operation's log lines and metrics
        self.budgets = budgets  # charged when an operation is subscribed
        self.engine = engine
        self.reader = reader(engine)
        self.secret = secret
        self.oidc = oidc
        self.broker = broker
        self.hub = hub
        self.settings = settings or WebSocketSettings()
        self.token_expiries = Deadlines()
        self.credentials = credentials or Credentials(engine, secret=secret, oidc=oidc)
        # Closes connections whose person or token stops signing in; keeps their viewers current.
        self.watch = watch or SessionWatch(broker)

    def context(self, viewer: Person | None, *, scopes: Any = None) -> Context:
        return Context(
            engine=self.engine,
            viewer=viewer,
            on_commit=self.broker.announce,
            broker=self.broker,
            hub=self.hub,
            scopes=scopes,
            on_identity_change=self.credentials.forget,
            # A query's `next` relays the compiled path's JSON text as the HTTP view does.
            compiled_reads=True,
            reader_engine=self.reader,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        if PROTOCOL not in scope.get("subprotocols", []):
            await send({"type": "websocket.close", "code": 4406, "reason": f"Subprotocol must be {PROTOCOL}"})
            return
        await send({"type": "websocket.accept", "subprotocol": PROTOCOL})
        session = Session(self, send)
        session.init_timer = asyncio.get_running_loop().call_later(self.settings.init_timeout, session.init_timed_out)
        try:
            # No message is kept in a local between receives: 10,000 idle connections would each
            # hold their last one (the subscribe, with its document) while they wait.
            while not session.sender.closed and await session.take(await receive()):
                pass
        finally:
            session.end()


class Session:
    """One connection: its viewer and its running operations."""

    __slots__ = ("endpoint", "sender", "viewer", "initialised", "operations", "init_timer", "expiry", "credential")

    def __init__(self, endpoint: GraphQLWebSocket, send: Send):
        self.init_timer: asyncio.TimerHandle | None = None  # the wait for connection_init
        self.expiry: int | None = None  # the token's, in endpoint.token_expiries
        self.endpoint = endpoint
        settings = endpoint.settings
        self.sender = Sender(
            send, max_backlog=settings.max_backlog, send_timeout=settings.send_timeout, on_close=self.end
        )
        self.viewer: Person | None = None
        self.credential: Credential | None = None
        self.initialised = False
        self.operations: dict[str, Any] = {}  # id -> task, or LiveOperation once an events feed is live

    def send(self, message: dict[str, Any]) -> None:
        self.sender.send_text(json.dumps(message, separators=(",", ":"), default=str))

    def init_timed_out(self) -> None:
        if not self.initialised:
            self.sender.close_soon(4408, "Connection initialisation timeout")

    async def take(self, message: dict[str, Any]) -> bool:
        """Handle one ASGI message; False once the client has gone."""
        if message["type"] == "websocket.disconnect":
            return False
        text = message.get("text")
        limit = self.endpoint.settings.max_message_bytes
        if _larger_than(text if text is not None else message.get("bytes"), limit):
            await self.sender.close(MESSAGE_TOO_BIG, f"Message too big: at most {limit} bytes")
            return True
        await self.receive(text)
        return True

    async def receive(self, text: str | None) -> None:
        try:
            message = json.loads(text) if text is not None else None
            kind = message["type"] if isinstance(message, dict) else None
        except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: nested too deeply
            kind = None
        if kind == "connection_init":
            await self.connection_init(message.get("payload"))
        elif kind == "ping":
            self.send({"type": "pong"})
        elif kind == "pong":
            pass
        elif (
            kind in ("subscribe", "complete")
            and isinstance(message.get("id"), str)
            and len(message["id"]) > MAX_OPERATION_ID
        ):
            await self.sender.close(4400, f"Invalid message: an id has at most {MAX_OPERATION_ID} characters")
        elif kind == "subscribe" and isinstance(message.get("id"), str) and isinstance(message.get("payload"), dict):
            await self.subscribe(message["id"], message["payload"])
        elif kind == "complete" and isinstance(message.get("id"), str):
            self.complete(message["id"])
        else:
            await self.sender.close(4400, "Invalid message")

    async def connection_init(self, payload: Any) -> None:
        if self.initialised:
            await self.sender.close(4429, "Too many initialisation requests")
            return
        self.initialised = True
        self._cancel_init_timer()
        if payload is not None and not isinstance(payload, dict):
            await self.sender.close(4400, "Invalid connection init payload")
            return
        header = _authorization(payload or {})
        if header is None:
            await self.sender.close(4401, 'Unauthorized: send {"authorization": "Bearer <token>"}')
            return
        try:
            self.credential = await self.endpoint.credentials.credential(header, recent=False)
        except AuthError as error:
            await self.sender.close(4403, f"Forbidden: {error}"[:120])
            return
        except Exception as error:
            if (code := failure_code(error)) is None:
                raise
            # 1013 Try Again Later: graphql-ws clients retry it (1011 and 4500 are fatal to them).
            log.warning("database failure: %s", describe(error), extra={"code": code})
            await self.sender.close(TRY_AGAIN_LATER, f"{code}: {FAILURE_MESSAGES[code]}"[:120])
            return
        self.viewer = self.credential.person
        if self.sender.closed:  # gone while it was checked: end() has run already
            return
        self.endpoint.watch.add(self)
        left = (
            self.credential.expires_at - time.time()
            if self.credential.expires_at is not None
            else seconds_left(header, secret=self.endpoint.secret, oidc=self.endpoint.oidc)
        )
        if left is not None:
            # A connection lives no longer than its token: the client reconnects with a fresh one.
            self.expiry = self.endpoint.token_expiries.call_later(left, self.token_expired)
        self.send({"type": "connection_ack"})

    async def subscribe(self, operation_id: str, payload: dict[str, Any]) -> None:
        if self.viewer is None:
            await self.sender.close(4401, "Unauthorized")
            return
        if operation_id in self.operations:
            await self.sender.close(4409, f"Subscriber for {operation_id} already exists")
            return
        if len(self.operations) >= self.endpoint.settings.max_operations:
            record = self.endpoint.access.start("WS")
            record.person_id = self.viewer.id
            refusal = GraphQLError(
                f"At most {self.endpoint.settings.max_operations} operations per connection.",
                extensions={"code": "TOO_MANY_SUBSCRIPTIONS"},
            )
            record.finish(self.error(operation_id, [refusal], registered=False, record=record))
            return
        task = asyncio.ensure_future(self.run(operation_id, payload))
        self.operations[operation_id] = task

    async def run(self, operation_id: str, payload: dict[str, Any]) -> None:
        record = self.endpoint.access.start("WS")
        record.person_id = self.viewer.id
        name = payload.get("operationName")
        record.named(None, name if isinstance(name, str) else None)  # until the document says
        with tracing.operation_span(root=True) as span:
            try:
                await self._run(operation_id, payload, record, span)
            except OperationError as error:
                record.finish(self.error(operation_id, error.errors, record=record))
            except asyncio.CancelledError as cancelled:
                record.finish(cancelled.args[0] if cancelled.args else STOPPED)
                raise
            except Exception as error:
                if (code := failure_code(error)) is not None:
                    log.warning("database failure: %s", describe(error), extra={"code": code})
                    failure = GraphQLError(FAILURE_MESSAGES[code], extensions={"code": code})
                    record.finish(self.error(operation_id, [failure], record=record))
                    return
                log.exception("websocket operation failed")
                unexpected = GraphQLError("Unexpected error.", extensions={"code": "INTERNAL_SERVER_ERROR"})
                record.finish(self.error(operation_id, [unexpected], record=record))

    async def _run(self, operation_id: str, payload: dict[str, Any], record: OperationRecord, span: Any) -> None:
        operation = prepare(self.endpoint.schema, payload)
        record.named(operation.definition.operation.value, operation.name)
        tracing.name_operation(span, record.kind, record.name)
        record.cost = operation.cost
        self.check_scopes(operation.query, operation.operation_name)
        operation.charge(self.viewer, self.endpoint.budgets)
        if operation.is_event_feed:
            member = await operation.join_hub(self, operation_id)
            if self.operations.get(operation_id) is asyncio.current_task():
                # Live now: no task needed any more.
                self.operations[operation_id] = LiveOperation(member, record)
                record.live()
            else:
                self.endpoint.hub.leave(member)
                record.finish(STOPPED)
            return
        if record.kind == "subscription":
            record.live()
        await operation.stream(self, operation_id)
        self.finish(operation_id)
        record.finish(COMPLETE)

    def next(self, operation_id: str, payload: str) -> None:
        """A `next` message whose payload is the JSON text `payload`."""
        if operation_id in self.operations:
            self.sender.send_text(next_prefix(operation_id) + payload + "}")

    def error(
        self,
        operation_id: str,
        errors: list[GraphQLError],
        *,
        registered: bool = True,
        record: OperationRecord | None = None,
    ) -> str:
        """Sends the operation's errors; says how it ended (for the access log)."""
        if self.operations.pop(operation_id, None) is None and registered:
            return STOPPED  # the client completed it meanwhile
        formatted = [coded(e).formatted for e in errors]
        if record is not None:
            record.add_codes(formatted)
        self.send({"id": operation_id, "type": "error", "payload": formatted})
        return ERROR

    def finish(self, operation_id: str) -> None:
        if self.operations.pop(operation_id, None) is not None:
            self.send({"id": operation_id, "type": "complete"})

    def complete(self, operation_id: str) -> None:
        """The client stops an operation: no `complete` goes back (the protocol says so)."""
        self.stop(self.operations.pop(operation_id, None), STOPPED)

    def stop(self, operation: Any, how: str) -> None:
        """`how`: why, for the access log (STOPPED by the client, or CLOSED with the connection)."""
        if isinstance(operation, asyncio.Future):
            operation.cancel(how)
        elif operation is not None:
            self.endpoint.hub.leave(operation.member)
            operation.record.finish(how)

    def check_scopes(self, query: str, operation_name: str | None) -> None:
        try:
            check_scopes(self.endpoint.schema, self.credential.scopes, query, operation_name)
        except OutOfScope as error:
            raise OperationError([error]) from None

    def token_expired(self) -> None:
        self.expiry = None
        self.sender.close_soon(4403, "Forbidden: the token expired")

    def signed_out(self, reason: str) -> None:
        """The person was deactivated, or the token revoked (api.ws_watch)."""
        self.sender.close_soon(4403, f"Forbidden: {reason}"[:120])

    def refresh(self, person: Person) -> None:
        """The person changed (api.ws_watch): the viewer every operation of this connection holds is
        changed in place, and event feeds move to the group their new role and department see as."""
        viewer = self.viewer
        if viewer is None or (viewer.version, viewer.role, viewer.department_id) == (
            person.version,
            person.role,
            person.department_id,
        ):
            return
        moved = (viewer.role, viewer.department_id) != (person.role, person.department_id)
        viewer.name, viewer.email, viewer.role, viewer.department_id, viewer.version = (
            person.name,
            person.email,
            person.role,
            person.department_id,
            person.version,
        )
        if moved:
            for operation in list(self.operations.values()):
                if isinstance(operation, LiveOperation):
                    member = operation.member
                    self.endpoint.hub.regroup(member, realigned(member.group.audience, viewer))

    def _cancel_init_timer(self) -> None:
        if self.init_timer is not None:
            self.init_timer.cancel()
            self.init_timer = None

    def end(self) -> None:
        self._cancel_init_timer()
        self.endpoint.watch.remove(self)
        self.endpoint.token_expiries.cancel(self.expiry)
        self.expiry = None
        operations, self.operations = self.operations, {}
        for operation in operations.values():
            self.stop(operation, CLOSED)


def _authorization(payload: dict[str, Any]) -> str | None:
    for key in ("authorization", "Authorization"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value
    headers = payload.get("headers")
    if isinstance(headers, dict):
        return _authorization({k.lower(): v for k, v in headers.items() if isinstance(k, str)})
    return None


def _larger_than(data: str | bytes | None, limit: int) -> bool:
    if data is None:
        return False
    # A character is one to four bytes in UTF-8: only a long text is encoded to count them.
    if isinstance(data, str) and len(data) <= limit < 4 * len(data):
        return len(data.encode()) > limit
    return len(data) > limit
