"""Parsing and validation are cached: a document seen before is not parsed or validated again
(validation costs more than executing a small query)."""

import strawberry.schema.schema as strawberry_schema

from schema import documents
from schema.schema import build_schema


async def test_a_repeated_document_is_parsed_once(monkeypatch):
    parses = []
    real_parse = documents.parse

    def counting_parse(*args, **kwargs):
        parses.append(1)
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(documents, "parse", counting_parse)
    schema = build_schema()

    for _ in range(3):
        result = await schema.execute("{ parserCacheProbe: __typename }")
        assert result.errors is None

    assert len(parses) == 1
    assert len(schema.tandem_documents) == 1


async def test_a_repeated_document_is_validated_once(monkeypatch):
    validations = []
    real_validate = strawberry_schema.validate

    def counting_validate(*args, **kwargs):
        validations.append(1)
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate", counting_validate)
    schema = build_schema()
    document = "{ validationCacheProbe: __typename }"  # not validated by any other test

    for _ in range(3):
        result = await schema.execute(document)
        assert result.errors is None

    assert len(validations) == 1
