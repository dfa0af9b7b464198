"""Hypothesis strategies for query operations portals could send: random field subsets, aliases,
repeated fields (merged), inline and named fragments, @include/@skip (literal and variables),
paging arguments (valid, out of range and broken cursors), filters and orders, `node(id:)`; and
mixed operations: compiled root fields beside root fields normal execution answers (`BESIDE`),
with fragments spanning both, aliases and @include/@skip on either.

The fields come from the compiled read path's own tables (schema.compiled.fields.SUPPORTED): every
field it compiles is generated, so the differential test compares each one. A field that takes
arguments needs a way to draw them in `ARGUMENTS` (tests/compiled/test_field_sources.py fails
without one)."""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from graphql import FieldNode, GraphQLSchema, TypeInfo, TypeInfoVisitor, Visitor, parse, visit
from hypothesis import strategies as st

from db.read.pages import encode_cursor
from schema import ids
from schema.compiled.fields import SUPPORTED
from schema.compiled.sql import FieldSql, named_type
from schema.nodes import NODE_SQL
from tests.compiled.seed import Seeded

# The deepest field generated: below it, objects are left out (the schema allows a depth of 12).
MAX_DEPTH = 10
# The types node(id:) and nodes(ids:) read in SQL.
NODE_TYPES = NODE_SQL.keys()


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


