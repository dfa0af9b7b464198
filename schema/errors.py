"""Errors clients see: `userErrors` in payloads, and coded top-level errors."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from domain.errors import DomainError


@strawberry.type
class UserError:
    field: list[str] | None
    code: str
    message: str

    @classmethod
    def from_domain(cls, error: DomainError) -> UserError:
        return cls(field=["input", *error.field] if error.field else None, code=error.code, message=error.message)


class ApiError(GraphQLError):
    """A deliberate top-level error: shown to clients as is, with its code."""

    def __init__(self, message: str, code: str):
        super().__init__(message, extensions={"code": code})


class Unauthenticated(ApiError):
    def __init__(self, message: str = "Sign in: send 'Authorization: Bearer <token>'."):
        super().__init__(message, "UNAUTHENTICATED")


class BadRequest(ApiError):
    def __init__(self, message: str):
        super().__init__(message, "BAD_USER_INPUT")
