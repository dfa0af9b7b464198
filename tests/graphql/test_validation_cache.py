"""Validation is cached: a document seen before is not validated again (it costs more than
executing a small query)."""
import strawberry.schema.schema as strawberry_schema

from schema.schema import build_schema


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