class Generator:
    def __init__(self, draw: Any, seeded: Seeded, departments: list[int], people: list[int]):
        self.draw, self.seeded, self.departments, self.people = draw, seeded, departments, people
        self.doc = _Doc()
        self.refusable = True
        # Chances from a Random that hypothesis seeds: drawn as floats they would be its boundary
        # values (0.0) far more often than `p` says, and how often differs between its versions.
        self.random = draw(st.randoms(use_true_random=False))

    def pick(self, options: list[Any]) -> Any:
        return self.draw(st.sampled_from(options))

    def chance(self, p: float = 0.5) -> bool:
        return self.random.random() < p

    def broken(self, p: float) -> bool:
        """Whether to draw an argument normal execution refuses (with an error), now and then: only
        in an operation's first root field. Two root fields refused together are answered with one
        error, whichever resolver raises first: normal execution does not answer them the same way
        twice."""
        return self.refusable and self.chance(p)

    # --- selections -------------------------------------------------------------------------
    def selection(self, type_name: str, items: list[Any]) -> str:
        """Items of one selection set, maybe aliased, repeated, conditional or in fragments.

        An item is a leaf field's name, or (name, render) for a field with arguments or a
        selection: render() gives (arguments, selection) and runs only when the item is chosen."""
        # A random order, then a few of it: drawing indices would favour the first fields of a
        # table (hypothesis leans towards small values), and never reach those declared last.
        order = self.draw(st.permutations(range(len(items))))
        chosen = order[: self.draw(st.integers(1, min(len(items), 6)))]
        if self.chance(0.2):
            chosen.append(self.pick(chosen))  # a field repeated: merged
        # A field with a selection or arguments chosen again gets an alias: the same field with
        # other arguments could not merge.
        again = [i in chosen[:n] and not isinstance(items[i], str) for n, i in enumerate(chosen)]
        rendered = [self.decorate(items[i], alias=alias) for i, alias in zip(chosen, again, strict=True)]
        if len(rendered) > 1 and self.chance(0.3):
            cut = self.draw(st.integers(1, len(rendered) - 1))
            rendered = rendered[:cut] + [self.fragment(type_name, rendered[cut:])]
        return "{ " + " ".join(rendered) + " }"

    def decorate(self, item: Any, *, alias: bool = False) -> str:
        name, (arguments, selection) = (item, ("", "")) if isinstance(item, str) else (item[0], item[1]())
        head = f"{self.doc.fresh('a')}: {name}" if alias or self.chance(0.2) else name
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

    def items(self, type_name: str, depth: int) -> list[Any]:
        """What a selection on `type_name` at `depth` chooses from: its compiled fields."""
        items: list[Any] = ["__typename"]
        for name, sql in SUPPORTED[type_name].items():
            has_selection = bool(sql.plan_for) or named_type(sql.writes) in SUPPORTED
            if has_selection and depth >= MAX_DEPTH:
                continue
            if has_selection or sql.arguments is not None:
                items.append((name, self.field(type_name, name, sql, depth)))
            else:
                items.append(name)
        return items

    def field(self, parent: str, name: str, sql: FieldSql, depth: int) -> Callable[[], tuple[str, str]]:
        def render() -> tuple[str, str]:
            arguments = ARGUMENTS[(parent, name)].draw(self) if sql.arguments is not None else ""
            if sql.plan_for:
                # An interface: a fragment on one of the types it is planned for (the ID may name
                # another, or one of a type not compiled, which falls back), now and then one on
                # a second type (its leaves only where they cannot conflict) or on a type it is
                # not planned for (which must not matter).
                first, second = self.pick(sql.plan_for), self.pick(sql.plan_for)
                fragments = [f"... on {first} {self.selection(first, self.items(first, depth + 1))}"]
                if self.chance(0.3):
                    fragments.append(f"... on {second} {{ {self.pick(['id', '__typename', 'x: id'])} }}")
                if self.chance(0.1):
                    fragments.append("... on JourneyMap { name }")
                return arguments, f"{{ id __typename {' '.join(fragments)} }}"
            target = named_type(sql.writes)
            if target not in SUPPORTED:
                return arguments, ""
            return arguments, self.selection(target, self.items(target, depth + 1))

        return render

    # --- arguments --------------------------------------------------------------------------
    def argument(self, name: str, type_name: str, value: Any, literal: str) -> str:
        if self.chance(0.4):
            return f"{name}: {self.doc.variable(type_name, value)}"
        return f"{name}: {literal}"

    def size(self, name: str) -> str:
        # Mostly valid sizes: an invalid one makes the whole operation fall back.
        n = -1 if self.broken(1 / 22) else self.pick([0, 1, 2, 3, 5, 30, 150])
        return self.argument(name, "Int", n, str(n))

    def text(self, name: str, value: str) -> str:
        return self.argument(name, "String", value, json.dumps(value))

    def event_cursor(self) -> str:
        if self.broken(0.05):
            return self.pick(["not-a-cursor", encode_cursor(*self.pick(self.seeded.comment_keys))])
        seq = self.pick(self.seeded.event_seqs)
        return encode_cursor(seq, seq)

    def comment_cursor(self) -> str:
        if self.broken(0.05):
            return "not-a-cursor"
        return encode_cursor(*self.pick(self.seeded.comment_keys))

    def window_arguments(self, cursor: Any) -> str:
        """first/after/last/before of a nested connection (`cursor` draws one of its cursors)."""
        shape = "both" if self.broken(1 / 16) else self.pick(["none", "first", "last", "after", "before"])
        parts = {
            "none": lambda: [],
            "first": lambda: [self.size("first")],
            "last": lambda: [self.size("last")],
            "after": lambda: [self.size("first"), self.text("after", cursor())],
            "before": lambda: [self.size("last"), self.text("before", cursor())],
            "both": lambda: [self.size("first"), self.size("last")],
        }[shape]()
        return f"({', '.join(parts)})" if parts else ""

    def run_cursor(self) -> str:
        if self.chance(0.05):
            return self.pick(["not-a-cursor", encode_cursor(*self.pick(self.seeded.comment_keys))])
        if not self.seeded.run_keys:
            return encode_cursor(*self.pick(self.seeded.comment_keys))
        return encode_cursor(*self.pick(self.seeded.run_keys))

    def forward_window(self, cursor: Any) -> str:
        """first/after of a connection that pages only forwards (a map's runs)."""
        parts = []
        if self.chance(0.6):
            parts.append(self.size("first"))
        if self.chance(0.3):
            parts.append(self.text("after", cursor()))
        return f"({', '.join(parts)})" if parts else ""

    def map_cursor(self) -> str:
        if self.chance(0.05) or not self.seeded.map_keys:
            return self.pick(["not-a-cursor", encode_cursor(*self.pick(self.seeded.comment_keys))])
        return encode_cursor(*self.pick(self.seeded.map_keys))

    def journey_maps_arguments(self) -> str:
        window = self.forward_window(self.map_cursor)
        if not self.chance(0.5):
            return window
        options = {
            "active": lambda: self.chance(),
            "departmentId": lambda: ids.encode("Department", self.pick(self.departments + [999])),
            "search": lambda: self.pick(["onboard", "MOVE", "day", "%", "nothing-matches"]),
        }
        return self._with_filter(window, "JourneyMapFilter", options)

    def journey_runs_arguments(self) -> str:
        window = self.forward_window(self.run_cursor)
        if not self.chance(0.5):
            return window
        map_ids = [i for _, i in self.seeded.map_keys] or [1]
        started = [at for at, _ in self.seeded.run_keys] or [datetime(2026, 1, 5, tzinfo=UTC)]
        options = {
            "mapId": lambda: self.pick([ids.encode("JourneyMap", self.pick(map_ids)), "bogus"]),
            "exactVersion": lambda: self.chance(),
            "status": lambda: self.draw(
                st.lists(st.sampled_from(["ACTIVE", "COMPLETED", "CANCELLED"]), min_size=1, max_size=2, unique=True)
            ),
            "sponsorId": lambda: ids.encode("Person", self.pick(self.people)),
            "departmentId": lambda: ids.encode("Department", self.pick(self.departments)),
            "startedAfter": lambda: self.pick(started).isoformat(),
            "startedBefore": lambda: (self.pick(started) + timedelta(minutes=1)).isoformat(),
        }
        return self._with_filter(window, "JourneyRunFilter", options)

    def _with_filter(self, window: str, type_name: str, options: dict[str, Callable[[], Any]]) -> str:
        keys = self.draw(st.lists(st.sampled_from(sorted(options)), min_size=1, max_size=3, unique=True))
        value = {k: options[k]() for k in keys}
        given = self.argument("filter", type_name, value, _literal(value))
        return f"({window[1:-1]}, {given})" if window else f"({given})"

    def request_cursor(self, order: str) -> str:
        created_at, request_id = self.pick(self.seeded.request_keys)
        if self.broken(0.05):
            return "not-a-cursor"
        if order in ("CREATED_AT", "UPDATED_AT", "RESOLUTION_DUE_AT") or self.broken(0.1):
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

    def node_arguments(self) -> str:
        value = self.node_id()
        return f"({self.argument('id', 'ID!', value, json.dumps(value))})"

    def nodes_arguments(self) -> str:
        values = [self.node_id() for _ in range(self.draw(st.integers(0, 4)))]
        if self.broken(0.03):
            values = [self.node_id()] * 101  # more than normal execution takes: an error, so it falls back
        return f"({self.argument('ids', '[ID!]!', values, json.dumps(values))})"

    def node_id(self) -> str:
        choice = self.pick([*NODE_TYPES] * 2 + ["Request"] * 4 + ["missing", "garbage", "not compiled"])
        if choice in NODE_TYPES:
            return ids.encode(choice, self.pick(self.seeded.node_ids.get(choice) or [1]))
        return {
            "missing": ids.encode("Request", 999_999),
            "garbage": "!!",
            "not compiled": ids.encode("SharedGoal", 1),
        }[choice]

    def name_cursor(self, keys: list[tuple[Any, int]]) -> str:
        if self.broken(0.05):
            return self.pick(["not-a-cursor", encode_cursor(*self.pick(self.seeded.request_keys))])
        return encode_cursor(*self.pick(keys or [("A", 1)]))

    def list_arguments(self, cursor: Callable[[], str], filter: Callable[[], str] | None = None) -> str:
        """first/after (and a filter) of a root list or a department's services or queue."""
        parts = []
        if self.chance(0.6):
            parts.append(self.size("first"))
        if self.chance(0.3):
            parts.append(self.text("after", cursor()))
        if filter is not None and self.chance(0.5):
            parts.append(filter())
        return f"({', '.join(parts)})" if parts else ""

    def service_filter(self) -> str:
        options = {
            "ownerDepartmentId": lambda: self.pick([ids.encode("Department", self.pick(self.departments)), "bogus"]),
            "active": lambda: self.chance(),
            "search": lambda: self.pick(["lap", "CAF", "%", "_", "nothing-matches"]),
        }
        keys = self.draw(st.lists(st.sampled_from(sorted(options)), min_size=1, max_size=2, unique=True))
        value = {k: options[k]() for k in keys}
        return self.argument("filter", "ServiceFilter", value, _literal(value))

    def keyed_cursor(self, keys: list[tuple[Any, int]]) -> str:
        """A cursor of a list ordered by a timestamp and id (goals, tokens), now and then a broken one."""
        if self.broken(0.05) or not keys:
            return self.pick(["not-a-cursor", encode_cursor(3, 1)])
        moment, row_id = self.pick(keys)
        return encode_cursor(moment + timedelta(hours=self.pick([0, 0, 1, -30])), row_id)

    def goal_filter(self) -> str:
        options = {
            "departmentId": lambda: self.pick([ids.encode("Department", d) for d in self.departments] + ["bogus"]),
            "activeAt": lambda: self.pick(self.seeded.goal_keys)[0].isoformat() if self.seeded.goal_keys else None,
            "search": lambda: self.pick(["resolve", "QUIET", "100%_", "nothing-matches"]),
        }
        keys = self.draw(st.lists(st.sampled_from(sorted(options)), min_size=1, max_size=2, unique=True))
        value = {k: options[k]() for k in keys}
        return self.argument("filter", "SharedGoalFilter", value, _literal(value))

    def api_tokens_arguments(self) -> str:
        """first/after, includeRevoked, and now and then personId (normal execution looks the
        person up: that falls back)."""
        parts = []
        if self.chance(0.6):
            parts.append(self.size("first"))
        if self.chance(0.3):
            parts.append(self.text("after", self.keyed_cursor(self.seeded.token_keys)))
        if self.chance(0.5):
            revoked = self.chance()
            parts.append(self.argument("includeRevoked", "Boolean", revoked, str(revoked).lower()))
        if self.broken(0.1):
            person = ids.encode("Person", self.pick(self.people))
            parts.append(self.argument("personId", "ID", person, json.dumps(person)))
        return f"({', '.join(parts)})" if parts else ""

    # --- the operation ----------------------------------------------------------------------
    def operation(self) -> Operation:
        roots = []
        for root in self.draw(st.lists(st.sampled_from(self.items("Query", 1)), min_size=1, max_size=2, unique=True)):
            if root == "__typename":
                roots.append(root)
            else:
                name, render = root
                arguments, selection = render()
                roots.append(f"{name}{arguments} {selection}".rstrip())
                self.refusable = False
        return self.finish(roots)

    def mixed_operation(self) -> Operation:
        """Compiled root fields beside others (`BESIDE`), in any order, now and then some of both in
        one fragment on Query."""
        # At most one root field normal execution refuses (`broken`): the one of BESIDE_REFUSED, if
        # drawn, else maybe a compiled root's arguments.
        refused = [self.pick(BESIDE_REFUSED)] if self.chance(0.4) else []
        self.refusable = not refused
        # Not `__typename` alone: with nothing else compiled, normal execution answers all of it.
        fields = [item for item in self.items("Query", 1) if item != "__typename"]
        compiled = self.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=2, unique=True))
        names = {root if isinstance(root, str) else root[0] for root in compiled}
        # One field of a name (unaliased, two with other arguments would not validate).
        beside = self.draw(st.lists(st.sampled_from(BESIDE), min_size=0, max_size=3, unique_by=_root_name))
        beside = [*beside, *(r for r in refused if _root_name(r) not in {_root_name(b) for b in beside})]
        if not refused and not any(b in BESIDE_NORMAL for b in beside):
            # Something normal execution answers: introspection, since every other root compiles.
            beside.append(self.pick(BESIDE_NORMAL))
        roots = []
        for root in compiled:
            roots.append(self.decorate(root))
            self.refusable = False  # the first compiled root at most
        roots += [self.decorate_beside(root) for root in beside if _root_name(root) not in names]
        roots = self.draw(st.permutations(roots))
        if len(roots) > 1 and self.chance(0.4):
            start = self.draw(st.integers(0, len(roots) - 2))
            end = self.draw(st.integers(start + 2, len(roots)))
            roots = [*roots[:start], self.fragment("Query", roots[start:end]), *roots[end:]]
        return self.finish(roots)

    def decorate_beside(self, root: str) -> str:
        head, selection = root.split("{", 1)
        alias = f"{self.doc.fresh('b')}: " if self.chance(0.2) else ""
        directive = f" {self.directive()}" if self.chance(0.2) else ""
        return f"{alias}{head.rstrip()}{directive} {{{selection}"

    def finish(self, roots: list[str]) -> Operation:
        declared = ", ".join(f"${n}: {t}" for n, (t, _) in self.doc.variables.items())
        header = f"query Generated({declared})" if declared else "query Generated"
        query = "\n".join([f"{header} {{ {' '.join(roots)} }}", *self.doc.fragments])
        return Operation(query=query, variables={n: v for n, (_, v) in self.doc.variables.items()})


