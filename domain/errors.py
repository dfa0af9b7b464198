"""Coded domain errors: the API turns each into a `userErrors` entry."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. `code` is stable for clients; `field` names the input path."""

    code = "INVALID_INPUT"

    def __init__(self, message: str, *, field: tuple[str, ...] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class NotFound(DomainError):
    """Also raised for things the viewer may not see: they answer as if absent."""

    code = "NOT_FOUND"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class StaleVersion(DomainError):
    code = "STALE_VERSION"


class IllegalTransition(DomainError):
    code = "ILLEGAL_TRANSITION"


class InvalidField(DomainError):
    code = "INVALID_FIELD"


class Conflict(DomainError):
    """A uniqueness rule (slug, email, idempotency key reuse)."""

    code = "CONFLICT"
