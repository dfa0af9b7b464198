"""Objects as JSON text in SQL: one encoder per supported field, each mirroring its resolver
in schema/ (same columns, same order of lists, same nulls)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, FromClause, Text, and_, bindparam, case, cast, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from db import tables as t
from db.read.requests import BREACHED
from db.read.visibility import works_on_request
from domain.access import sees_everyones_contact_details
from domain.people import Person
from schema.compiled import json_text as j
from schema.compiled.arguments import Shape
from schema.compiled.planner import PlanField
from schema.compiled.summaries import summary_text


@dataclass
class Build:
    """What the encoders need besides the row: the viewer (as parameters) and the run's shapes."""

    viewer: Person
    shapes: tuple[Shape, ...]

    def param(self, name: str, type_: Any) -> Any:
        return _parameter(name, type_)


def _parameter(name: str, type_: Any) -> Any:
    """A parameter bound per run (its value here only lets the statement compile)."""
    return bindparam(name, value=None, type_=type_, required=False)


# Parameters bound on every run (statement.py writes every other value into the SQL).
RUN_PARAMETERS = frozenset({"viewer_id"})
RUN_PREFIXES = ("node_", "cursor_key_", "cursor_id_")


def viewer_parameters(viewer: Person) -> Person:
    """A stand-in viewer whose id is an SQL parameter, so db.read.visibility's predicates compile
    once per role and department and are bound per run."""
    return Person(
        id=_parameter("viewer_id", BigInteger), name="", email="", role=viewer.role, department_id=viewer.department_id
    )


Encoder = Callable[[PlanField, FromClause, Build], ColumnElement[str]]


def object_json(type_name: str, fields: list[PlanField], row: FromClause, build: Build) -> ColumnElement[str]:
    encoders = ENCODERS[type_name]
    return j.obj(
        [
            (f.key, j.quoted(j.const(type_name)) if f.name == "__typename" else encoders[f.name](f, row, build))
            for f in fields
        ]
    )


def one(type_name: str, table: Any, key: Callable[[Any], ColumnElement[Any]]) -> Encoder:
    """A related object by id (NULL id: null)."""

    def encode(f: PlanField, row: FromClause, build: Build) -> ColumnElement[str]:
        other = table.alias()
        json = select(object_json(type_name, f.children, other, build)).where(other.c.id == key(row))
        return j.or_null(json.correlate_except(other).scalar_subquery())

    return encode


def _column(name: str, encode: Callable[[Any], ColumnElement[str]]) -> Encoder:
    return lambda f, row, build: encode(row.c[name])


def _id(type_name: str) -> Encoder:
    return lambda f, row, build: j.global_id(type_name, row.c.id)


def _tasks(f: PlanField, row: FromClause, build: Build) -> ColumnElement[str]:
    task = t.tasks.alias()
    json = select(j.array(object_json("Task", f.children, task, build), order_by=[task.c.id]))
    return json.where(task.c.request_id == row.c.id).correlate_except(task).scalar_subquery()


def _field_value(key: ColumnElement[Any], value: ColumnElement[Any], f: PlanField) -> ColumnElement[str]:
    """FieldValue {key value}: value as the string the resolver gives (JSON null: null)."""
    text_value = case(
        (func.coalesce(func.jsonb_typeof(value), j.const("null")) == j.const("null"), None),
        else_=value.op("#>>")(j.const("{}")),
    )
    parts = {"key": j.string(key), "value": j.string(text_value)}
    return j.obj(
        [(c.key, j.quoted(j.const("FieldValue")) if c.name == "__typename" else parts[c.name]) for c in f.children]
    )


def _fields(f: PlanField, row: FromClause, build: Build) -> ColumnElement[str]:
    """Request.fields: in the order of the request type's form, else in stored order."""
    stored = func.jsonb_each(row.c.fields).table_valued("key", "value", with_ordinality="n").render_derived()
    untyped = select(j.array(_field_value(stored.c.key, stored.c.value, f), order_by=[stored.c.n]))
    request_type = t.request_types.alias()
    form = func.jsonb_array_elements(request_type.c.fields).table_valued("value", with_ordinality="n").render_derived()
    key = form.c.value.op("->>")(j.const("key"))
    # Agent-only values as RequestNode.fields: for the departments working on the request only.
    shown = or_(~j.truthy(form.c.value.op("->")(j.const("agent_only"))), works_on_request(build.viewer, row))
    typed = (
        select(j.array(_field_value(key, row.c.fields.op("->")(key), f), order_by=[form.c.n], where=shown))
        .select_from(request_type.join(form, true()))
        .where(request_type.c.id == row.c.request_type_id)
        .correlate_except(request_type, form)
    )
    return case(
        (row.c.request_type_id.is_(None), untyped.correlate_except(stored).scalar_subquery()),
        else_=func.coalesce(typed.scalar_subquery(), j.const("[]")),
    )