# Root fields to put beside compiled ones in mixed operations: each answered by normal execution
# (or, once it has SQL, compiled: the operation is then compiled whole, or mixed with another),
# introspection (never compiled), and errors normal execution answers: refused arguments on a
# non-null root field (`data` is then null) and below a nullable one (a null where it stops).
BESIDE = [
    "viewer { id name role department { name } }",
    "viewer { name email department { name slug members { name } } }",
    "departments(first: 3) { totalCount edges { cursor node { name slug } } pageInfo { hasNextPage } }",
    "services(first: 4) { totalCount edges { node { name active ownerDepartment { name } requestTypes { name } } } }",
    "sharedGoals(first: 3) { totalCount edges { node { title status } } }",
    "journeyMaps(first: 3) { totalCount edges { node { name version } } }",
    "journeyRuns(first: 3) { totalCount edges { node { subject status } } }",
    "apiTokens { totalCount }",
]
# Root fields normal execution answers (introspection: every other root field compiles).
BESIDE_NORMAL = ['__type(name: "Request") { name kind }', "__schema { queryType { name } }"]
BESIDE += BESIDE_NORMAL
# Root fields normal execution answers with an error; at most one an operation (two refused root
# fields are answered with one error or two, in the order their resolvers raise: not the same way
# twice).
BESIDE_REFUSED = [
    "departments(first: -1) { totalCount }",
    'services(after: "not-a-cursor") { totalCount }',
    "viewer { name department { name queue(first: -1) { totalCount } } }",
]


