"""Hypothesis strategies for query operations portals could send: random field subsets, aliases,
repeated fields (merged), inline and named fragments, @include/@skip (literal and variables),
paging arguments (valid, out of range and broken cursors), filters and orders, `node(id:)`; under a
request its watchers, request type (form, SLA, task templates) and activity (the event log)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from db.read.pages import encode_cursor
from schema import ids
from tests.compiled.seed import Seeded


@dataclass
class Operation:
    query: str
    variables: dict[str, Any]


@dataclass
class _Doc:
    """What one generated operation declares besides its selections."""

    variables: dict[str, tuple[str, Any]] = field(default_factory=dict)  # name -> (type, value)
    fragments: list[str] = field(default_factory=list)
    counter: int = 0

    def variable(self, type_name: str, value: Any) -> str:
        self.counter += 1
        name = f"v{self.counter}"
        self.variables[name] = (type_name, value)
        return "$" + name

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"


PERSON = ["id", "name", "email", "role", "__typename"]
DEPARTMENT = ["id", "name", "slug", "__typename"]


class Generator:
    def __init__(self, draw: Any, seeded: Seeded, departments: list[int], people: list[int]):
        self.draw, self.seeded, self.departments, self.people = draw, seeded, departments, people
        self.doc = _Doc()

    def pick(self, options: list[Any]) -> Any:
        return self.draw(st.sampled_from(options))

    def chance(self, p: float = 0.5) -> bool:
        return self.draw(st.floats(0, 1)) < p

    # --- selections -------------------------------------------------------------------------
    def selection(self, type_name: str, items: list[Any]) -> str:
        """Items of one selection set, maybe aliased, repeated, conditional or in fragments.

        An item is a leaf field's name, or (name, render) for a field with arguments or a
        selection: render() gives (arguments, selection) and runs only when the item is chosen."""
        chosen = self.draw(st.lists(st.sampled_from(range(len(items))), min_size=1, max_size=min(len(items), 6)))
        rendered = [self.decorate(items[i]) for i in chosen]
        if len(rendered) > 1 and self.chance(0.3):
            cut = self.draw(st.integers(1, len(rendered) - 1))
            rendered = rendered[:cut] + [self.fragment(type_name, rendered[cut:])]
        return "{ " + " ".join(rendered) + " }"

    def decorate(self, item: Any) -> str:
        name, (arguments, selection) = (item, ("", "")) if isinstance(item, str) else (item[0], item[1]())
        head = f"{self.doc.fresh('a')}: {name}" if self.chance(0.2) else name
        directive = " " + self.directive() if self.chance(0.15) else ""
        return f"{head}{arguments}{directive} {selection}".rstrip()

    def directive(self) -> str:
        kind = self.pick(["include", "skip"])
        value = self.chance()
        condition = self.doc.variable("Boolean!", value) if self.chance() else str(value).lower()
        return f"@{kind}(if: {condition})"

    def fragment(self, type_name: str, items: list[str]) -> str:
        directive = " " + self.directive() if self.chance(0.2) else ""
        if self.chance():
            return f"... on {type_name}{directive} {{ {' '.join(items)} }}"
        name = self.doc.fresh("F")
        self.doc.fragments.append(f"fragment {name} on {type_name} {{ {' '.join(items)} }}")
        return f"...{name}{directive}"

    def department(self, name: str = "ownerDepartment") -> tuple[str, Any]:
        return name, lambda: ("", self.selection("Department", DEPARTMENT))

    def person(self, name: str) -> tuple[str, Any]:
        return name, lambda: ("", self.selection("Person", [*PERSON, self.department("department")]))

    def nested(self, name: str, type_name: str, items: list[Any]) -> tuple[str, Any]:
        return name, lambda: ("", self.selection(type_name, items))

    def request(self) -> str:
        items = [
            "id",
            "number",
            "title",
            "description",
            "status",
            "priority",
            "version",
            "createdAt",
            "updatedAt",
            "resolvedAt",
            "__typename",
            self.nested("sla", "SlaStatus", ["responseDueAt", "resolutionDueAt", "paused", "breached", "__typename"]),
            self.nested("satisfaction", "Satisfaction", ["score", "comment", "__typename"]),
            self.nested("service", "Service", ["id", "name", "description", "active", "__typename", self.department()]),
            self.person("requester"),
            self.person("assignee"),
            self.department(),
            self.nested("fields", "FieldValue", ["key", "value", "__typename"]),
            self.nested(
                "tasks",
                "Task",
                [
                    "id",
                    "title",
                    "status",
                    "createdAt",
                    "completedAt",
                    "__typename",
                    self.department("department"),
                    self.person("assignee"),
                ],
            ),
            ("comments", self.comments),
            self.person("watchers"),
            ("requestType", self.request_type),
            ("activity", self.activity),
        ]
        return self.selection("Request", items)

    def request_type(self) -> tuple[str, str]:
        items = [
            "id",
            "name",
            "__typename",
            self.nested(
                "fields", "FieldDefinition", ["key", "label", "kind", "required", "options", "agentOnly", "__typename"]
            ),
            self.nested("sla", "SlaPolicy", ["responseMinutes", "resolutionMinutes", "__typename"]),
            self.nested("taskTemplates", "TaskTemplate", ["title", "__typename", self.department("department")]),
            self.nested("service", "Service", ["id", "name", "active", self.department()]),
        ]
        return "", self.selection("RequestType", items)

    def activity(self) -> tuple[str, str]:
        arguments = self.window_arguments(self.event_cursor)
        node = self.nested(
            "node", "Event", ["id", "cursor", "type", "occurredAt", "summary", "__typename", self.person("actor")]
        )
        return arguments, self.connection("Event", node)

    def event_cursor(self) -> str:
        if self.chance(0.05):
            return self.pick(["not-a-cursor", encode_cursor(*self.pick(self.seeded.comment_keys))])
        seq = self.pick(self.seeded.event_seqs)
        return encode_cursor(seq, seq)

    def comments(self) -> tuple[str, str]:
        arguments = self.window_arguments(self.comment_cursor)
        node = self.nested(
            "node", "Comment", ["id", "body", "internal", "createdAt", "__typename", self.person("author")]
        )
        return arguments, self.connection("Comment", node)

    def connection(self, type_name: str, node: tuple[str, Any]) -> str:
        page_info = self.nested(
            "pageInfo", "PageInfo", ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename"]
        )
        edges = self.nested("edges", f"{type_name}Edge", ["cursor", node, "__typename"])
        return self.selection(f"{type_name}Connection", ["totalCount", page_info, edges, "__typename"])

    # --- arguments --------------------------------------------------------------------------
    def argument(self, name: str, type_name: str, value: Any, literal: str) -> str:
        if self.chance(0.4):
            return f"{name}: {self.doc.variable(type_name, value)}"
        return f"{name}: {literal}"

    def size(self, name: str) -> str:
        # Mostly valid sizes: an invalid one makes the whole operation fall back.
        n = self.pick([0, 1, 2, 3, 5, 30, 150] * 3 + [-1])
        return self.argument(name, "Int", n, str(n))

    def text(self, name: str, value: str) -> str:
        return self.argument(name, "String", value, json.dumps(value))

    def comment_cursor(self) -> str:
        if self.chance(0.05):
            return "not-a-cursor"
        return encode_cursor(*self.pick(self.seeded.comment_keys))

    def window_arguments(self, cursor: Any) -> str:
        """first/after/last/before of a nested connection (`cursor` draws one of its cursors)."""
        shape = self.pick(["none", "first", "last", "after", "before"] * 3 + ["both"])
        parts = {
            "none": lambda: [],
            "first": lambda: [self.size("first")],
            "last": lambda: [self.size("last")],
            "after": lambda: [self.size("first"), self.text("after", cursor())],
            "before": lambda: [self.size("last"), self.text("before", cursor())],
            "both": lambda: [self.size("first"), self.size("last")],
        }[shape]()
        return f"({', '.join(parts)})" if parts else ""

    def request_cursor(self, order: str) -> str:
        created_at, request_id = self.pick(self.seeded.request_keys)
        if self.chance(0.05):
            return "not-a-cursor"
        if order in ("CREATED_AT", "UPDATED_AT", "RESOLUTION_DUE_AT") or self.chance(0.1):
            return encode_cursor(created_at + timedelta(hours=self.pick([0, 1, 30])), request_id)
        return encode_cursor(self.pick([0, 1, 2, 3, 1005, 1012]), request_id)

    def requests_arguments(self) -> str:
        parts = []
        order = self.pick(["CREATED_AT", "UPDATED_AT", "NUMBER", "PRIORITY", "RESOLUTION_DUE_AT"])
        if self.chance(0.6):
            parts.append(self.size("first"))
        if self.chance(0.3):
            parts.append(self.text("after", self.request_cursor(order)))
        if self.chance(0.5):
            direction = self.pick(["ASC", "DESC"])
            parts.append(
                self.argument(
                    "orderBy",
                    "RequestOrder",
                    {"field": order, "direction": direction},
                    f"{{field: {order}, direction: {direction}}}",
                )
            )
        if self.chance(0.5):
            parts.append(self.filter())
        return f"({', '.join(parts)})" if parts else ""

    def filter(self) -> str:
        options = {
            "status": lambda: self.draw(
                st.lists(st.sampled_from(["NEW", "TRIAGED", "RESOLVED", "CLOSED"]), min_size=1, max_size=3, unique=True)
            ),
            "priority": lambda: self.draw(
                st.lists(st.sampled_from(["LOW", "MEDIUM", "HIGH", "URGENT"]), min_size=1, max_size=2, unique=True)
            ),
            "ownerDepartmentId": lambda: ids.encode("Department", self.pick(self.departments + [999])),
            "openTaskDepartmentId": lambda: ids.encode("Department", self.pick(self.departments)),
            "assigneeId": lambda: ids.encode("Person", self.pick(self.people)),
            "requesterId": lambda: self.pick([ids.encode("Person", self.pick(self.people)), "bogus"]),
            "serviceId": lambda: ids.encode("Service", self.pick([1, 2, 3])),
            "unassigned": lambda: self.chance(),
            "slaBreached": lambda: self.chance(),
            "search": lambda: self.pick(["laptop", "caf", "quote back", "#1", "nothing-matches"]),
            "createdAfter": lambda: (self.pick(self.seeded.request_keys)[0]).isoformat(),
        }
        keys = self.draw(st.lists(st.sampled_from(sorted(options)), min_size=1, max_size=3, unique=True))
        value = {k: options[k]() for k in keys}
        return self.argument("filter", "RequestFilter", value, _literal(value))

    def node_id(self) -> str:
        request_id = self.pick(self.seeded.request_ids)
        choice = self.pick(["request"] * 6 + ["comment", "missing", "garbage"])
        return {
            "request": ids.encode("Request", request_id),
            "comment": ids.encode("Comment", 1),
            "missing": ids.encode("Request", 999_999),
            "garbage": "!!",
        }[choice]

    # --- the operation ----------------------------------------------------------------------
    def operation(self) -> Operation:
        roots = []
        for root in self.draw(
            st.lists(st.sampled_from(["requests", "node", "__typename"]), min_size=1, max_size=2, unique=True)
        ):
            if root == "requests":
                arguments = self.requests_arguments()
                node = ("node", lambda: ("", self.request()))
                roots.append(f"requests{arguments} {self.connection('Request', node)}")
            elif root == "node":
                other = " ... on Comment { body }" if self.chance(0.3) else ""
                value = self.node_id()
                node_id = self.argument("id", "ID!", value, json.dumps(value))
                request = self.request()
                roots.append(f"node({node_id}) {{ id __typename ... on Request {request}{other} }}")
            else:
                roots.append("__typename")
        declared = ", ".join(f"${n}: {t}" for n, (t, _) in self.doc.variables.items())
        header = f"query Generated({declared})" if declared else "query Generated"
        query = "\n".join([f"{header} {{ {' '.join(roots)} }}", *self.doc.fragments])
        return Operation(query=query, variables={n: v for n, (_, v) in self.doc.variables.items()})


def _literal(value: Any) -> str:
    """A GraphQL input literal: enum lists unquoted, everything else as JSON."""
    parts = []
    for key, item in value.items():
        if key in ("status", "priority"):
            parts.append(f"{key}: [{', '.join(item)}]")
        else:
            parts.append(f"{key}: {json.dumps(item)}")
    return "{" + ", ".join(parts) + "}"


@st.composite
def operations(draw: Any, seeded: Seeded, departments: list[int], people: list[int]) -> Operation:
    return Generator(draw, seeded, departments, people).operation()
