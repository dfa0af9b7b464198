"""Operation limits and error hygiene: depth, aliases, tokens, introspection, masking."""

from schema.context import Context
from schema.schema import build_schema
from tests.support.org import Org

DEEP = (
    "{ requests { edges { node { tasks { request { tasks { request { tasks { request { tasks { request { "
    "tasks { request { number } } } } } } } } } } } } } }"
)


def _codes(result) -> list[str]:
    return [e.extensions.get("code") for e in result.errors or []]


async def test_a_query_deeper_than_the_limit_is_refused_before_it_runs(api, org: Org):
    result = await api.run(DEEP, org.admin)
    assert result.data is None
    assert "exceeds maximum operation depth" in result.errors[0].message
    assert _codes(result) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_too_many_aliases_are_refused(api, org: Org):
    aliases = " ".join(f"a{i}: viewer {{ name }}" for i in range(31))
    result = await api.run("{ " + aliases + " }", org.admin)
    assert result.data is None
    assert "aliases" in result.errors[0].message


async def test_too_many_tokens_are_refused(api, org: Org):
    query = "{ viewer { " + " ".join(["name"] * 5000) + " } }"
    result = await api.run(query, org.admin)
    assert result.data is None
    assert "token" in result.errors[0].message.lower()


async def test_introspection_can_be_switched_off(engine, org: Org):
    schema = build_schema(introspection=False)
    result = await schema.execute(
        "{ __schema { types { name } } }", context_value=Context(engine=engine, viewer=org.admin)
    )
    assert result.data is None
    assert "introspection" in result.errors[0].message.lower()


async def test_introspection_is_on_by_default_for_graphiql(api, org: Org):
    data = await api.ok('{ __type(name: "Request") { fields { name } } }', org.admin)
    assert "number" in {f["name"] for f in data["__type"]["fields"]}


async def test_unexpected_errors_are_masked_with_a_code(api, org: Org, monkeypatch):
    from db.read import organisation

    async def broken(conn, ids):
        raise RuntimeError("connection string postgres://secret@db leaked")

    monkeypatch.setattr(organisation, "departments_by_ids", broken)
    result = await api.run("{ viewer { department { name } } }", org.it_agent)
    assert result.errors[0].message == "Unexpected error."
    assert _codes(result) == ["INTERNAL_SERVER_ERROR"]
    assert "secret" not in str(result.errors)