def _root_name(root: Any) -> str:
    """The field name of a root selection: `BESIDE`'s texts, and Generator.items' entries."""
    if isinstance(root, tuple):
        return root[0]
    return root.split("(", 1)[0].split("{", 1)[0].strip()


@dataclass(frozen=True)
class Arguments:
    """How to give a compiled field's arguments: drawn for generated operations, and plain (valid,
    small pages) for the operation that selects every field."""

    draw: Callable[[Generator], str]
    plain: Callable[[Seeded], str]


# Every compiled field that takes arguments needs its entry (tests/compiled/test_field_sources.py).
ARGUMENTS: dict[tuple[str, str], Arguments] = {
    ("Query", "requests"): Arguments(Generator.requests_arguments, lambda seeded: "(first: 5)"),
    ("Query", "node"): Arguments(
        Generator.node_arguments, lambda seeded: f'(id: "{ids.encode("Request", seeded.request_ids[0])}")'
    ),
    ("Request", "comments"): Arguments(lambda g: g.window_arguments(g.comment_cursor), lambda seeded: "(first: 5)"),
    ("Request", "activity"): Arguments(lambda g: g.window_arguments(g.event_cursor), lambda seeded: "(last: 5)"),
    ("JourneyMap", "runs"): Arguments(lambda g: g.forward_window(g.run_cursor), lambda seeded: "(first: 5)"),
    ("Query", "journeyMaps"): Arguments(Generator.journey_maps_arguments, lambda seeded: "(first: 10)"),
    ("Query", "journeyRuns"): Arguments(Generator.journey_runs_arguments, lambda seeded: "(first: 10)"),
    ("Query", "nodes"): Arguments(
        Generator.nodes_arguments, lambda seeded: f"(ids: {json.dumps(_one_of_each(seeded))})"
    ),
    ("Query", "services"): Arguments(
        lambda g: g.list_arguments(lambda: g.name_cursor(g.seeded.service_keys), g.service_filter),
        lambda seeded: "(first: 10)",
    ),
    ("Query", "sharedGoals"): Arguments(
        lambda g: g.list_arguments(lambda: g.keyed_cursor(g.seeded.goal_keys), g.goal_filter),
        lambda seeded: "(first: 10)",
    ),
    ("Query", "apiTokens"): Arguments(Generator.api_tokens_arguments, lambda seeded: "(includeRevoked: true)"),
    ("Query", "departments"): Arguments(
        lambda g: g.list_arguments(lambda: g.name_cursor(g.seeded.department_keys)), lambda seeded: "(first: 10)"
    ),
    ("Department", "services"): Arguments(
        lambda g: g.list_arguments(lambda: g.name_cursor(g.seeded.service_keys)), lambda seeded: "(first: 5)"
    ),
    ("Department", "queue"): Arguments(
        lambda g: g.list_arguments(lambda: g.request_cursor("CREATED_AT"), g.filter), lambda seeded: "(first: 5)"
    ),
}


