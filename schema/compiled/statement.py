"""The SQL of a plan: one SELECT whose single text value is the JSON of the whole `data`,
compiled once per (plan, viewer role, argument shapes) and kept with the order of its parameters."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement

from db import tables as t
from db.read.visibility import request_visible
from domain.people import Person
from schema.compiled import json_text as j
from schema.compiled.arguments import Shape
from schema.compiled.connections import requests_connection
from schema.compiled.objects import Build, object_json, viewer_parameters
from schema.compiled.planner import Plan, PlanField


@dataclass(frozen=True)
class Statement:
    sql: str
    names: tuple[str, ...]  # the parameters' names in positional order
    constants: dict[str, Any]  # values fixed at compile time (filters, page sizes)

    def parameters(self, bound: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(bound[n] if n in bound else self.constants[n] for n in self.names)


def build_statement(plan: Plan, shapes: tuple[Shape, ...], viewer: Person, dialect: Dialect) -> Statement:
    build = Build(viewer=viewer_parameters(viewer), shapes=shapes)
    data = j.obj([(f.key, _root_field(f, build)) for f in plan.fields])
    # IN lists are rendered out (a parameter per item): their values are part of the shape.
    compiled = select(data.label("data")).compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    names = tuple(compiled.positiontup or ())
    return Statement(sql=compiled.string, names=names, constants=dict(compiled.params))


def _root_field(f: PlanField, build: Build) -> ColumnElement[str]:
    if f.name == "__typename":
        return j.quoted(j.const("Query"))
    if f.name == "requests":
        return requests_connection(f, build)
    # node(id:) of a Request: null when it does not exist or the viewer may not see it.
    R = t.requests
    found = select(object_json("Request", f.children, R, build)).where(
        R.c.id == build.param(f"node_{f.site}", R.c.id.type), request_visible(build.viewer))
    return j.or_null(found.scalar_subquery())
