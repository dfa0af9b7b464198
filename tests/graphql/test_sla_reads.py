"""The SLA breach rule reads the same in `Request.sla`, the slaBreached filter and stats."""

from datetime import UTC, datetime, timedelta

from db.uow import SqlUnitOfWork
from domain import commands
from domain.handlers import requests as handle
from domain.workflow import RequestStatus
from tests.support.org import Org

QUERY = """query($breached: Boolean!) { requests(first: 10, filter: {slaBreached: $breached}) {
  edges { node { title status sla { breached } } } } }"""


async def _cancel(org: Org, request_id: int, at: datetime) -> None:
    await handle.transition_request(
        commands.TransitionRequest(request_id=request_id, to=RequestStatus.CANCELLED, expected_version=1),
        uow=SqlUnitOfWork(org.engine),
        actor=org.employee,
        now=at,
    )


async def test_the_clock_stops_at_cancellation(api, org: Org):
    # given two requests raised two days ago on a 60-minute response target
    raised = datetime.now(UTC) - timedelta(days=2)
    in_time = await org.raise_request(
        org.employee, request_type="new_laptop", title="Cancelled in time", fields={"model": "13-inch"}, now=raised
    )
    too_late = await org.raise_request(
        org.employee, request_type="new_laptop", title="Cancelled too late", fields={"model": "13-inch"}, now=raised
    )
    # when one is cancelled within the target and the other after it
    await _cancel(org, in_time, raised + timedelta(minutes=10))
    await _cancel(org, too_late, raised + timedelta(hours=3))
    # then only the late one counts as breached, in the field and in both filters
    breached = await api.ok(QUERY, org.it_agent, breached=True)
    kept = await api.ok(QUERY, org.it_agent, breached=False)
    assert [e["node"]["title"] for e in breached["requests"]["edges"]] == ["Cancelled too late"]
    assert [e["node"]["title"] for e in kept["requests"]["edges"]] == ["Cancelled in time"]
    assert breached["requests"]["edges"][0]["node"]["sla"]["breached"] is True
    assert kept["requests"]["edges"][0]["node"]["sla"]["breached"] is False
