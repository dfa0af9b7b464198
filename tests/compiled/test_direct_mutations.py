"""Mutations run directly answer exactly what normal execution answers.

Generated payload selections (random fields, aliases, inline and named fragments, @include/@skip,
nested objects, and now and then a field with arguments, which must fall back) for the hot
mutations, as several viewers, each compared byte for byte with graphql-core's execution:

- commentAdd and requestCreate: written directly with a fresh idempotency key, then replayed with
  that key normally and directly; all three answers must be the same bytes (the replays read the
  record back, so the payload built from what was written is checked against the database too);
- requestTransition: the request in the direct payload must be what a normal `node` query
  answers for the same selection afterwards;
- refused commands (rules, unknown or malformed IDs): both ways, the same userErrors, nothing written.

Size: TANDEM_DIFFERENTIAL_EXAMPLES operations (default 120); TANDEM_DIFFERENTIAL_RANDOM=1 draws anew.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from strawberry.http import process_result

from api.app import create_app
from api.auth import mint_token
from api.graphql_app import response_json
from api.graphql_http import GRAPHQL_RESPONSE
from api.settings import Settings
from domain.people import Person
from schema import ids
from schema.compiled.extension import DirectlyRunMutations
from schema.context import Context
from schema.schema import build_schema
from tests.support.api import FAST_PATHS_ON
from tests.support.database import snapshot
from tests.support.direct import CountingDirect
from tests.support.org import Org

EXAMPLES = int(os.environ.get("TANDEM_DIFFERENTIAL_EXAMPLES", "120"))


NORMAL = build_schema(direct_mutations=False)
COUNTING = CountingDirect()
DIRECT = build_schema(direct_mutations=False)
DIRECT.extensions = (*DIRECT.extensions, lambda: DirectlyRunMutations(COUNTING))

PERSON = ["id", "name", "email", "role", "__typename"]
DEPARTMENT = ["id", "name", "slug"]
COMMENT = ["id", "body", "internal", "createdAt", "__typename"]
REQUEST = [
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
]
ERRORS = ["field", "code", "message", "__typename"]


@dataclass
class Operation:
    root: str  # commentAdd, requestCreate, requestTransition
    payload: str  # the payload's selection set, fragments appended to the document
    fragments: list[str]
    variables: dict[str, tuple[str, Any]]  # @include/@skip variables: name -> (type, value)
    viewer: str
    input: dict[str, Any]
    request_selection: str | None  # for requestTransition: what `request` selects

    def document(self) -> tuple[str, dict[str, Any]]:
        input_type = self.root[0].upper() + self.root[1:] + "Input"
        declared = "".join(f", ${n}: {t}" for n, (t, _) in self.variables.items())
        query = (
            f"mutation Direct($input: {input_type}!{declared}) {{ {self.root}(input: $input) "
            f"{self.payload} }}" + "".join(self.fragments)
        )
        return query, {"input": self.input, **{n: v for n, (_, v) in self.variables.items()}}

    def node_query(self) -> tuple[str, dict[str, Any]]:
        """`node(id:)` selecting on the request what the payload's `request` selects."""
        fragments = {f.split()[1]: f for f in self.fragments}
        used: list[str] = []
        text = self.request_selection or ""
        while True:  # fragments used, directly or through other fragments
            more = [n for n in fragments if f"...{n}" in text and n not in used]
            if not more:
                break
            used += more
            text += "".join(fragments[n] for n in more)
        variables = {n: v for n, (_, v) in self.variables.items() if f"${n}" in text}
        declared = "".join(f", ${n}: {self.variables[n][0]}" for n in variables)
        query = (
            f"query Node($id: ID!{declared}) {{ node(id: $id) {{ ... on Request {self.request_selection} }} }}"
            + "".join(fragments[n] for n in used)
        )
        return query, {"id": self.input["id"], **variables}