def _contact_detail(name: str, encode: Callable[[Any], ColumnElement[str]]) -> Encoder:
    """Person.email and Person.role: null for a requester unless the person is the viewer
    (domain.access.can_see_contact_details)."""

    def encoder(f: PlanField, row: FromClause, build: Build) -> ColumnElement[str]:
        if sees_everyones_contact_details(build.viewer):
            return encode(row.c[name])
        return case((row.c.id == build.viewer.id, encode(row.c[name])), else_=j.const(j.NULL_TEXT))

    return encoder


def _sla(f: PlanField, row: FromClause, build: Build) -> ColumnElement[str]:
    return object_json("SlaStatus", f.children, row, build)


def _satisfaction(f: PlanField, row: FromClause, build: Build) -> ColumnElement[str]:
    return case(
        (row.c.satisfaction_score.is_(None), j.const(j.NULL_TEXT)),
        else_=object_json("Satisfaction", f.children, row, build),
    )


def _nested(f: PlanField, row: FromClause, build: Build) -> ColumnElement[str]:
    from schema.compiled.connections import nested_connection

    return nested_connection(f, row, build)


def _watchers(f: PlanField, row: FromClause, build: Build) -> ColumnElement[str]:
    """watcher_ids_by_request's order (person id), each person as the person loader reads them."""
    watcher, person = t.watchers.alias(), t.people.alias()
    json = (
        select(j.array(object_json("Person", f.children, person, build), order_by=[watcher.c.person_id]))
        .select_from(watcher.join(person, person.c.id == watcher.c.person_id))
        .where(watcher.c.request_id == row.c.id)
    )
    return json.correlate_except(watcher, person).scalar_subquery()


def _elements(f: PlanField, array: ColumnElement[Any], type_name: str, build: Build) -> ColumnElement[str]:
    """A list of objects from a jsonb array column (a request type's form, its task templates), in order."""
    element = func.jsonb_array_elements(array).table_valued("value", with_ordinality="n").render_derived()
    json = select(j.array(object_json(type_name, f.children, element, build), order_by=[element.c.n]))
    return func.coalesce(json.select_from(element).scalar_subquery(), j.const("[]"))


def _key(name: str) -> Callable[[Any], ColumnElement[Any]]:
    """A key of a jsonb element as text."""
    return lambda row: row.c.value.op("->>")(j.const(name))


def _from_element(name: str, encode: Callable[[Any], ColumnElement[str]]) -> Encoder:
    return lambda f, row, build: encode(_key(name)(row))


def _options(f: PlanField, row: FromClause, build: Build) -> ColumnElement[str]:
    """`list(options) if options else None` (db.mapping.field_definitions)."""
    options = row.c.value.op("->")(j.const("options"))
    item = func.jsonb_array_elements_text(options).table_valued("value", with_ordinality="n").render_derived()
    json = select(j.array(j.string(item.c.value), order_by=[item.c.n])).select_from(item).scalar_subquery()
    return case((j.truthy(options), json), else_=j.const(j.NULL_TEXT))


def _policy(f: PlanField, row: FromClause, build: Build) -> ColumnElement[str]:
    """A request type's SLA: null unless both targets are set (RequestTypeNode.from_row)."""
    both = and_(row.c.response_minutes.is_not(None), row.c.resolution_minutes.is_not(None))
    return case((both, object_json("SlaPolicy", f.children, row, build)), else_=j.const(j.NULL_TEXT))


def _event_cursor(f: PlanField, row: FromClause, build: Build) -> ColumnElement[str]:
    """schema.events.types.event_cursor as SQL."""
    return j.quoted(j.base64url(j.concat(["seq:", cast(row.c.seq, Text)])))


def _number(f: PlanField, row: FromClause, build: Build) -> ColumnElement[str]:
    return j.quoted(j.concat(["REQ-", cast(row.c.number, Text)]))


_department = one("Department", t.departments, lambda row: row.c.owner_department_id)

