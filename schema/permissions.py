"""Every root field needs a signed-in viewer; finer rules live in SQL and the domain."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.permission import BasePermission

from schema.context import Info
from schema.errors import Unauthenticated


class SignedIn(BasePermission):
    message = "Sign in: send 'Authorization: Bearer <token>'."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        context = info.context
        if context.viewer is not None:
            return True
        if context.response is not None:
            context.response.status_code = 401
        if context.auth_error:
            raise Unauthenticated(context.auth_error)
        return False


# A root field's metadata key: it administers people or tokens, so an API token calling it needs
# the ADMIN scope besides the operation's own (schema.scopes).
ADMINISTRATION = "administration"


def root_field(resolver: Any = None, *, administration: bool = False, **kwargs: Any) -> Any:
    """`strawberry.field` for root fields: only for a signed-in viewer."""
    field = strawberry.field(permission_classes=[SignedIn], metadata={ADMINISTRATION: administration}, **kwargs)
    return field(resolver) if resolver is not None else field


def root_mutation(resolver: Any = None, *, administration: bool = False, **kwargs: Any) -> Any:
    field = strawberry.mutation(permission_classes=[SignedIn], metadata={ADMINISTRATION: administration}, **kwargs)
    return field(resolver) if resolver is not None else field


def root_subscription(resolver: Any = None, **kwargs: Any) -> Any:
    field = strawberry.subscription(permission_classes=[SignedIn], **kwargs)
    return field(resolver) if resolver is not None else field
