"""GraphQL operations and steps shared by the journey tests."""

from __future__ import annotations

from typing import Any

from domain.people import Person
from tests.graphql.request_ops import ERRORS, TASK_COMPLETE, TRANSITION, act, ok
from tests.support.api import Api
from tests.support.org import Org

MAP = """
  id name description version active createdAt retiredAt departments { name }
  stages { id name position targetMinutes
           touchpoints { id name department { name } requestType { name } painPoints fields { key value } } }
  previousVersion { id version } nextVersion { id version }
"""
RUN = """
  id subject status version startAt startedAt completedAt cancelledAt onTrack
  map { id name version } sponsor { email } startedBy { email } currentStage { name position }
  stages { stage { name position } enteredAt leftAt minutes onTime requests { id } }
  requests { id number title description status version requester { email } fields { key value }
             ownerDepartment { name } tasks { id status department { name } } journeyRun { id } }
"""


def _mutation(name: str, input_type: str, key: str, fields: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {key} {{ {fields} }} {ERRORS} }} }}"


MAP_CREATE = _mutation("journeyMapCreate", "JourneyMapCreateInput", "journeyMap", MAP)
MAP_REVISE = _mutation("journeyMapRevise", "JourneyMapReviseInput", "journeyMap", MAP)
MAP_RETIRE = _mutation("journeyMapRetire", "JourneyMapRetireInput", "journeyMap", MAP)
RUN_START = _mutation("journeyRunStart", "JourneyRunStartInput", "journeyRun", RUN)
RUN_CANCEL = _mutation("journeyRunCancel", "JourneyRunCancelInput", "journeyRun", RUN)
NODE_RUN = f"query($id: ID!) {{ node(id: $id) {{ ... on JourneyRun {{ {RUN} }} }} }}"
NODE_MAP = f"query($id: ID!) {{ node(id: $id) {{ ... on JourneyMap {{ {MAP} }} }} }}"
MAPS = """query($first: Int, $after: String, $filter: JourneyMapFilter) {
  journeyMaps(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id name version active } } } }"""
RUNS = """query($first: Int, $after: String, $filter: JourneyRunFilter) {
  journeyRuns(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id subject status map { version } } } } }"""


def touchpoint(name: str, department: str, org: Org, request_type: str | None = None, **extra: Any) -> dict:
    tp = {"name": name, "departmentId": org.gid("Department", department), **extra}
    if request_type is not None:
        tp["requestTypeId"] = org.gid("RequestType", request_type)
    return tp


def fields(**values: str) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in values.items()]


def onboarding_input(org: Org, **changes: Any) -> dict[str, Any]:
    """The map of tests.support.journeys, as GraphQL input."""
    return {
        "name": "Onboarding",
        "description": "A new colleague's first days",
        "stages": [
            {
                "name": "Paperwork",
                "targetMinutes": 60,
                "touchpoints": [
                    touchpoint(
                        "Contract",
                        "hr",
                        org,
                        "contract",
                        painPoints=["Contract sent late"],
                        fields=fields(employee="{subject}", start="{startDate}"),
                    )
                ],
            },
            {
                "name": "Equipment",
                "targetMinutes": 120,
                "touchpoints": [
                    touchpoint(
                        "Laptop",
                        "it",
                        org,
                        "new_laptop",
                        painPoints=["Laptop not ready on day one"],
                        fields=fields(model="13-inch", needed_by="{startDate}", manager="{sponsor}"),
                    ),
                    touchpoint("Workplace", "facilities", org, "workplace", fields=fields(first_day="{startDate}")),
                ],
            },
            {"name": "Welcome", "touchpoints": [touchpoint("Welcome lunch", "hr", org)]},
        ],
        **changes,
    }


async def start(api: Api, viewer: Person, map_id: str, **input: Any) -> dict[str, Any]:
    input.setdefault("subject", "Jane Doe")
    return ok(await act(api, viewer, RUN_START, mapId=map_id, **input), "journeyRun")


async def fetch_run(api: Api, viewer: Person, run_id: str) -> dict[str, Any] | None:
    return (await api.ok(NODE_RUN, viewer, id=run_id))["node"]


def request_titled(run: dict[str, Any], prefix: str) -> dict[str, Any]:
    (found,) = [r for r in run["requests"] if r["title"].startswith(prefix)]
    return found


async def resolve(api: Api, viewer: Person, request: dict[str, Any], *, task_worker: Person | None = None) -> dict:
    """Work a request to RESOLVED: complete its tasks (as `task_worker`), start, resolve."""
    for task in request["tasks"]:
        if task["status"] == "OPEN":
            ok(await act(api, task_worker, TASK_COMPLETE, id=task["id"]), "task")
            request = {**request, "version": request["version"] + 1}
    for status in ("IN_PROGRESS", "RESOLVED"):
        request = ok(
            await act(api, viewer, TRANSITION, id=request["id"], to=status, expectedVersion=request["version"])
        )
    return request
