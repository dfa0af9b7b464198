"""Documents parsed once per process, by their text: strawberry's ParserCache on a cache bounded
in bytes. Its functools.lru_cache counts documents: 256 documents of 1 MB, parsed, hold gigabytes
(the portals' documents, repeated or sent as persisted-query hashes, are a few kilobytes each).
Validation results are kept beside the limits that guard it (schema.limits.checks)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, parse
from strawberry.extensions import SchemaExtension

from schema.compiled.cache import MB, Lru, document_bytes

DOCUMENTS = 256
DOCUMENTS_BYTES = 32 * MB


def document_cache(*, entries: int = DOCUMENTS, max_bytes: int = DOCUMENTS_BYTES) -> Lru[Any, DocumentNode]:
    """One per schema: by (text, parse options)."""
    return Lru(entries=entries, max_bytes=max_bytes, weigh=lambda key, _: document_bytes(key[0]))


class CachedDocuments(SchemaExtension):
    """After the extensions that set parse options (on_operation)."""

    def __init__(self, cache: Lru[Any, DocumentNode]):
        self.cache = cache

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query, options = context.query, context.parse_options
        if query is not None and context.graphql_document is None:
            # A syntax error is raised, and so not kept: strawberry answers it as it would its own.
            context.graphql_document = self.cache.get((query, tuple(options.items())), lambda: parse(query, **options))
        yield
