"""The compiled read path keeps the requester privacy rules, answering byte for byte as normal
execution: other people's emails and roles null for requesters, agent-only values only for the
departments working on the request."""

from __future__ import annotations

import json

import pytest

from tests.graphql.privacy_ops import EVERYTHING, SECRET_TAG, repair
from tests.support.compiled import both
from tests.support.org import Org

# (viewer, sees other people's contact details, sees the agent-only values)
VIEWERS = [
    ("employee", False, False),
    ("other", False, False),
    ("hr_agent", True, False),
    ("fac_agent", True, True),
    ("it_agent", True, True),
    ("admin", True, True),
]


@pytest.mark.parametrize(("viewer", "sees_people", "sees_values"), VIEWERS)
async def test_the_compiled_answer_hides_what_normal_execution_hides(api, org: Org, viewer, sees_people, sees_values):
    # given the repaired request (agent-only values, an assignee, watchers, an agent's comment)
    repaired = await repair(api, org)
    # when the viewer reads it by ID and in the list, through both paths
    normal, compiled = await both(api.engine, EVERYTHING, getattr(org, viewer), {"id": repaired.request_id})
    # then the compiled path answered, with the same bytes
    assert compiled.compiled and not normal.compiled
    assert compiled.body == normal.body
    # and it shows what the viewer may see, and nothing more
    text = compiled.body
    assert (org.it_agent.email in text) is sees_people
    assert ('"role":"AGENT"' in text) is sees_people
    assert (SECRET_TAG in text) is sees_values
    data = json.loads(text)["data"]
    if viewer == "employee":
        assert data["node"]["requester"]["email"] == org.employee.email  # their own, always
        assert [e["node"]["requester"]["role"] for e in data["requests"]["edges"]] == ["REQUESTER"]
