"""Who a shared subscription payload is rendered for (see schema.live.hub)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from graphql import DocumentNode, FieldNode, visit
from graphql.language import Visitor

from domain.people import Person

# Fields whose answer depends on exactly who asks, beyond their role and department: lists and
# counts over requests (the viewer's own and watched requests count there) and the viewer.
# A subscription selecting any of them is rendered for each person alone. A new field of that
# kind belongs here; a missing one would show a member less than they may see, never more.
PERSONAL_FIELDS = frozenset(
    {
        "viewer",
        "queue",
        "stats",
        "requests",
        "runs",
        "journeyRuns",
        "sharedGoals",
        "journeyRun",
        "keyResults",
        "byDepartment",
    }
)


@dataclass(frozen=True)
class Audience:
    key: Hashable
    viewer: Person  # whom the group's payloads are rendered for
    shared: bool  # several people may be members
    selects_personal: bool = False  # the document selects PERSONAL_FIELDS


def stand_in(viewer: Person) -> Person:
    """Someone with the viewer's role and department and nothing personal: id 0 owns nothing."""
    return Person(id=0, name="", email="", role=viewer.role, department_id=viewer.department_id)


def audience_for(viewer: Person, field_names: frozenset[str]) -> Audience:
    return _audience(viewer, personal=bool(field_names & PERSONAL_FIELDS))


def realigned(audience: Audience, viewer: Person) -> Audience:
    """The audience of the same subscription for a viewer whose role or department changed."""
    return _audience(viewer, personal=audience.selects_personal)


def _audience(viewer: Person, *, personal: bool) -> Audience:
    if viewer.is_admin:
        return Audience(("admins",), stand_in(viewer), shared=True, selects_personal=personal)
    if viewer.is_staff and not personal:
        return Audience(("staff", viewer.role.value, viewer.department_id), stand_in(viewer), shared=True)
    return Audience(("person", viewer.id), viewer, shared=False, selects_personal=personal)


def selected_field_names(document: DocumentNode) -> frozenset[str]:
    """Every field name the document selects, in any operation or fragment."""
    names: set[str] = set()

    class Collect(Visitor):
        def enter_field(self, node: FieldNode, *_args) -> None:
            names.add(node.name.value)

    visit(document, Collect())
    return frozenset(names)
