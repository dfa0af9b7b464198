"""The direct mutation path completes payloads exactly as graphql-core does, errors included.

A small schema made to go wrong in every way value completion can (errors in leaves and objects,
nulls in non-null places, bad leaf values, lists with failing items, async resolvers, a resolver
that raises at the root) runs each operation with the direct path and without, and the answers,
as the HTTP view encodes them, must be the same. The real schema's mutations are compared in
tests/compiled/test_direct_mutations.py.
"""

from __future__ import annotations

import asyncio
import enum
import json
from typing import Any

import pytest
import strawberry
from strawberry.dataloader import DataLoader
from strawberry.http import process_result

from domain.people import Person, Role
from schema.compiled.extension import DirectlyRunMutations
from schema.compiled.mutations import DirectMutations
from schema.context import Context
from schema.errors import ApiError
from schema.extensions import CodedErrors, CodedSchema
from schema.permissions import root_mutation
from tests.support.direct import CountingDirect


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@strawberry.type
class Leaf:
    name: str
    colour: Colour = Colour.RED

    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError("a leaf that breaks")

    @strawberry.field
    def maybe_broken(self) -> str | None:
        raise ApiError("deliberately refused", "REFUSED")

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return self.name.upper()

    @strawberry.field
    async def later_broken(self) -> int | None:
        await asyncio.sleep(0)
        raise ApiError("refused later", "REFUSED")

    @strawberry.field
    def missing(self) -> str:
        return None  # type: ignore[return-value]  # a null where the schema promises none

    @strawberry.field
    def bad_number(self) -> int | None:
        return "seven"  # type: ignore[return-value]  # a value its type cannot serialize

    @strawberry.field
    def viewer_name(self, info: strawberry.Info) -> str:
        return info.context.viewer.name

    @strawberry.field
    def sized(self, size: int = 1) -> int:
        return size

    @strawberry.field
    async def batched(self, info: strawberry.Info) -> str:
        return await info.context.extras["loader"].load(self.name)


@strawberry.type
class Payload:
    leaf: Leaf | None
    strict: Leaf
    leaves: list[Leaf]
    loose: list[Leaf | None] | None
    count: int

    @strawberry.field
    async def fetched(self) -> Leaf:
        await asyncio.sleep(0)
        return Leaf(name="fetched")

    @strawberry.field
    def wrong_type(self) -> Leaf | None:
        return Payload  # type: ignore[return-value]


@strawberry.input
class ActInput:
    name: str
    count: int = 1


def _payload(name: str, count: int) -> Payload:
    leaves = [Leaf(name=f"{name}{i}") for i in range(count)]
    return Payload(
        leaf=leaves[0] if leaves else None,
        strict=Leaf(name=name, colour=Colour.GREEN),
        leaves=leaves,
        loose=[*leaves, None],
        count=count,
    )


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Mutation:
    @root_mutation
    async def act(self, info: strawberry.Info, input: ActInput) -> Payload:
        return _payload(input.name, input.count)

    @root_mutation
    async def maybe_act(self, input: ActInput) -> Payload | None:
        return _payload(input.name, input.count)

    @root_mutation
    async def explode(self) -> Payload:
        raise RuntimeError("the command failed")

    @root_mutation
    async def refuse(self) -> Payload | None:
        raise ApiError("not now", "NOT_NOW")

    @strawberry.mutation
    async def unguarded(self) -> Payload:
        return _payload("u", 1)


