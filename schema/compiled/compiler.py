"""Running a query operation through the compiled path (all of it, or its compiled root fields
when it is mixed: schema.compiled.mixed), or telling the caller to execute it normally (None).

Plans are cached by document, operation, the values of the variables that @include/@skip read and
the root fields whose arguments this run leaves to normal execution; statements by plan, viewer
role and department and argument shapes; a run's bound arguments by document and variables. The
viewer and the call's clock (`now`) are always bound per run."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphql import DocumentNode, OperationDefinitionNode, VariableValues, get_variable_values

from compat import graphql_schema
from db.engine import fetch_all, fetch_one
from db.failures import failure_code
from domain.people import Person
from schema.compiled.arguments import Fallback, Shape, bind, shapes_bytes
from schema.compiled.cache import CACHE_BYTES, ENTRY_BYTES, Lru, document_bytes
from schema.compiled.directives import directive_variables, directive_variables_bytes
from schema.compiled.planner import Plan, Unsupported, make_plan, query_operation
from schema.compiled.sql import Run
from schema.compiled.statement import Statement, build_statement

log = logging.getLogger("tandem.compiled")


@dataclass(frozen=True)
class Compiled:
    """What the statement read: the JSON text of the whole `data`, or, for a plan that leaves root
    fields to normal execution (schema.compiled.mixed), the text of each compiled root field's value."""

    plan: Plan
    text: str | None = None
    parts: tuple[str, ...] = ()


class Compiler:
    def __init__(self, *, plans: int = 256, statements: int = 512, max_bytes: int = CACHE_BYTES):
        # Plans and bindings hold the document's nodes (and so the whole document): counted whole.
        self.plans: Lru[Any, Plan | None] = Lru(entries=plans, max_bytes=max_bytes, weigh=_plan_bytes)
        self.statements: Lru[Any, Statement] = Lru(entries=statements, max_bytes=max_bytes, weigh=_statement_bytes)
        self.directive_variables: Lru[str, tuple[str, ...]] = Lru(
            entries=plans, max_bytes=max_bytes, weigh=directive_variables_bytes
        )
        self.bindings: Lru[Any, Any] = Lru(entries=statements * 2, max_bytes=max_bytes, weigh=_binding_bytes)
        # Documents answered here once (so valid).
        self.validated: Lru[str, DocumentNode] = Lru(
            entries=plans, max_bytes=max_bytes, weigh=lambda query, _: document_bytes(query)
        )
        self.mixed = 0  # statements run for mixed operations (what operators and tests can read)

    async def run(
        self, execution_context: Any, *, viewer: Person, reader: Any, now: datetime | None = None
    ) -> Compiled | None:
        """What the statement read, or None when normal execution must answer all of it. `now`: the
        call's clock (Context.now), which figures such as a department's oldest open request, or a
        journey run's time in its stage, are read at.

        `execution_context`: strawberry's, or anything with its `schema`, `query`,
        `graphql_document`, `operation_name` and `variables` (the HTTP view's ValidatedOperation);
        `now`: the call's clock (Context.now), what goal figures and token expiry are measured at."""
        try:
            prepared = self._prepare(execution_context, viewer=viewer, dialect=reader.dialect, now=now)
            if prepared is None:
                return None
            plan, statement, values = prepared
            if statement.prefetches:
                await _prefetch(statement, values, Run(viewer=viewer, now=values["now"], reader=reader))
            # At the driver's cost, the statement its own ping (db.engine.read_first): a third of a
            # compiled read's CPU went to SQLAlchemy's execution layer and the checkout's ping.
            row = await fetch_one(reader, statement.main.text, *statement.main.parameters(values))
            assert row is not None  # one row, whatever the data
            if plan.mixed:
                self.mixed += 1
                return Compiled(plan, parts=tuple(row))
            return Compiled(plan, text=row[0])
        except Exception as error:  # noqa: BLE001 - normal execution answers, and reports what went wrong
            if failure_code(error) is not None:
                raise  # the database is slow or away: executing normally would wait for it again
            log.warning("compiled read failed; executing normally", exc_info=True)
            return None

    def prepare(
        self, execution_context: Any, *, viewer: Person, dialect: Any, now: datetime | None = None
    ) -> tuple[Statement, tuple[Any, ...]] | None:
        """The statement and its parameters for this run; None: normal execution answers all of it."""
        prepared = self._prepare(execution_context, viewer=viewer, dialect=dialect, now=now)
        return None if prepared is None else (prepared[1], prepared[1].main.parameters(prepared[2]))

    def _prepare(
        self, execution_context: Any, *, viewer: Person, dialect: Any, now: datetime | None = None
    ) -> tuple[Plan, Statement, dict[str, Any]] | None:
        """The plan, its statement, and the values of the statement's parameters for this run."""
        query = execution_context.query
        if query is None or execution_context.graphql_document is None:
            return None
        # Binding depends only on the document and the variables: portals repeat both, so a run
        # costs a lookup (JSON text is the variables' identity: they came as JSON).
        variables = execution_context.variables or {}
        try:
            run_key = (query, execution_context.operation_name, json.dumps(variables, sort_keys=True))
        except (TypeError, ValueError):
            return None
        bound = self.bindings.get(run_key, lambda: self._bind(execution_context))
        if bound is None:
            return None
        plan_key, plan, shapes, parameters = bound
        role = (viewer.role, viewer.department_id)
        statement = self.statements.get(
            (plan_key, role, shapes), lambda: build_statement(plan, shapes, viewer, dialect)
        )
        return plan, statement, {**parameters, "viewer_id": viewer.id, "now": now or datetime.now(UTC)}

    def _bind(self, execution_context: Any) -> tuple[Any, Plan, tuple[Shape, ...], dict[str, Any]] | None:
        """The plan and this run's argument shapes and values; None when normal execution must answer."""
        query, document, schema = execution_context.query, execution_context.graphql_document, execution_context.schema
        try:
            operation = query_operation(document, execution_context.operation_name)
        except Unsupported:
            return None
        variables = get_variable_values(
            graphql_schema(schema), operation.variable_definitions or (), execution_context.variables or {}
        )
        if isinstance(variables, list):  # bad variables: normal execution reports them
            return None
        directive_values = self._directive_values(query, document, variables)
        excluded: frozenset[str] = frozenset()
        while True:  # each turn leaves one more root field to normal execution: at most one per root field
            plan_key = (query, execution_context.operation_name, directive_values, excluded)
            plan = self._plan(plan_key, schema, document, operation, variables)
            if plan is None:
                return None
            try:
                shapes, parameters = bind(schema, plan, variables)
                return plan_key, plan, shapes, parameters
            except Fallback as refused:
                root = plan.site_roots[refused.site] if refused.site is not None else None
                if root is None or root in excluded:
                    return None
                # Normal execution answers this root field's arguments with an error: it answers
                # that root field, and the others stay compiled.
                excluded |= {root}

    def _plan(
        self,
        key: tuple[Any, ...],
        schema: Any,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: VariableValues,
    ) -> Plan | None:
        return self.plans.get(key, lambda: _plan_or_none(schema, document, operation, variables, excluded=key[-1]))

    def _directive_values(self, query: str, document: DocumentNode, variables: VariableValues) -> tuple[Any, ...]:
        names = self.directive_variables.get(query, lambda: directive_variables(document))
        return tuple(variables.coerced.get(n) for n in names)


