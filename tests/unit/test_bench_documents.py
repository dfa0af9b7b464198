"""The bench's documents against the committed schema, so a renamed field fails here rather than
minutes into a bench run; and PostGraphile 4's documents are 5's in 4's names."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from bench import operations, page_operations
from bench.peer_operations import for_release

SCHEMA = build_schema((Path(__file__).resolve().parents[2] / "schema.graphql").read_text())
DOCUMENTS = {
    f"{module.__name__}.{name}": value
    for module in (operations, page_operations)
    for name, value in vars(module).items()
    if name.isupper() and isinstance(value, str) and value.lstrip().startswith(("query", "mutation", "{"))
}


def test_every_page_has_a_document():
    pages = {name for name in DOCUMENTS if name.startswith("bench.page_operations.")}
    assert len(pages) == 6, pages


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_tandem_documents_are_valid_against_the_schema(name: str):
    assert validate(SCHEMA, parse(DOCUMENTS[name])) == []


def test_postgraphile_4_names_the_ids_its_own_way():
    v5 = (
        "query Q($row: BigInt!) { request: requestByRowId(rowId: $row) { id row: rowId requestId"
        " tasksByRequestId(orderBy: [ROW_ID_ASC]) { nodes { id } } } }"
    )
    assert for_release(v5, 4) == (
        "query Q($row: BigInt!) { request: requestById(id: $row) { nodeId row: id requestId"
        " tasksByRequestId(orderBy: [ID_ASC]) { nodes { nodeId } } } }"
    )
    assert for_release(v5, 5) == v5