VIEWER = Person(id=1, name="Ada", email="ada@example.com", role=Role.AGENT, department_id=1)
COVERED = [
    'mutation { act(input: {name: "a", count: 2}) { count leaf { name colour later } __typename } }',
    "mutation M($n: String!) { act(input: {name: $n}) { x: count ...P leaves { ... on Leaf { name y: later } } } }"
    " fragment P on Payload { strict { name colour } count }",
    'mutation { act(input: {name: "a"}) { leaf { broken } count } }',
    'mutation { act(input: {name: "a"}) { strict { broken } count } }',
    'mutation { act(input: {name: "a"}) { leaf { maybeBroken name } } }',
    'mutation { act(input: {name: "a"}) { leaf { laterBroken later name } fetched { later laterBroken } } }',
    'mutation { act(input: {name: "a"}) { leaf { missing } strict { name } } }',
    'mutation { act(input: {name: "a"}) { strict { missing } } }',
    'mutation { act(input: {name: "a"}) { leaf { badNumber name } } }',
    'mutation { act(input: {name: "a", count: 3}) { leaves { name broken } count } }',
    'mutation { act(input: {name: "a", count: 3}) { loose { name broken } loose2: loose { name } } }',
    'mutation { act(input: {name: "a", count: 0}) { leaf { name } leaves { name } } }',
    'mutation { act(input: {name: "a"}) { wrongType { name } count } }',
    'mutation { act(input: {name: "a"}) { leaf { viewerName } } }',
    'mutation { maybeAct(input: {name: "a"}) { strict { missing } } }',
    "mutation { explode { count } }",
    "mutation { refuse { count } }",
    'mutation($skip: Boolean!) { act(input: {name: "a"}) { leaf @skip(if: $skip) { name } count } }',
]
FALLING_BACK = [
    'mutation { act(input: {name: "a"}) { leaf { sized(size: 3) } } }',  # a field with arguments
    'mutation { a: act(input: {name: "a"}) { count } b: act(input: {name: "b"}) { count } }',  # two root fields
    "mutation { unguarded { count } }",  # a root field without the signed-in permission
    "mutation($n: String!) { act(input: {name: $n}) { count } }",  # a variable missing: normal execution says so
    "{ ok }",
]


def _schema(*, direct: DirectMutations | None) -> strawberry.Schema:
    extensions: list[Any] = [CodedErrors]
    if direct is not None:
        extensions.append(lambda: DirectlyRunMutations(direct))
    return CodedSchema(query=Query, mutation=Mutation, extensions=extensions)


async def _answer(
    schema: strawberry.Schema, query: str, variables: dict[str, Any], batches: list[list[str]] | None = None
) -> str:
    async def load(keys: list[str]) -> list[str]:
        (batches if batches is not None else []).append(list(keys))
        return [key.upper() for key in keys]

    context = Context(
        engine=None,
        viewer=VIEWER,  # type: ignore[arg-type]  # these resolvers read no database
        extras={"loader": DataLoader(load_fn=load)},
    )
    result = await schema.execute(query, variable_values=variables, context_value=context)
    return json.dumps(process_result(result), sort_keys=False)


@pytest.mark.parametrize("query", COVERED)
async def test_a_covered_mutation_answers_as_graphql_core_does(query: str):
    # given
    direct = CountingDirect()
    variables = {"n": "named", "skip": True}
    # when
    normal = await _answer(_schema(direct=None), query, variables)
    answered = await _answer(_schema(direct=direct), query, variables)
    # then the same answer, given by the direct path
    assert answered == normal
    assert direct.ran == 1


@pytest.mark.parametrize("query", FALLING_BACK)
async def test_what_the_direct_path_does_not_cover_executes_normally(query: str):
    # given
    direct = CountingDirect()
    # when
    normal = await _answer(_schema(direct=None), query, {})
    answered = await _answer(_schema(direct=direct), query, {})
    # then
    assert answered == normal
    assert direct.ran == 0


async def test_errors_are_located_and_masked_like_normal_execution():
    # given a leaf that breaks inside a non-null object inside a nullable one
    query = 'mutation { act(input: {name: "a"}) { leaf { name broken } count } }'
    # when
    body = json.loads(await _answer(_schema(direct=DirectMutations()), query, {}))
    # then the nearest nullable parent is null, and the unexpected error is masked, with its path
    assert body["data"] == {"act": {"leaf": None, "count": 1}}
    assert body["errors"] == [
        {
            "message": "Unexpected error.",
            "locations": [{"line": 1, "column": 50}],
            "path": ["act", "leaf", "broken"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
    ]


async def test_list_items_are_completed_together_so_their_dataloaders_batch():
    # given a payload listing three leaves, each loading through one dataloader
    query = 'mutation { act(input: {name: "a", count: 3}) { leaves { name batched } } }'
    normal_batches: list[list[str]] = []
    direct_batches: list[list[str]] = []
    direct = CountingDirect()
    # when
    normal = await _answer(_schema(direct=None), query, {}, normal_batches)
    answered = await _answer(_schema(direct=direct), query, {}, direct_batches)
    # then one batch for the three, as in normal execution, and the same answer
    assert direct.ran == 1
    assert answered == normal
    assert direct_batches == normal_batches == [["a0", "a1", "a2"]]