ENCODERS: dict[str, dict[str, Encoder]] = {
    "Request": {
        "id": _id("Request"),
        "number": _number,
        "title": _column("title", j.string),
        "description": _column("description", j.string),
        "status": _column("status", j.quoted),
        "priority": _column("priority", j.quoted),
        "version": _column("version", j.integer),
        "createdAt": _column("created_at", j.iso_datetime),
        "updatedAt": _column("updated_at", j.iso_datetime),
        "resolvedAt": _column("resolved_at", j.iso_datetime),
        "sla": _sla,
        "satisfaction": _satisfaction,
        "service": one("Service", t.services, lambda row: row.c.service_id),
        "requester": one("Person", t.people, lambda row: row.c.requester_id),
        "assignee": one("Person", t.people, lambda row: row.c.assignee_id),
        "ownerDepartment": _department,
        "fields": _fields,
        "tasks": _tasks,
        "comments": _nested,
        "activity": _nested,
        "watchers": _watchers,
        "requestType": one("RequestType", t.request_types, lambda row: row.c.request_type_id),
    },
    "RequestType": {
        "id": _id("RequestType"),
        "name": _column("name", j.string),
        "fields": lambda f, row, build: _elements(f, row.c.fields, "FieldDefinition", build),
        "sla": _policy,
        "taskTemplates": lambda f, row, build: _elements(f, row.c.task_templates, "TaskTemplate", build),
        "service": one("Service", t.services, lambda row: row.c.service_id),
    },
    "FieldDefinition": {
        "key": _from_element("key", j.string),
        "label": _from_element("label", j.string),
        "kind": _from_element("kind", j.quoted),
        "required": lambda f, row, build: j.boolean(j.truthy(row.c.value.op("->")(j.const("required")))),
        "options": _options,
        "agentOnly": lambda f, row, build: j.boolean(j.truthy(row.c.value.op("->")(j.const("agent_only")))),
    },
    "SlaPolicy": {
        "responseMinutes": _column("response_minutes", j.integer),
        "resolutionMinutes": _column("resolution_minutes", j.integer),
    },
    "TaskTemplate": {
        "title": _from_element("title", j.string),
        "department": one("Department", t.departments, lambda row: cast(_key("department_id")(row), BigInteger)),
    },
    "Event": {
        "id": lambda f, row, build: j.global_id("Event", row.c.seq),
        "cursor": _event_cursor,
        "type": _column("type", j.string),
        "occurredAt": _column("occurred_at", j.iso_datetime),
        "summary": lambda f, row, build: j.string(summary_text(row.c.type, row.c.payload)),
        "actor": one("Person", t.people, lambda row: row.c.actor_id),
    },
    "SlaStatus": {
        "responseDueAt": _column("response_due_at", j.iso_datetime),
        "resolutionDueAt": _column("resolution_due_at", j.iso_datetime),
        "paused": lambda f, row, build: j.boolean(row.c.sla_paused_at.is_not(None)),
        # BREACHED is written against the requests table, which is where a Request row comes from.
        "breached": lambda f, row, build: j.boolean(BREACHED),
    },
    "Satisfaction": {
        "score": _column("satisfaction_score", j.integer),
        "comment": _column("satisfaction_comment", j.string),
    },
    "Service": {
        "id": _id("Service"),
        "name": _column("name", j.string),
        "description": _column("description", j.string),
        "active": _column("active", j.boolean),
        "ownerDepartment": _department,
    },
    "Department": {"id": _id("Department"), "name": _column("name", j.string), "slug": _column("slug", j.string)},
    "Person": {
        "id": _id("Person"),
        "name": _column("name", j.string),
        "email": _contact_detail("email", j.string),
        "role": _contact_detail("role", j.quoted),
        "department": one("Department", t.departments, lambda row: row.c.department_id),
    },
    "Task": {
        "id": _id("Task"),
        "title": _column("title", j.string),
        "status": _column("status", j.quoted),
        "createdAt": _column("created_at", j.iso_datetime),
        "completedAt": _column("completed_at", j.iso_datetime),
        "department": one("Department", t.departments, lambda row: row.c.department_id),
        "assignee": one("Person", t.people, lambda row: row.c.assignee_id),
    },
    "Comment": {
        "id": _id("Comment"),
        "body": _column("body", j.string),
        "internal": _column("internal", j.boolean),
        "createdAt": _column("created_at", j.iso_datetime),
        "author": one("Person", t.people, lambda row: row.c.author_id),
    },
}
