"""Automatic persisted queries: Apollo's `persistedQuery` extension.

A client sends `extensions: {persistedQuery: {version: 1, sha256Hash}}` without the query.
Known hash: the stored document runs. Unknown hash: the error PERSISTED_QUERY_NOT_FOUND, and
the client (Apollo's persisted-query link, urql, Relay's APQ plugins) retries with the query
and the hash; the hash is checked against the query, the document stored, and it runs. Over
GET, a query then travels as a short URL a CDN can cache; mutations stay refused over GET.

The store is per process, bounded in entries and in characters (least recently used goes
first); a process that has not seen a hash yet answers NOT_FOUND and the client resends.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from schema.compiled.cache import Lru

VERSION = 1
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class PersistedQueryError(Exception):
    """Refused before GraphQL runs; `code` goes to the error's extensions."""

    def __init__(self, message: str, *, code: str, status: int = 400):
        super().__init__(message)
        self.code, self.status = code, status

    def status_for(self, media_type: str) -> int:
        """NOT_FOUND keeps 200 for `application/json` clients; the spec's media type needs a 4xx."""
        if self.status == 200 and media_type != "application/json":
            return 404
        return self.status


class PersistedQueries:
    def __init__(self, *, max_documents: int = 1000, max_characters: int = 5_000_000):
        # A document larger than the whole budget runs, but is never kept: the client keeps sending it whole.
        self._documents: Lru[str, str] = Lru(
            entries=max_documents,
            max_bytes=max_characters,
            max_entry_bytes=max_characters,
            weigh=lambda _, query: len(query),
        )

    def __len__(self) -> int:
        return len(self._documents)

    def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> str | None:
        """The document to run: `query` itself, or the stored one its extension's hash names."""
        extension = (extensions or {}).get("persistedQuery")
        if extension is None:
            return query
        digest = _checked_hash(extension)
        if query is None:
            stored = self._documents.peek(digest)
            if stored is None:
                # Apollo clients look for this message or this code to resend with the query.
                raise PersistedQueryError("PersistedQueryNotFound", code="PERSISTED_QUERY_NOT_FOUND", status=200)
            return stored
        if not isinstance(query, str) or hashlib.sha256(query.encode()).hexdigest() != digest:
            raise PersistedQueryError(
                "The persisted query's sha256Hash is not the hash of the query.", code="PERSISTED_QUERY_HASH_MISMATCH"
            )
        if self._documents.peek(digest) is None:
            self._documents.put(digest, query)
        return query


def _checked_hash(extension: object) -> str:
    if not isinstance(extension, dict) or extension.get("version") != VERSION:
        raise PersistedQueryError(
            f"Unsupported persisted query version: send version {VERSION}.",
            code="PERSISTED_QUERY_VERSION_NOT_SUPPORTED",
        )
    digest = extension.get("sha256Hash")
    if not isinstance(digest, str) or not SHA256_HEX.fullmatch(digest.lower()):
        raise PersistedQueryError(
            "persistedQuery.sha256Hash must be a SHA-256 in hex.", code="PERSISTED_QUERY_BAD_HASH"
        )
    return digest.lower()