def _one_of_each(seeded: Seeded) -> list[str]:
    """An ID of every type nodes(ids:) reads (the first of each: IT, the laptops service, …), the
    second department's (HR, whose requests were resolved) and the last goal's (with journeys
    seeded: its key results are scoped to journey maps)."""
    first = [ids.encode(t, seeded.node_ids.get(t, [1])[0]) for t in NODE_TYPES]
    goals = seeded.node_ids.get("SharedGoal") or [1]
    return [
        *first,
        ids.encode("Department", (seeded.node_ids.get("Department") or [1, 2])[1]),
        *([ids.encode("SharedGoal", goals[-1])] if len(goals) > 1 else []),
    ]


def every_field_roots(seeded: Seeded) -> list[Operation]:
    """Operations that together select every compiled field (all of them in one would cost more
    than an operation may), one a root field, and `nodes` in several."""
    roots = _split_nodes(_every_root_field(seeded))
    return [Operation(query=f"query EveryField {{ __typename {root} }}", variables={}) for root in roots]


def every_field(seeded: Seeded) -> Operation:
    """One operation selecting every compiled field: for planning it (it costs more than one
    operation may run: `every_field_roots` runs)."""
    return Operation(query=f"query EveryField {{ __typename {' '.join(_every_root_field(seeded))} }}", variables={})


