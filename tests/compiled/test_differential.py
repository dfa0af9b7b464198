"""The compiled read path answers exactly what normal execution answers: many generated queries,
run through both paths for several viewers, compared byte for byte. Both hide from requesters
what they may not see: other people's emails and roles, and agent-only field values. The queries
are drawn from the compiled path's own tables, and one of them selects every field it compiles,
so each compiled field is compared.

Mixed operations too: compiled root fields beside root fields normal execution answers (written
out, and generated: fragments spanning both, aliases, @include/@skip, errors and nulls of the
normal part), each answered by normal execution alone and by the compiled path with normal
execution for the rest.

Size: TANDEM_DIFFERENTIAL_EXAMPLES operations (default 120) and TANDEM_DIFFERENTIAL_MIXED mixed
ones (default 40) x 7 viewers; set TANDEM_DIFFERENTIAL_RANDOM=1 to draw new examples instead of
the fixed sequence.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from collections import Counter

from hypothesis import HealthCheck, given, settings

from domain.people import Person, Role
from schema import ids
from schema.compiled.fields import SUPPORTED
from tests.compiled.queries import Operation, every_field_roots, mixed_operations, operations, selected_fields
from tests.compiled.seed import AGENT_ONLY, seed, seed_journeys
from tests.support.api import FAST_SCHEMA, SCHEMA
from tests.support.compiled import Answer, both
from tests.support.org import Org

EXAMPLES = int(os.environ.get("TANDEM_DIFFERENTIAL_EXAMPLES", "120"))
MIXED_EXAMPLES = int(os.environ.get("TANDEM_DIFFERENTIAL_MIXED", "40"))
VIEWERS = ["admin", "it_agent", "it_manager", "hr_agent", "fac_agent", "employee", "other"]
PERSON = "name email role"
# Besides the generated ones, which select people's details only now and then: every person and every
# field value of every request a viewer sees (pages of 40: within the cost budget, above the seed's sizes).
PEOPLE_AND_FIELDS = Operation(
    query=f"""query {{ requests(first: 40) {{ edges {{ node {{
  requester {{ {PERSON} }} assignee {{ {PERSON} }} watchers {{ {PERSON} }} fields {{ key value }}
  tasks {{ assignee {{ {PERSON} }} }} comments(first: 40) {{ edges {{ node {{ author {{ {PERSON} }} }} }} }}
  activity(first: 40) {{ edges {{ node {{ summary actor {{ {PERSON} }} }} }} }} }} }} }} }}""",
    variables={},
)
STAFF_ROLES = [f'"role":"{role.value}"' for role in Role if role is not Role.REQUESTER]
# What compiled answers must have shown at least once, so that the comparisons bite: lists and
# figures with something in them, not only empty ones.
EXERCISED = {
    "a department's members": r'"members":\[\{',
    "a department's queue": r'"queue":\{(?:"__typename":"\w+",)?"(?:edges":\[\{|totalCount":[1-9])',
    "counts by status": r'"byStatus":\[\{',
    "counts by priority": r'"byPriority":\[\{',
    "resolved today": r'"resolvedToday":[1-9]',
    "an oldest open request": r'"oldestOpenMinutes":[0-9]',
    "a service's forms": r'"requestTypes":\[\{',
    "collaborating departments": r'"collaboratingDepartments":\[\{',
    "a task's or an event's request": r'"(?:\w+_)?request":\{',
    "a deactivated person": r'"active":false',
    "nodes": r'"nodes":\[[{n]',
    "a key result's journey map": r'"journeyMap":\{',
}


def comparable(answer: Answer) -> str:
    """The answer's bytes; when normal execution answered with errors, those in path order. Root
    fields run concurrently, so when two fail (a bad cursor on each of two lists) they report in
    either order from one run of normal execution to the next. When a failure nulls `data`, which
    of several failing roots is reported (and whether a nullable field's error that came earlier is
    reported beside it) depends on which resolver failed first, on either path: then the answer
    must still be a null `data` with coded errors, none of them internal."""
    if '"errors":' not in answer.body:
        return answer.body
    parsed = json.loads(answer.body)
    if parsed.get("data") is None:
        codes = {e.get("extensions", {}).get("code") for e in parsed.get("errors") or []}
        coded = codes and None not in codes and "INTERNAL_SERVER_ERROR" not in codes
        parsed["errors"] = "coded" if coded else sorted(map(str, codes))
    elif answer.compiled:
        return answer.body  # a compiled answer has no errors to reorder
    else:
        parsed["errors"] = sorted(parsed.get("errors") or [], key=lambda e: json.dumps(e.get("path")))
    return json.dumps(parsed, ensure_ascii=False, separators=(",", ":"))


def hidden_from(viewer: Person, people: list[Person]) -> list[str]:
    """What a requester's answer must never contain: others' emails, staff roles, agent-only values."""
    if viewer.role is not Role.REQUESTER:
        return []
    return [p.email for p in people if p.id != viewer.id] + STAFF_ROLES + [AGENT_ONLY]


async def test_compiled_and_normal_answers_are_identical(api, org: Org, caplog):
    # given a varied organisation, with journeys
    seeded = await seed_journeys(org, await seed(org))
    caplog.set_level(logging.WARNING, logger="tandem.compiled")
    people = [p.id for p in org.people.values()]
    shown: Counter[str] = Counter()  # what requesters' answers did show, so the check below bites
    loop = asyncio.get_running_loop()
    counts: Counter[str] = Counter()
    compared: set[tuple[str, str]] = set()

    async def compare(operation: Operation) -> None:
        compared.update(selected_fields(SCHEMA._schema, operation.query))
        for key in VIEWERS:
            normal, compiled = await both(
                api.engine, operation.query, getattr(org, key), operation.variables, at=seeded.clock
            )
            # then both paths give the same bytes, whichever path answered
            assert comparable(compiled) == comparable(normal), (key, operation.query, operation.variables)
            assert not normal.compiled
            counts["compiled" if compiled.compiled else "fell back"] += 1
            viewer = getattr(org, key)
            # and neither shows a requester what they may not see
            for secret in hidden_from(viewer, list(org.people.values())):
                assert secret not in normal.body, (key, secret, operation.query)
            if viewer.role is Role.REQUESTER and compiled.compiled and '"email":null' in normal.body:
                shown["names only"] += 1
            if compiled.compiled:
                shown.update(name for name, pattern in EXERCISED.items() if re.search(pattern, compiled.body))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=not os.environ.get("TANDEM_DIFFERENTIAL_RANDOM"),
    )
    @given(operations(seeded, sorted(org.departments.values()), people))
    def check(operation: Operation) -> None:
        # hypothesis drives from a thread; the operations run on the test's event loop
        asyncio.run_coroutine_threadsafe(compare(operation), loop).result()

    # when every person and field value, every compiled field, and many generated operations run
    # through both paths
    await compare(PEOPLE_AND_FIELDS)
    every_field = every_field_roots(seeded)
    for operation in every_field:
        await compare(operation)
    every_field_compiled = counts["compiled"]
    await asyncio.to_thread(check)

    total = sum(counts.values())
    print(
        f"\ndifferential: {total // len(VIEWERS)} operations x {len(VIEWERS)} viewers = {total} comparisons, "
        f"{counts['compiled']} compiled, {counts['fell back']} fell back"
    )
    # and no compiled statement failed (a failure falls back silently, which would hide a bug)
    assert not [r for r in caplog.records if r.name == "tandem.compiled"]
    # and every field the compiled path covers was compared, answered compiled for every viewer
    assert every_field_compiled == (1 + len(every_field)) * len(VIEWERS)
    assert {(type_name, name) for type_name, fields in SUPPORTED.items() for name in fields} <= compared
    # and most of them were really answered by the compiled path (the rest need normal execution's errors)
    assert counts["compiled"] > total // 3
    # and requesters got compiled answers naming other people, without their emails
    assert shown["names only"]
    # and the lists and figures compared had something in them
    assert [name for name in EXERCISED if not shown[name]] == []


def written_mixed(request_id: str) -> list[Operation]:
    """Mixed operations written out: each keeps a root field normal execution answers whatever SQL
    the others get (introspection), so each runs mixed for every viewer."""
    both_ways = {"yes": True, "no": False, "id": request_id}
    return [
        # the list beside the viewer and introspection, in the document's order
        Operation(
            """query { __type(name: "Request") { name } requests(first: 3) { totalCount edges { node { number title
              requester { name email } } } } viewer { name department { name } } }""",
            {},
        ),
        # fragments spanning compiled and normal root fields, aliases, @include/@skip on both
        Operation(
            """query($yes: Boolean!, $no: Boolean!, $id: ID!) { ...Page kind: __typename
              s: __schema { queryType { name } }
              ... on Query @include(if: $yes) { services(first: 2) { totalCount }
                n: node(id: $id) { id ... on Request { title } } }
              ... on Query @skip(if: $yes) { departments { totalCount } }
              again: requests(first: 1) @include(if: $no) { totalCount } }
            fragment Page on Query { r: requests(first: 2) { edges { node { title } } } __type(name: "Person") { name }
              viewer { name } r: requests(first: 2) { edges { cursor } } }""",
            both_ways,
        ),
        # an error of the normal part on a non-null root field: `data` is null
        Operation(
            """{ __type(name: "Request") { name } requests(first: 2) { totalCount }
              departments(first: -1) { totalCount } }""",
            {},
        ),
        # a covered root field whose arguments normal execution refuses, beside a compiled one
        Operation(
            """query($id: ID!) { node(id: $id) { id } __schema { queryType { name } }
              requests(first: 2, after: "not-a-cursor") { totalCount } }""",
            {"id": request_id},
        ),
        # an error below a nullable field of the normal part: a null there, the rest answered
        Operation(
            """{ requests(first: 2) { edges { node { title } } } __type(name: "Request") { name }
              viewer { name department { name queue(first: -1) { totalCount } } } }""",
            {},
        ),
    ]


async def test_mixed_operations_answer_as_normal_execution_does(api, org: Org, caplog):
    # given a varied organisation
    seeded = await seed(org)
    caplog.set_level(logging.WARNING, logger="tandem.compiled")
    people = [p.id for p in org.people.values()]
    compiler = FAST_SCHEMA.tandem_compiler
    loop = asyncio.get_running_loop()
    counts: Counter[str] = Counter()

    async def compare(operation: Operation) -> int:
        """How many viewers' answers ran mixed."""
        mixed = 0
        for key in VIEWERS:
            before = compiler.mixed
            normal, compiled = await both(api.engine, operation.query, getattr(org, key), operation.variables)
            # then both paths give the same bytes, whichever path answered
            if compiled.body != normal.body:
                # only a null `data` may differ: in which refused root's error it carries (see `comparable`)
                assert json.loads(normal.body)["data"] is None, (key, operation.query, operation.variables)
                assert comparable(compiled) == comparable(normal), (key, operation.query, operation.variables)
            mixed += compiler.mixed - before
            counts["mixed" if compiler.mixed > before else "compiled" if compiled.compiled else "normal"] += 1
        return mixed

    @settings(
        max_examples=MIXED_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=not os.environ.get("TANDEM_DIFFERENTIAL_RANDOM"),
    )
    @given(mixed_operations(seeded, sorted(org.departments.values()), people))
    def check(operation: Operation) -> None:
        asyncio.run_coroutine_threadsafe(compare(operation), loop).result()

    # when written and generated mixed operations run through both paths, for every viewer
    for operation in written_mixed(ids.encode("Request", seeded.request_ids[0])):
        # then each written one ran mixed for every viewer
        assert await compare(operation) == len(VIEWERS), operation.query
    await asyncio.to_thread(check)

    print(f"\ndifferential, mixed operations: {sum(counts.values())} comparisons, {dict(counts)}")
    # and no compiled statement failed (a failure falls back silently, which would hide a bug)
    assert not [r for r in caplog.records if r.name == "tandem.compiled"]
    # and the generated ones ran mixed too, not only compiled whole or normally
    written = len(VIEWERS) * len(written_mixed(""))
    # (a fifth: most roots beside the compiled ones compile too now, so fewer operations are mixed)
    assert counts["mixed"] - written > sum(counts.values()) // 5
