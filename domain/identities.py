"""Sign-ins from an OpenID Connect provider: who a sign-in is, and the role its groups give.

A person is identified by (issuer, subject); the first sign-in links that pair to a person by a
verified email address, or provisions a requester. Roles and departments are managed in Tandem,
unless a mapping from the provider's groups is configured: then every sign-in applies it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.people import STAFF_ROLES, Role

# When several groups match, the strongest role wins.
RANK = {Role.REQUESTER: 0, Role.AGENT: 1, Role.MANAGER: 2, Role.ADMIN: 3}


@dataclass(frozen=True, slots=True)
class SignIn:
    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RoleRule:
    role: Role
    department_slug: str | None = None


REQUESTER = RoleRule(Role.REQUESTER)


class RoleMappingError(ValueError):
    """The configured mapping is not one Tandem can apply."""


@dataclass(frozen=True)
class RoleMapping:
    """Groups to roles, as configured: `{"tandem-admins": "ADMIN", "it-agents": "AGENT:it"}`."""

    rules: tuple[tuple[str, RoleRule], ...]

    @classmethod
    def parse(cls, mapping: Mapping[str, object]) -> RoleMapping:
        return cls(tuple((group, _rule(group, value)) for group, value in mapping.items()))

    def assign(self, groups: Iterable[str]) -> RoleRule:
        """The rule of the strongest matching group (the first configured among equals);
        a person in no mapped group is a requester."""
        member_of = set(groups)
        matching = [rule for group, rule in self.rules if group in member_of]
        return max(matching, key=lambda rule: RANK[rule.role], default=REQUESTER)


def _rule(group: str, value: object) -> RoleRule:
    if not isinstance(value, str):
        raise RoleMappingError(f'group {group!r}: the role must be a string such as "AGENT:it"')
    role_name, _, slug = value.partition(":")
    try:
        role = Role(role_name.strip().upper())
    except ValueError:
        raise RoleMappingError(
            f"group {group!r}: {role_name!r} is not a role ({', '.join(r.value for r in Role)})"
        ) from None
    department_slug = slug.strip() or None
    if role in STAFF_ROLES and department_slug is None:
        raise RoleMappingError(f'group {group!r}: agents and managers need a department, as "{role.value}:slug"')
    return RoleRule(role, department_slug)