async def _prefetch(statement: Statement, values: dict[str, Any], run: Run) -> None:
    """What the statement's root fields read first (schema.compiled.sql.Prefetch), added to
    `values`. No connection is held while a Prefetch's values are made: they may wait for a
    computation another call started, which needs a connection of its own."""
    for prefetched in statement.prefetches:
        rows = await fetch_all(run.reader, prefetched.sql.text, *prefetched.sql.parameters(values))
        await prefetched.values(rows, run, values)


def _plan_or_none(
    schema: Any,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: VariableValues,
    *,
    excluded: frozenset[str],
) -> Plan | None:
    try:
        return make_plan(graphql_schema(schema), document, operation, variables, excluded=excluded)
    except Unsupported:
        return None


def _plan_bytes(key: tuple[str, str | None, tuple[Any, ...], frozenset[str]], plan: Plan | None) -> int:
    # A mixed plan's `rest` document shares the document's nodes: counted with it.
    query, operation_name, _, excluded = key
    return document_bytes(query) + len(operation_name or "") + sum(64 + len(k) for k in excluded)


def _binding_bytes(key: tuple[str, str | None, str], bound: Any) -> int:
    # The variables' JSON is the key; their values (cursors, filters) are in the shapes and parameters.
    query, operation_name, variables = key
    return document_bytes(query) + len(operation_name or "") + 2 * len(variables)


def _statement_bytes(key: tuple[Any, Any, tuple[Shape, ...]], statement: Statement) -> int:
    (query, operation_name, _, _), _, shapes = key
    return ENTRY_BYTES + len(query) + len(operation_name or "") + shapes_bytes(shapes) + statement.sql_bytes()
