"""Groups from the provider to roles in Tandem (domain.identities.RoleMapping)."""

import pytest

from domain.identities import REQUESTER, RoleMapping, RoleMappingError, RoleRule
from domain.people import Role

MAPPING = RoleMapping.parse(
    {"it-agents": "AGENT:it", "hr-leads": "manager:hr", "tandem-admins": "ADMIN", "it-leads": "MANAGER:it"}
)


def test_a_member_of_one_group_gets_its_role_and_department():
    assert MAPPING.assign(["it-agents", "unmapped"]) == RoleRule(Role.AGENT, "it")


def test_the_strongest_role_wins_and_the_first_configured_among_equals():
    assert MAPPING.assign(["it-agents", "tandem-admins"]) == RoleRule(Role.ADMIN)
    assert MAPPING.assign(["it-leads", "hr-leads"]) == RoleRule(Role.MANAGER, "hr")


def test_a_member_of_no_mapped_group_is_a_requester():
    assert MAPPING.assign([]) == REQUESTER
    assert MAPPING.assign(["somewhere-else"]) == REQUESTER


@pytest.mark.parametrize(
    "mapping, complaint",
    [
        ({"g": "OWNER"}, "not a role"),
        ({"g": "AGENT"}, "need a department"),
        ({"g": ["ADMIN"]}, "must be a string"),
    ],
)
def test_a_mapping_tandem_cannot_apply_is_refused(mapping, complaint):
    with pytest.raises(RoleMappingError, match=complaint):
        RoleMapping.parse(mapping)