def _every_root_field(seeded: Seeded) -> list[str]:
    """The root fields that together select every compiled field: leaves wherever their object is, each field with a
    selection expanded once, where its type is first met at its shallowest (so the operations stay
    small and within the depth limit whatever cycles the types have)."""
    expanded: set[tuple[str, str]] = set()
    shallowest = _shallowest_depths()
    conflicting = _conflicting_names()

    def selection(type_name: str, depth: int, *, aliased: bool = False) -> str:
        return "{ " + " ".join(parts(type_name, depth, aliased=aliased)) + " }"

    def parts(type_name: str, depth: int, *, aliased: bool = False) -> list[str]:
        # `aliased`: a fragment beside others on an interface, whose fields may share a name and
        # not a type (Request.status, Task.status): each under an alias of its type's.
        def head(name: str) -> str:
            return f"{type_name}_{name}: {name}" if aliased and name in conflicting else name

        found = [head("__typename")]
        for name, sql in SUPPORTED[type_name].items():
            target = named_type(sql.writes)
            arguments = ARGUMENTS[(type_name, name)].plain(seeded) if sql.arguments is not None else ""
            if not sql.plan_for and target not in SUPPORTED:
                found.append(head(name) + arguments)
            elif (type_name, name) not in expanded and depth == shallowest[type_name]:
                expanded.add((type_name, name))
                if sql.plan_for:
                    fragments = [f"... on {t} {selection(t, depth + 1, aliased=True)}" for t in sql.plan_for]
                    inner = f"{{ id {' '.join(fragments)} }}"
                else:
                    inner = selection(target, depth + 1)
                found.append(f"{head(name)}{arguments} {inner}")
        return found

    # (`__typename` alone would not be compiled: it needs no database)
    return [root for root in parts("Query", 1) if root != "__typename"]


