"""The GraphQL-over-HTTP rules, checked on the wire: methods, media types, status codes, errors."""

import uuid

import pytest

from tests.e2e.client import bearer, error_codes, post
from tests.support.org import Org

GRAPHQL_RESPONSE = "application/graphql-response+json"
VIEWER = "{ viewer { email role } }"


def test_get_runs_a_query(http, e2e_org: Org, token_for):
    response = http.get("/graphql", params={"query": VIEWER}, headers=bearer(token_for("admin@example.com")))

    assert response.status_code == 200
    assert response.json()["data"] == {"viewer": {"email": "admin@example.com", "role": "ADMIN"}}


def test_get_with_variables_and_operation_name(http, e2e_org: Org, token_for):
    response = http.get(
        "/graphql",
        headers=bearer(token_for("admin@example.com")),
        params={
            "query": "query Dept($first: Int) { departments(first: $first) { totalCount } }"
            " query Other { viewer { id } }",
            "variables": '{"first": 1}',
            "operationName": "Dept",
        },
    )

    assert response.status_code == 200
    assert response.json()["data"]["departments"]["totalCount"] >= 3


def test_get_refuses_a_mutation_with_405_and_writes_nothing(http, e2e_org: Org, token_for):
    token = token_for("admin@example.com")
    mutation = 'mutation { departmentCreate(input: {name: "Sneaky"}) { department { id } } }'

    response = http.get("/graphql", params={"query": mutation}, headers=bearer(token))

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert error_codes(response) == ["METHOD_NOT_ALLOWED"]
    names = post(http, "{ departments(first: 100) { edges { node { name } } } }", token=token).json()
    assert "Sneaky" not in {e["node"]["name"] for e in names["data"]["departments"]["edges"]}


@pytest.mark.parametrize(
    "accept, media_type",
    [
        (None, "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        ("*/*", "application/json"),
    ],
)
def test_the_response_media_type_follows_accept(http, e2e_org: Org, token_for, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    response = post(http, VIEWER, token=token_for("admin@example.com"), headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.json()["data"]["viewer"]["email"] == "admin@example.com"


def test_malformed_json_is_a_400_with_a_coded_error(http):
    response = http.post(
        "/graphql", content=b'{"query": "{ viewer { id } }"', headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["message"] == "Unable to parse request body as JSON"
    assert error_codes(response) == ["BAD_REQUEST"]


def test_a_body_without_a_query_is_a_400(http):
    response = http.post("/graphql", json={"variables": {}})

    assert response.status_code == 400
    assert "No GraphQL query" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("accept, status", [("application/json", 200), (GRAPHQL_RESPONSE, 400)])
def test_an_unknown_field_is_a_coded_validation_error(http, e2e_org: Org, token_for, accept, status):
    response = post(http, "{ viewer { shoeSize } }", token=token_for("admin@example.com"), headers={"Accept": accept})

    # application/json keeps 200 for legacy clients; the spec's own media type says 400.
    assert response.status_code == status
    body = response.json()
    assert "data" not in body  # a request error: the operation never ran
    assert error_codes(response) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "shoeSize" in body["errors"][0]["message"]


def test_a_syntax_error_is_a_coded_parse_error(http, e2e_org: Org, token_for):
    response = post(
        http, "{ viewer { email ", token=token_for("admin@example.com"), headers={"Accept": GRAPHQL_RESPONSE}
    )

    assert response.status_code == 400
    assert error_codes(response) == ["GRAPHQL_PARSE_FAILED"]


def test_graphiql_is_served_to_browsers(http):
    response = http.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


def test_other_methods_are_refused(http):
    assert http.put("/graphql", json={"query": VIEWER}).status_code == 405


def _department_names(http, token: str) -> set[str]:
    page = post(http, "{ departments(first: 100) { edges { node { name } } } }", token=token).json()
    return {edge["node"]["name"] for edge in page["data"]["departments"]["edges"]}


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
def test_several_operations_without_an_operation_name_run_none(http, e2e_org: Org, token_for, accept):
    # given a document whose first operation is a mutation
    token = token_for("admin@example.com")
    name = f"Unnamed {uuid.uuid4().hex[:8]}"
    document = (
        f'mutation Add {{ departmentCreate(input: {{name: "{name}"}}) {{ department {{ id }} }} }} '
        "query Who { viewer { email } }"
    )

    # when it comes without operationName, by POST and by GET
    by_post = post(http, document, token=token, headers={"Accept": accept})
    by_get = http.get("/graphql", params={"query": document}, headers={**bearer(token), "Accept": accept})

    # then neither runs anything: the spec's request error, as a 400 with a code
    for response in (by_post, by_get):
        assert response.status_code == 400
        assert error_codes(response) == ["OPERATION_RESOLUTION_FAILURE"]
        assert "operationName" in response.json()["errors"][0]["message"]
    assert name not in _department_names(http, token)


def test_an_operation_name_naming_no_operation_is_a_400(http, e2e_org: Org, token_for):
    response = http.post(
        "/graphql",
        json={"query": "query Who { viewer { email } }", "operationName": "Whom"},
        headers=bearer(token_for("admin@example.com")),
    )

    assert response.status_code == 400
    assert error_codes(response) == ["OPERATION_RESOLUTION_FAILURE"]
    assert response.json()["errors"][0]["message"] == 'Unknown operation named "Whom".'


def test_a_document_answered_before_by_name_still_needs_its_name(http, e2e_org: Org, token_for):
    # given a document the server has answered by name (so validated, and compiled: the fast path)
    token = token_for("admin@example.com")
    name = f"Fast {uuid.uuid4().hex[:8]}"
    document = (
        f'mutation Add {{ departmentCreate(input: {{name: "{name}"}}) {{ department {{ id }} }} }} '
        "query Portal { requests(first: 1) { edges { node { title } } } }"
    )
    named = http.post("/graphql", json={"query": document, "operationName": "Portal"}, headers=bearer(token))
    assert named.status_code == 200 and "errors" not in named.json()

    # when it comes again without operationName
    response = post(http, document, token=token)

    # then nothing runs, the mutation least of all
    assert response.status_code == 400
    assert error_codes(response) == ["OPERATION_RESOLUTION_FAILURE"]
    assert name not in _department_names(http, token)
