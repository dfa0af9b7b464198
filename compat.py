"""Tandem's one door into other libraries' internals, and the versions it was written against.

A few things Tandem does need what its libraries do not promise to keep:

- graphql-core 3.3's field collection and value completion: the compiled reads
  (schema.compiled.planner) and direct mutations (schema.compiled.mutations) repeat what its
  executor does, so they collect fields and report errors with its own functions; and the budget
  of its OverlappingFieldsCanBeMerged rule (schema.limits.checks).
- strawberry's schema internals: the graphql-core schema it builds, its argument conversion, its
  type wrappers, its validation, the operation name a request gave.
- uvicorn's wsproto websocket protocol: api.ws_sender writes ready-made frames to its transport,
  and resets a connection whose client stopped reading.
- SQLAlchemy's queue pool internals and its greenlet bridge: db.pool waits for a connection when
  the server refuses more.

Each is imported or reached here and nowhere else (tests/unit/test_compat.py reads every module
to keep it so), and this module refuses to load with a version it was not written for: one clear
message at start-up instead of a wrong answer or an AttributeError in the middle of a request.
The ranges are pyproject.toml's (the same test compares them); .ci/lowest.txt pins the lowest
version of every dependency, and CI runs the whole suite on those as well.

A top-level module, not part of api/ or schema/: it imports third-party libraries only, never a
Tandem package, so db/ (the pool), schema/ (the compiled paths) and api/ (the websocket sender)
all import it without an arrow against `api -> schema -> domain <- db`. domain/ never needs it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import metadata
from typing import Any

from packaging.specifiers import SpecifierSet

# The libraries whose internals are used below, and the versions that have them as used here
# (pyproject.toml says the same; tests/unit/test_compat.py checks that it does).
REQUIRED: dict[str, str] = {
    "graphql-core": ">=3.3.2,<3.4",
    "strawberry-graphql": ">=0.329,<0.342",
    "uvicorn": ">=0.52.1,<0.56",
    "sqlalchemy": ">=2.0.30,<2.2",
}


class IncompatibleVersion(ImportError):
    """An installed library is outside the range Tandem was written and tested for."""


def satisfies(version: str, specifier: str) -> bool:
    """Whether `version` is in `specifier` (">=3.3.2,<3.4"), as pip reads it: `packaging`'s rules,
    so `<3.4` excludes 3.4's pre-releases and a pre-release of the range counts."""
    return SpecifierSet(specifier).contains(version, prereleases=True)


def check_versions(required: Mapping[str, str] = REQUIRED, *, installed: Callable[[str], str] | None = None) -> None:
    """Raise IncompatibleVersion naming every library outside its range (or missing)."""
    installed = installed or metadata.version  # looked up now: a test may stand in for it
    problems = []
    for name, specifier in required.items():
        try:
            found = installed(name)
        except metadata.PackageNotFoundError:
            problems.append(f"Tandem needs {name} {specifier}; it is not installed")
            continue
        if not satisfies(found, specifier):
            problems.append(f"Tandem needs {name} {specifier}; found {found}")
    if problems:
        raise IncompatibleVersion(
            "; ".join(problems) + ". Install Tandem again so that pip brings versions that fit: "
            "pip install . (or pip install -e '.[test]') from its checkout."
        )


# Before anything below is imported: with another version, that import is what would fail.
check_versions()

# ruff: noqa: E402 - the imports follow the version check on purpose.
from graphql import DocumentNode, GraphQLSchema
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import execute as graphql_execute
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_fields, collect_subfields
from graphql.execution.executor import CollectedErrors, invalid_return_type_error
from graphql.validation.rules import overlapping_fields_can_be_merged as _overlapping_fields
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util import await_only, greenlet_spawn
from sqlalchemy.util import queue as _sqlalchemy_queue
from strawberry.scalars import is_scalar
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import validate_document
from strawberry.schema.schema_converter import GraphQLCoreConverter, get_arguments
from strawberry.types.arguments import convert_arguments
from strawberry.types.base import StrawberryList, StrawberryMaybe, StrawberryOptional
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.execution import ExecutionContext, PreExecutionError
from strawberry.types.field import StrawberryField
from strawberry.types.graphql import OperationType
from strawberry.types.scalar import ScalarDefinition

try:  # only how graphql-core tells awaitables apart, faster (strawberry 0.3xx has it)
    from strawberry.execution import optimized_is_awaitable as _is_awaitable

    optimized_is_awaitable: Any = _is_awaitable
except ImportError:  # pragma: no cover - graphql-core's own check then
    optimized_is_awaitable = None
from uvicorn.protocols.websockets.wsproto_impl import WSProtocol as _UvicornWsproto

__all__ = [
    "CannotGetOperationTypeError",
    "CollectedErrors",
    "ConnectionPoolEntry",
    "DirectFrames",
    "FieldDetails",
    "FragmentDetails",
    "IncompatibleVersion",
    "InvalidOperationTypeError",
    "OperationType",
    "PreExecutionError",
    "QueuePool",
    "ScalarDefinition",
    "StrawberryEnumDefinition",
    "StrawberryField",
    "StrawberryList",
    "StrawberryMaybe",
    "StrawberryOptional",
    "await_only",
    "collect_fields",
    "collect_subfields",
    "convert_arguments",
    "execute_as_strawberry",
    "get_arguments",
    "graphql_schema",
    "greenlet_spawn",
    "has_enum_definition",
    "invalid_return_type_error",
    "is_scalar",
    "limit_overlapping_fields",
    "open_websocket_transport",
    "provided_operation_name",
    "resolving_extensions",
    "strawberry_definition",
    "validate_document",
]

