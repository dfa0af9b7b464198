"""GraphQL operations and steps shared by the shared-goal tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from db.read import goal_values
from domain.people import Person
from tests.graphql.request_ops import ERRORS, ok
from tests.support.api import Api
from tests.support.org import Org

GOAL = """
  id title description periodStart periodEnd version progress status departments { name }
  keyResults { id title metric direction target current sampleSize progress status
    scope { services { name } requestTypes { name } departments { name } journeyMap { name } }
    byDepartment { department { name } current sampleSize } }
"""
GOAL_CREATE = f"""mutation($input: SharedGoalCreateInput!) {{ sharedGoalCreate(input: $input) {{
  sharedGoal {{ {GOAL} }} {ERRORS} }} }}"""
GOAL_UPDATE = f"""mutation($input: SharedGoalUpdateInput!) {{ sharedGoalUpdate(input: $input) {{
  sharedGoal {{ {GOAL} }} {ERRORS} }} }}"""
GOAL_BY_ID = f"query($id: ID!) {{ node(id: $id) {{ ... on SharedGoal {{ {GOAL} }} }} }}"
GOALS = """query($first: Int, $after: String, $filter: SharedGoalFilter) {
  sharedGoals(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title } } } }"""

DECEMBER = (datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC))


def key_result(metric: str, target: float, *, title: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"title": title or metric.replace("_", " ").capitalize(), "metric": metric, "target": target, **extra}


def goal_input(
    org: Org,
    *,
    departments: tuple[str, ...] = ("it", "hr", "facilities"),
    key_results: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    start, end = DECEMBER
    return {
        "title": "Resolve within a working day",
        "periodStart": start.isoformat(),
        "periodEnd": end.isoformat(),
        "departmentIds": [org.gid("Department", d) for d in departments],
        "keyResults": key_results if key_results is not None else [key_result("P90_RESOLUTION_HOURS", 8)],
        **extra,
    }


async def create_goal(api: Api, org: Org, viewer: Person | None = None, **input: Any) -> dict[str, Any]:
    payload = await api.mutate(GOAL_CREATE, viewer or org.it_manager, input=goal_input(org, **input))
    return ok(payload, "sharedGoal")


async def fetch_goal(api: Api, viewer: Person, goal_id: str) -> dict[str, Any] | None:
    return (await api.ok(GOAL_BY_ID, viewer, id=goal_id))["node"]


async def goal_titles(api: Api, viewer: Person, **variables: Any) -> list[str]:
    variables.setdefault("first", 100)
    page = (await api.ok(GOALS, viewer, **variables))["sharedGoals"]
    return [edge["node"]["title"] for edge in page["edges"]]


def by_department(key_result: dict[str, Any]) -> dict[str, tuple[float | None, int]]:
    """{department name: (current, sample size)}, rounded for comparing with hand-computed values."""
    return {c["department"]["name"]: (_round(c["current"]), c["sampleSize"]) for c in key_result["byDepartment"]}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def count_figure_computations(monkeypatch: Any) -> list[int]:
    """The key results each computation of figures is for, as it happens (goal_values.figure_rows,
    watched: it still computes)."""
    computed: list[int] = []
    real = goal_values.figure_rows

    async def counted(conn: Any, ids: Any, **kwargs: Any) -> Any:
        computed.append(len(ids))
        return await real(conn, ids, **kwargs)

    monkeypatch.setattr(goal_values, "figure_rows", counted)
    return computed