def _split_nodes(roots: list[str]) -> list[str]:
    """`nodes` with an ID of every type, each under fragments on every type, costs more than one
    operation may: its IDs four at a time instead."""
    split = []
    for root in roots:
        found = re.match(r"nodes\(ids: (\[.*?\])\)", root)
        if found is None:
            split.append(root)
            continue
        given = json.loads(found.group(1))
        for start in range(0, len(given), 4):
            split.append(root.replace(found.group(1), json.dumps(given[start : start + 4]), 1))
    return split


def _conflicting_names() -> set[str]:
    """Fields of the same name and different types (Request.status, Task.status) on the types an
    interface's fields are planned for: fragments side by side need them under aliases."""
    writes: dict[str, set[str]] = {}
    for sql in SUPPORTED["Query"].values():
        for type_name in sql.plan_for:
            for name, field_sql in SUPPORTED[type_name].items():
                writes.setdefault(name, set()).add(field_sql.writes)
    return {name for name, types in writes.items() if len(types) > 1}


def _shallowest_depths() -> dict[str, int]:
    """The depth at which each compiled type is first reached from Query (breadth first)."""
    depths: dict[str, int] = {}
    pending = deque([("Query", 1)])
    while pending:
        type_name, depth = pending.popleft()
        if type_name in depths:
            continue
        depths[type_name] = depth
        for sql in SUPPORTED[type_name].values():
            targets = sql.plan_for or (named_type(sql.writes),)
            pending.extend((t, depth + 1) for t in targets if t in SUPPORTED)
    return depths


def selected_fields(schema: GraphQLSchema, query: str) -> set[tuple[str, str]]:
    """The (type, field) pairs an operation selects, through fragments (not `__typename`)."""
    type_info = TypeInfo(schema)
    found: set[tuple[str, str]] = set()

    class Fields(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = type_info.get_parent_type()
            if parent is not None and not node.name.value.startswith("__"):
                found.add((parent.name, node.name.value))

    visit(parse(query), TypeInfoVisitor(type_info, Fields()))
    return found


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


@st.composite
def mixed_operations(draw: Any, seeded: Seeded, departments: list[int], people: list[int]) -> Operation:
    return Generator(draw, seeded, departments, people).mixed_operation()
