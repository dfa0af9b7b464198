"""Parsing and validation are cached: a document seen before is not parsed or validated again
(validation costs more than executing a small query)."""
import strawberry.schema.schema as strawberry_schema
from strawberry.extensions import parser_cache

from schema.schema import DOCUMENT_CACHE_SIZE, build_schema


async def test_a_repeated_document_is_parsed_once():
    schema = build_schema()
    parsed = parser_cache._get_parse_cache(DOCUMENT_CACHE_SIZE)  # the LRU strawberry shares per size
    document = "{ parserCacheProbe: __typename }"  # not parsed by any other test
    before = parsed.cache_info()

    for _ in range(3):
        result = await schema.execute(document)
        assert result.errors is None

    after = parsed.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)


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
