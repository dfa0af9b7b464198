"""Mixed operations: the root fields the compiler covers run as one statement, the others through
normal execution, and the answer is normal execution's for the whole operation, byte for byte.
(tests/compiled/test_differential.py compares many of them, for every viewer.)"""

from __future__ import annotations

import json

from bench.operations import PORTAL_LIST
from compat import resolving_extensions
from schema import ids
from tests.compiled.seed import seed
from tests.compiled.test_cost_paths import Served, cost_of, data_text
from tests.support.api import FAST_SCHEMA
from tests.support.compiled import answer, both
from tests.support.org import Org
from tests.support.statements import count_all_statements

PAGE = {"first": 10, "comments": 3}
# The portal list with a root field the compiler never covers beside it: introspection, which
# reads no database, so whatever runs SQL for this operation is the compiled part.
INTROSPECTED = '\n  kind: __type(name: "Request") { name }'
MIXED_PORTAL = PORTAL_LIST.replace("{\n  requests", "{" + INTROSPECTED + "\n  requests", 1)
# What a real page asks beside it.
PORTAL_WITH_VIEWER = PORTAL_LIST.replace("{\n  requests", "{\n  viewer { name department { name } }\n  requests", 1)


def test_no_extension_of_the_schema_resolves_fields():
    # the normal part of a mixed operation runs graphql-core's executor without strawberry's
    # middleware, which is made of the extensions that implement `resolve`: there must be none
    assert resolving_extensions(FAST_SCHEMA) == []


async def test_the_covered_root_fields_of_a_mixed_operation_run_as_one_statement(api, org: Org):
    # given requests with comments, and a portal list with a root field only normal execution answers
    await seed(org, 12)
    assert MIXED_PORTAL != PORTAL_LIST
    compiler = FAST_SCHEMA.tandem_compiler
    mixed_before = compiler.mixed

    # when it runs with the compiled path on, then normally
    async with count_all_statements(api.engine) as log:
        compiled = await answer(api.engine, MIXED_PORTAL, org.it_agent, PAGE, compiled=True)
    async with count_all_statements(api.engine) as normal_log:
        normal = await answer(api.engine, MIXED_PORTAL, org.it_agent, PAGE, compiled=False)

    # then the list was one compiled statement, the introspection ran normally, and the bytes are
    # normal execution's, the keys in the document's order
    assert compiled.compiled
    assert compiler.mixed == mixed_before + 1
    assert log.count == 1 and normal_log.count > 1
    assert compiled.body == normal.body
    assert compiled.body.startswith('{"data":{"kind":{"name":"Request"},"requests":{')


async def test_the_portal_list_beside_the_viewer_answers_as_normal_execution(api, org: Org):
    await seed(org, 6)
    for viewer in (org.it_agent, org.employee, org.admin):
        normal, compiled = await both(api.engine, PORTAL_WITH_VIEWER, viewer, PAGE)

        assert compiled.compiled  # mixed, or whole once the viewer has SQL
        assert compiled.body == normal.body


async def test_an_error_of_the_normal_part_nulls_data_as_normal_execution_does(api, org: Org):
    # given a compiled list beside a non-null root field whose arguments normal execution refuses
    await seed(org, 3)
    query = """{ kind: __type(name: "Request") { name } requests(first: 2) { totalCount }
      departments(first: -1) { totalCount } }"""
    compiler = FAST_SCHEMA.tandem_compiler
    mixed_before = compiler.mixed

    normal, compiled = await both(api.engine, query, org.it_agent)

    # then the list ran compiled, and the answer is normal execution's: no data, the coded error
    assert compiler.mixed == mixed_before + 1
    assert compiled.body == normal.body
    body = json.loads(compiled.body)
    assert body["data"] is None
    assert body["errors"][0]["path"] == ["departments"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_refused_argument_of_a_covered_root_field_leaves_only_that_one_to_normal_execution(api, org: Org):
    # given a request by node, compiled, beside a list whose page size normal execution refuses
    seeded = await seed(org, 3)
    request = ids.encode("Request", seeded.request_ids[0])
    query = """query($id: ID!) { node(id: $id) { id ... on Request { title } }
      kind: __type(name: "Request") { name } requests(first: -1) { totalCount } }"""
    compiler = FAST_SCHEMA.tandem_compiler
    mixed_before = compiler.mixed

    normal, compiled = await both(api.engine, query, org.it_agent, {"id": request})

    # then the node ran compiled, the list normally (its error nulls data), the same bytes
    assert compiler.mixed == mixed_before + 1
    assert compiled.body == normal.body
    assert json.loads(compiled.body)["data"] is None


async def test_a_null_below_a_nullable_field_of_the_normal_part_stays_there(api, org: Org):
    await seed(org, 3)
    query = """{ requests(first: 2) { edges { node { title } } } kind: __type(name: "Request") { name }
      viewer { name department { name queue(first: -1) { totalCount } } } }"""

    normal, compiled = await both(api.engine, query, org.it_agent)

    assert compiled.body == normal.body
    body = json.loads(compiled.body)
    assert body["data"]["viewer"]["department"] is None
    assert body["data"]["requests"]["edges"]
    assert body["errors"][0]["path"] == ["viewer", "department", "queue"]


async def test_over_http_a_mixed_operation_is_answered_again_without_strawberry_and_charged_once(
    database_url, api, org: Org
):
    # given a budget per minute of two mixed portal lists, and the answer normal execution gives
    await seed(org, 6)
    cost = cost_of(MIXED_PORTAL, PAGE)
    normal = await answer(api.engine, MIXED_PORTAL, org.it_agent, PAGE, compiled=False)
    served = Served(database_url, tandem_cost_per_minute=2 * cost)
    compiler = served.schema.tandem_compiler
    try:
        # when it comes twice: validated and answered in strawberry, then by the view's shortcut
        first = await served.post(org.it_agent, MIXED_PORTAL, PAGE)
        second = await served.post(org.it_agent, MIXED_PORTAL, PAGE)
    finally:
        await served.close()

    # then both were mixed, the second without strawberry's execution, with normal execution's data
    assert compiler.mixed == 2
    assert served.executed == [MIXED_PORTAL]
    assert data_text(first.text) == data_text(second.text) == data_text(normal.body)
    # and each was charged once (charged twice, the second would have been refused)
    reports = [response.json()["extensions"]["cost"] for response in (first, second)]
    assert reports[0]["remaining"] == cost
    assert second.status_code == 200 and reports[1]["remaining"] < cost