# --- graphql-core -------------------------------------------------------------------------------

if not hasattr(_overlapping_fields, "MAX_COMPLEXITY_BUDGET"):  # setting it would change nothing
    raise IncompatibleVersion("graphql-core's OverlappingFieldsCanBeMerged has no MAX_COMPLEXITY_BUDGET")


def limit_overlapping_fields(budget: int) -> None:
    """The complexity at which OverlappingFieldsCanBeMerged stops (it reads it as a validation starts)."""
    _overlapping_fields.MAX_COMPLEXITY_BUDGET = budget


# --- strawberry ---------------------------------------------------------------------------------


def graphql_schema(schema: Any) -> GraphQLSchema:
    """The graphql-core schema a strawberry schema built."""
    graphql_schema: GraphQLSchema = schema._schema
    return graphql_schema


def strawberry_definition(graphql_element: Any) -> Any | None:
    """The strawberry definition behind a graphql-core type or field (None: not strawberry's)."""
    return (graphql_element.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)


async def execute_as_strawberry(
    schema: Any, document: DocumentNode, *, context: Any, variables: dict[str, Any] | None, root_value: Any = None
) -> GraphQLExecutionResult:
    """graphql-core's execution of a validated document's one operation, as strawberry's
    Schema.execute calls it (its executor class, which builds the `info` resolvers get, and its
    awaitable check). No middleware: strawberry makes it of the extensions that implement
    `resolve`, and none of Tandem's does."""
    executor = getattr(schema, "execution_context_class", None)
    options: dict[str, Any] = {}
    if executor is not None:
        options["executor_class"] = executor
    if optimized_is_awaitable is not None:
        options["is_awaitable"] = optimized_is_awaitable
    result: Any = graphql_execute(
        schema._schema, document, root_value=root_value, context_value=context, variable_values=variables, **options
    )
    if isinstance(result, GraphQLExecutionResult):
        return result
    done: GraphQLExecutionResult = await result  # an awaitable of one, for any async resolver
    return done


def resolving_extensions(schema: Any) -> list[str]:
    """The schema's extensions that implement `resolve` (strawberry's middleware), which
    execute_as_strawberry would run without."""
    return [type(extension).__name__ for extension in schema.get_extensions() if extension._implements_resolve()]


def provided_operation_name(context: ExecutionContext) -> str | None:
    """The `operationName` the request gave (strawberry's `operation_name` guesses one if not)."""
    return context._provided_operation_name


# --- uvicorn ------------------------------------------------------------------------------------

_WSPROTO_STATE = ("config", "transport", "writable", "disconnected", "close_sent", "handshake_complete")


class DirectFrames:
    """Ready-made frames written straight to the socket of uvicorn's wsproto connection behind an
    ASGI `send` (api.ws_sender says why). Only without per-message deflate: frames would need
    compressing."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: Any):
        self._protocol = protocol

    @classmethod
    def behind(cls, send: Any) -> DirectFrames | None:
        """None for any other server or implementation: the ASGI path then."""
        protocol = getattr(send, "__self__", None)
        if not isinstance(protocol, _UvicornWsproto) or not all(hasattr(protocol, n) for n in _WSPROTO_STATE):
            return None
        return None if getattr(protocol.config, "ws_per_message_deflate", True) else cls(protocol)

    def writable(self) -> bool:
        """Open, handshake done, no close sent and room in the socket: a write now is safe."""
        protocol = self._protocol
        return (
            not protocol.disconnected
            and not protocol.close_sent
            and protocol.handshake_complete
            and protocol.writable.is_set()
            and not protocol.transport.is_closing()
        )

    def write(self, frame: bytes) -> None:
        self._protocol.transport.write(frame)


def open_websocket_transport(send: Any) -> Any | None:
    """The asyncio transport of uvicorn's websocket connection (wsproto or websockets-sansio)
    behind an ASGI `send`; None once the connection has ended (its socket may be closed and its
    number reused) or when it is not uvicorn's."""
    connection = getattr(send, "__self__", None)
    if getattr(connection, "disconnected", True):
        return None
    return getattr(connection, "transport", None)


# --- SQLAlchemy ---------------------------------------------------------------------------------


class QueuePool(AsyncAdaptedQueuePool):
    """SQLAlchemy's asyncio queue pool, its internals that db.pool builds on under names of their own."""

    def _do_get(self) -> ConnectionPoolEntry:
        return self.take_entry()

    def take_entry(self) -> ConnectionPoolEntry:
        """QueuePool's checkout: an idle connection, a new one below the overflow, or a wait."""
        return super()._do_get()

    @property
    def overflow_count(self) -> int:
        """Connections open beyond the pool's size (negative while fewer than its size are open)."""
        return self._overflow

    @property
    def overflow_limit(self) -> int:
        return self._max_overflow

    def take_idle(self, timeout: float | None = None) -> ConnectionPoolEntry | None:
        """An idle connection from the queue: at once (None: no wait), or waited for up to
        `timeout` seconds; None if none came."""
        try:
            return self._pool.get(False) if timeout is None else self._pool.get(True, timeout)
        except _sqlalchemy_queue.Empty:
            return None
