"""Journey reads go through batched dataloaders: statements depend on the query's depth, not on rows."""

from __future__ import annotations

import pytest

from schema import ids
from tests.graphql.request_ops import TRANSITION, act, ok
from tests.support.journeys import Journeys, build_journeys
from tests.support.statements import count_statements

WALLBOARD = """
query($first: Int!) {
  journeyMaps(first: 10) { totalCount edges { node { name version departments { name }
    stages { name targetMinutes touchpoints { name department { name } requestType { name } painPoints } }
    analytics { runsStarted medianMinutes onTimeRate bottleneck { name }
                stages { stage { name } medianMinutes p90Minutes bottleneck }
                handOffs { fromDepartment { name } toDepartment { name } medianMinutes } }
    runs(first: $first) { totalCount edges { node { subject status onTrack currentStage { name } } } } } } }
  journeyRuns(first: $first) { totalCount edges { node {
    subject status onTrack startedAt sponsor { name } startedBy { name } map { name version }
    currentStage { name }
    stages { stage { name } enteredAt leftAt minutes onTime requests { number } }
    requests { number status requester { name } ownerDepartment { name } journeyRun { subject } } } } }
}"""


@pytest.fixture
async def journeys(org) -> Journeys:
    return await build_journeys(org)


async def _statements(api, viewer, rows: int) -> int:
    with count_statements(api.engine) as log:
        data = await api.ok(WALLBOARD, viewer, first=rows)
    assert len(data["journeyRuns"]["edges"]) == rows
    return log.count


@pytest.mark.parametrize("viewer_key", ["hr_agent", "admin"])
async def test_statement_count_is_the_same_for_2_and_12_runs(api, journeys: Journeys, viewer_key):
    # given twelve runs, half of them one stage further on
    org = journeys.org
    for i in range(12):
        run_id = await journeys.start(journeys.maps["onboarding"], subject=f"Starter {i}")
        if i % 2:
            payload = await api.ok(
                """query($id: ID!) { node(id: $id) { ... on JourneyRun {
                requests { id version } } } }""",
                org.admin,
                id=ids.encode("JourneyRun", run_id),
            )
            (contract,) = payload["node"]["requests"]
            ok(
                await act(
                    api, org.hr_agent, TRANSITION, id=contract["id"], to="RESOLVED", expectedVersion=contract["version"]
                )
            )
    viewer = getattr(org, viewer_key)
    # when the wallboard is read for 2 runs and for 12 / then it takes as many statements
    assert await _statements(api, viewer, 2) == await _statements(api, viewer, 12)