class _Selections:
    def __init__(self, draw: Any):
        self.draw = draw
        self.fragments: list[str] = []
        self.variables: dict[str, tuple[str, Any]] = {}

    def chance(self, p: float) -> bool:
        return self.draw(st.floats(0, 1)) < p

    def fields(self, type_name: str, scalars: list[str], nested: dict[str, Any]) -> str:
        chosen = self.draw(st.lists(st.sampled_from(scalars + list(nested)), min_size=1, max_size=6))
        parts = []
        for name in chosen:
            text = name
            if name == "__typename" and self.chance(0.5):
                text = f"kind: {text}"
            elif self.chance(0.2):
                text = f"{name.lower()}Alias{len(parts)}: {text}"
            if self.chance(0.15):
                variable = f"v{len(self.variables)}"
                self.variables[variable] = ("Boolean!", self.draw(st.booleans()))
                text += f" @{self.draw(st.sampled_from(['include', 'skip']))}(if: ${variable})"
            if name in nested:
                text += " " + nested[name]()
            parts.append(text)
        body = " ".join(parts)
        wrap = self.draw(st.sampled_from(["plain", "plain", "inline", "named"]))
        if wrap == "inline":
            body = f"... on {type_name} {{ {body} }} {parts[0]}"
        elif wrap == "named":
            name = f"F{len(self.fragments)}"
            self.fragments.append(f" fragment {name} on {type_name} {{ {body} }}")
            body = f"...{name}"
        return "{ " + body + " }"

    def person(self) -> str:
        return self.fields("Person", PERSON, {"department": lambda: self.fields("Department", DEPARTMENT, {})})

    def comment(self) -> str:
        return self.fields("Comment", COMMENT, {"author": self.person})

    def request(self) -> str:
        nested = {
            "requester": self.person,
            "assignee": self.person,
            "service": lambda: self.fields("Service", ["id", "name", "active"], {}),
            "ownerDepartment": lambda: self.fields("Department", DEPARTMENT, {}),
            "fields": lambda: self.fields("FieldValue", ["key", "value"], {}),
            "tasks": lambda: self.fields("Task", ["id", "title", "status"], {"assignee": self.person}),
            "watchers": self.person,
            "satisfaction": lambda: self.fields("Satisfaction", ["score"], {}),
        }
        if self.chance(0.1):  # a field with arguments: the whole operation executes normally
            nested["comments"] = lambda: "(first: 2) { totalCount }"
        return self.fields("Request", REQUEST, nested)

    def errors(self) -> str:
        return self.fields("UserError", ERRORS, {})


@st.composite
def operations(draw: Any, targets: dict[str, Any]) -> Operation:
    s = _Selections(draw)
    root = draw(st.sampled_from(["commentAdd", "requestCreate", "requestTransition"]))
    viewer = draw(st.sampled_from(["it_agent", "employee", "hr_agent", "admin"]))
    request_selection = None
    if root == "commentAdd":
        payload = s.fields("CommentPayload", ["__typename"], {"comment": s.comment, "userErrors": s.errors})
        request_id = draw(st.sampled_from([targets["open"], targets["open"], "UmVxdWVzdDo5OTk5OTk", "nonsense"]))
        value: dict[str, Any] = {
            "requestId": request_id,
            "body": draw(st.sampled_from(["Thanks", 'é ✓ "quoted"'])),
            "internal": draw(st.sampled_from([False, False, True])),
        }
    elif root == "requestCreate":
        payload = s.fields("RequestPayload", ["__typename"], {"request": s.request, "userErrors": s.errors})
        value = {
            "serviceId": draw(st.sampled_from([targets["laptops"], targets["laptops"], "bad"])),
            "title": draw(st.sampled_from(["A new laptop", ""])),
        }
    else:
        request_selection = s.request()
        extras = draw(st.lists(st.sampled_from(["userErrors", "__typename"]), max_size=2, unique=True))
        payload = (
            "{ request "
            + request_selection
            + "".join(" userErrors " + s.errors() if extra == "userErrors" else " __typename" for extra in extras)
            + " }"
        )
        value = {
            "id": targets["open"],
            "stale": draw(st.sampled_from([False, False, False, True])),
            "to": draw(st.sampled_from(["TRIAGED", "IN_PROGRESS", "WAITING_ON_REQUESTER", "RESOLVED", "NEW"])),
        }
    if root != "requestTransition":
        value["idempotencyKey"] = uuid.uuid4().hex
    return Operation(
        root=root,
        payload=payload,
        fragments=s.fragments,
        variables=s.variables,
        viewer=viewer,
        input=value,
        request_selection=request_selection,
    )


async def _answer(schema: Any, engine: Any, viewer: Person, query: str, variables: dict[str, Any]) -> str:
    result = await schema.execute(query, variable_values=variables, context_value=Context(engine=engine, viewer=viewer))
    return response_json(process_result(result))


async def _version(api: Any, request_id: str) -> int:
    async with api.engine.connect() as conn:
        return (
            await conn.execute(text("select version from requests where id = :id"), {"id": ids.parse(request_id)[1]})
        ).scalar_one()


