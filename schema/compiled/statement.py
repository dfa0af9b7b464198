"""The SQL of a plan: one SELECT whose single text value is the JSON of the whole `data`,
compiled once per (plan, viewer role and department, argument shapes) and kept with the order of
its parameters. For a plan that leaves root fields to normal execution (schema.compiled.mixed),
one text value per compiled root field instead, in the plan's order, to splice between theirs.

What the statement is cached by (filters, page sizes, the viewer's department) is written into
the SQL as literals; only what changes per run (the viewer, node ids, cursors) and texts are
parameters. PostgreSQL's generic plan of a prepared statement then knows as much as a custom one
(a queue filtered on the viewer's own department needs no visibility probe, whatever the plan),
so after five runs it is reused instead of planning the statement again on every call: planning
was most of a department queue's time (a few ms against ~1 ms of execution)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Select, select
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.visitors import replacement_traverse

from domain.people import Person
from schema.compiled import json_text as j
from schema.compiled.arguments import Shape
from schema.compiled.fields import TYPES
from schema.compiled.planner import Plan
from schema.compiled.sql import RUN_PARAMETERS, RUN_PREFIXES, Build, Run, object_json, viewer_parameters


@dataclass(frozen=True)
class Sql:
    text: str
    names: tuple[str, ...]  # the parameters' names in positional order
    constants: dict[str, Any]  # values fixed at compile time (filters, page sizes)

    def parameters(self, bound: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(bound[n] if n in bound else self.constants[n] for n in self.names)


@dataclass(frozen=True)
class Prefetched:
    """A root field's Prefetch, compiled: its select, and what makes parameters of its rows."""

    sql: Sql
    values: Callable[[Sequence[Any], Run, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Statement:
    main: Sql
    # Run first, in order, each adding parameters of the main statement.
    prefetches: tuple[Prefetched, ...] = ()

    def sql_bytes(self) -> int:
        return sum(len(s.text) + 64 * len(s.names) for s in (self.main, *(p.sql for p in self.prefetches)))


def build_statement(plan: Plan, shapes: tuple[Shape, ...], viewer: Person, dialect: Dialect) -> Statement:
    build = Build(viewer=viewer_parameters(viewer), shapes=shapes, types=TYPES)
    # The root fields are read from no row: each is a subquery of its own.
    if plan.mixed:
        # Each value as object_json writes it, without the object around it.
        values = [j.quoted(j.const("Query")) if f.sql is None else f.sql.encode(f, None, build) for f in plan.fields]
        selected = select(*(value.label(f"r{i}") for i, value in enumerate(values)))
    else:
        selected = select(object_json("Query", plan.fields, None, build).label("data"))
    prefetches = tuple(
        Prefetched(_compiled(f.sql.prefetch.select(f, build), dialect), f.sql.prefetch.values)
        for f in plan.fields
        if f.sql is not None and f.sql.prefetch is not None
    )
    return Statement(_compiled(selected, dialect), prefetches)


def _compiled(selected: Select[Any], dialect: Dialect) -> Sql:
    query = replacement_traverse(selected, {}, _inline_constant)
    compiled = query.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    return Sql(text=compiled.string, names=tuple(compiled.positiontup or ()), constants=dict(compiled.params))


# Values that may be written into SQL: integers, booleans and names (enum values), never a text
# that could hold a quote; IN lists of them alike.
_NAME = re.compile(r"[A-Za-z0-9_]*")


def _inline_constant(element: Any) -> Any:
    if not isinstance(element, BindParameter) or element.key in RUN_PARAMETERS or element.key.startswith(RUN_PREFIXES):
        return None
    values = element.value if isinstance(element.value, list | tuple) else [element.value]
    if all(isinstance(v, int) or (isinstance(v, str) and _NAME.fullmatch(v)) for v in values):
        return element.render_literal_execute()
    return None