async def test_direct_and_normal_mutations_answer_the_same(api, org: Org):
    # given an open request each viewer may comment on or not, and the laptop service
    laptops = ids.encode("Service", org.services["laptops"])
    request = await org.raise_request(org.employee, title="Screen flickers")
    targets = {"open": ids.encode("Request", request), "laptops": laptops}
    loop = asyncio.get_running_loop()
    counts: Counter[str] = Counter()

    async def compare(operation: Operation) -> None:
        viewer = getattr(org, operation.viewer)
        if operation.root == "requestTransition":
            # the version the request is at now, or one it has left (a stale write, refused)
            version = await _version(api, operation.input["id"])
            operation.input["expectedVersion"] = version - 1 if operation.input.pop("stale") else version
        query, variables = operation.document()
        before = await snapshot(api.engine)
        direct = await _answer(DIRECT, api.engine, viewer, query, variables)
        wrote = await snapshot(api.engine) != before
        if operation.root == "requestTransition" and wrote:
            # then the request it answers is the request as a normal read now sees it
            query_text, node_variables = operation.node_query()
            node = await _answer(NORMAL, api.engine, viewer, query_text, node_variables)
            payload = json.loads(direct)["data"][operation.root]
            assert payload.get("request") == json.loads(node)["data"]["node"], (query, variables)
        elif operation.root == "requestTransition":
            normal = await _answer(NORMAL, api.engine, viewer, query, variables)
            assert direct == normal, (query, variables)
        else:
            # then replaying its key, normally and directly, answers the same as the direct write
            # (refused: each tries again and is refused again)
            normal = await _answer(NORMAL, api.engine, viewer, query, variables)
            again = await _answer(DIRECT, api.engine, viewer, query, variables)
            assert direct == normal == again, (query, variables)
        if not wrote:
            assert await snapshot(api.engine) == before
        counts["wrote" if wrote else "refused"] += 1

    answered_before = COUNTING.ran

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=not os.environ.get("TANDEM_DIFFERENTIAL_RANDOM"),
    )
    @given(operations(targets))
    def check(operation: Operation) -> None:
        asyncio.run_coroutine_threadsafe(compare(operation), loop).result()

    # when many generated mutations run both ways
    await asyncio.to_thread(check)
    print(
        f"\ndirect mutations: {sum(counts.values())} operations ({dict(counts)}), "
        f"{COUNTING.ran - answered_before} answered directly"
    )
    # then most of them were answered by the direct path, and some wrote
    assert COUNTING.ran - answered_before > sum(counts.values()) // 2
    assert counts["wrote"] > EXAMPLES // 10


# -- over HTTP: the view answers a mutation validated before straight from the direct path -----------


def _client(database_url: str, **settings: Any) -> tuple[httpx.AsyncClient, Any]:
    # No budget per minute: each app's `remaining` would differ, and the bytes are compared.
    settings = {**FAST_PATHS_ON, **settings}
    app = create_app(Settings(database_url=database_url, tandem_secret=SECRET, tandem_cost_per_minute=0, **settings))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://tandem.test"), app


SECRET = "s" * 32
COMMENT_ADD = """mutation Comment($input: CommentAddInput!) { commentAdd(input: $input) {
  comment { id body internal createdAt author { name role } } userErrors { field code message } } }"""


async def test_over_http_a_mutation_seen_before_is_answered_directly_with_the_same_bytes(api, org: Org, database_url):
    # given a server with the direct path and one without, on the same database
    request = ids.encode("Request", await org.raise_request(org.employee, title="Dock"))
    direct_client, direct_app = _client(database_url)
    normal_client, normal_app = _client(database_url, tandem_direct_mutations=False)
    assert normal_app.state.graphql.schema.tandem_direct is None  # the switch turns the path off
    token = mint_token(person_id=org.it_agent.id, email=org.it_agent.email, secret=SECRET, hours=1)
    direct = direct_app.state.graphql.schema.tandem_direct
    cases = [
        ({"requestId": request, "body": "On it"}, {}),  # written
        ({"requestId": request, "body": "Note", "internal": True}, {"Accept": GRAPHQL_RESPONSE}),
        ({"requestId": "UmVxdWVzdDo5OTk5", "body": "Lost"}, {}),  # refused: no such request
        ({"requestId": request}, {"Accept": GRAPHQL_RESPONSE}),
    ]  # bad variables: a request error
    async with direct_client, normal_client:
        for number, (value, headers) in enumerate(cases):
            body = {"query": COMMENT_ADD, "variables": {"input": {**value, "idempotencyKey": f"key-{number}"}}}
            headers = {**headers, "Authorization": f"Bearer {token}"}
            await direct_client.post(
                "/graphql", json={**body, "variables": {"input": {**value}}}, headers=headers
            )  # the document is validated once, by strawberry
            answered_before = direct.answered
            # when the same document comes again, directly; then the key replays normally
            first = await direct_client.post("/graphql", json=body, headers=headers)
            replay = await normal_client.post("/graphql", json=body, headers=headers)
            # then the view answered it without strawberry's execution, and both say the same
            assert direct.answered == answered_before + (1 if "body" in value else 0)
            assert first.content == replay.content, value
            assert first.status_code == replay.status_code
            assert first.headers["content-type"] == replay.headers["content-type"]
