"""Journey analytics on thousands of runs: the SQL agrees with the same figures computed in Python.

The runs are written straight into the tables (the handlers are tested elsewhere), with random
durations, statuses and response times, so every aggregate sees thousands of rows.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from db import tables as t
from db.read.journey_analytics import analytics_by_map
from tests.support.journeys import Journeys, build_journeys

RUNS = 3000
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def percentile(values: list[float], p: float) -> float:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@pytest.fixture
async def journeys(org) -> Journeys:
    return await build_journeys(org)


class Generated:
    """Random runs of the onboarding map (stages: 1 request by HR, 2 by IT and Facilities, none)."""

    def __init__(self, journeys: Journeys, touchpoints: list[int], rng: random.Random):
        self.org, self.touchpoints, self.rng = journeys.org, touchpoints, rng
        self.runs, self.stages, self.requests, self.links = [], [], [], []
        self.stage_minutes: dict[int, list[int]] = defaultdict(list)
        self.stage_entered: dict[int, int] = defaultdict(int)
        self.on_time: list[bool] = []
        self.totals: list[int] = []
        self.delays: dict[tuple[int, int], list[float]] = defaultdict(list)

    def run(self, run_id: int, map_id: int, *, number: int) -> None:
        rng, org = self.rng, self.org
        start = T0 + timedelta(minutes=rng.randint(0, 60 * 24 * 60))
        fate = rng.choices(["COMPLETED", "ACTIVE0", "ACTIVE1", "CANCELLED1"], weights=[80, 5, 10, 5])[0]
        d0, d1 = rng.randint(5, 200), rng.randint(10, 400)
        left0, left1 = start + timedelta(minutes=d0), start + timedelta(minutes=d0 + d1)
        stages = [(0, start, left0 if fate != "ACTIVE0" else None)]
        if fate != "ACTIVE0":
            stages.append((1, left0, left1 if fate == "COMPLETED" else None))
        if fate == "COMPLETED":
            stages.append((2, left1, left1))
        for position, entered, left in stages:
            self.stages.append({"run_id": run_id, "position": position, "entered_at": entered, "left_at": left})
            self.stage_entered[position] += 1
            if left is not None:
                self.stage_minutes[position].append(int((left - entered).total_seconds() // 60))
        status = {"COMPLETED": "COMPLETED", "CANCELLED1": "CANCELLED"}.get(fate, "ACTIVE")
        self.runs.append(
            {
                "id": run_id,
                "map_id": map_id,
                "subject": f"S{run_id}",
                "sponsor_id": org.employee.id,
                "started_by_id": org.hr_agent.id,
                "status": status,
                "start_at": start,
                "started_at": start,
                "completed_at": left1 if status == "COMPLETED" else None,
                "cancelled_at": left0 + timedelta(minutes=5) if status == "CANCELLED" else None,
                "current_position": len(stages) - 1,
                "prefill": {},
                "version": 1,
            }
        )
        if status == "COMPLETED":
            self.totals.append(d0 + d1)
            self.on_time.append(d0 <= 60 and d1 <= 120)
        self._requests(run_id, number, fate, start, left0, left1)

    def _requests(self, run_id: int, number: int, fate: str, start, left0, left1) -> None:
        rng, d = self.rng, self.org.departments
        contract_resolved = left0 if fate != "ACTIVE0" else None
        self._request(
            run_id,
            number,
            0,
            self.touchpoints[0],
            d["hr"],
            responded=start + timedelta(minutes=1),
            resolved=contract_resolved,
        )
        if fate == "ACTIVE0":
            return
        responses = []
        for k, (touchpoint, department) in enumerate(
            ((self.touchpoints[1], d["it"]), (self.touchpoints[2], d["facilities"]))
        ):
            responded = left0 + timedelta(minutes=rng.randint(0, 90)) if rng.random() < 0.9 else None
            resolved = left1 if fate == "COMPLETED" else None
            self._request(run_id, number + 1 + k, 1, touchpoint, department, responded=responded, resolved=resolved)
            if responded or resolved:
                responses.append((responded or resolved, department))
        if responses:
            first, department = min(responses, key=lambda r: (r[0], r[1]))
            self.delays[(d["hr"], department)].append(max(0.0, (first - contract_resolved).total_seconds() / 60))

    def _request(self, run_id, number, position, touchpoint, department, *, responded, resolved) -> None:
        request_id = number
        self.requests.append(
            {
                "id": request_id,
                "number": number,
                "title": f"R{number}",
                "status": "RESOLVED" if resolved else "NEW",
                "priority": "MEDIUM",
                "service_id": self.org.services["payroll"],
                "requester_id": self.org.employee.id,
                "owner_department_id": department,
                "first_response_at": responded,
                "resolved_at": resolved,
                "journey_run_id": run_id,
            }
        )
        self.links.append(
            {"request_id": request_id, "run_id": run_id, "position": position, "touchpoint_id": touchpoint}
        )

    async def write(self) -> None:
        async with self.org.engine.begin() as conn:
            await conn.execute(t.journey_runs.insert(), self.runs)
            await conn.execute(t.journey_run_stages.insert(), self.stages)
            await conn.execute(t.requests.insert(), self.requests)
            await conn.execute(t.journey_run_requests.insert(), self.links)


async def test_sql_figures_match_python_on_thousands_of_runs(journeys: Journeys):
    # given thousands of random runs of the onboarding map
    map_id = journeys.maps["onboarding"]
    async with journeys.org.engine.connect() as conn:
        touchpoints = [
            r.id
            for r in await conn.execute(
                text(
                    "select tp.id from journey_touchpoints tp join journey_stages s on s.id = tp.stage_id "
                    "where s.map_id = :map and tp.request_type_id is not null order by s.position, tp.position"
                ),
                {"map": map_id},
            )
        ]
    generated = Generated(journeys, touchpoints, random.Random(7))
    for i in range(RUNS):
        generated.run(10_000 + i, map_id, number=100_000 + 3 * i)
    await generated.write()

    # when measured
    async with journeys.org.engine.connect() as conn:
        figures = (await analytics_by_map(conn, [map_id]))[map_id]

    # then every figure is what Python computes from the same rows
    statuses = [r["status"] for r in generated.runs]
    assert (figures.runs_started, figures.runs_completed, figures.runs_active, figures.runs_cancelled) == (
        RUNS,
        statuses.count("COMPLETED"),
        statuses.count("ACTIVE"),
        statuses.count("CANCELLED"),
    )
    assert figures.median_minutes == pytest.approx(percentile(generated.totals, 0.5))
    assert figures.p90_minutes == pytest.approx(percentile(generated.totals, 0.9))
    assert figures.on_time_rate == pytest.approx(sum(generated.on_time) / len(generated.on_time))
    targets = {0: 60, 1: 120, 2: None}
    for position, minutes in generated.stage_minutes.items():
        stage = figures.stages[position]
        assert (stage.runs_entered, stage.runs_left) == (generated.stage_entered[position], len(minutes))
        assert stage.median_minutes == pytest.approx(percentile(minutes, 0.5))
        assert stage.p90_minutes == pytest.approx(percentile(minutes, 0.9))
        target = targets[position]
        expected = sum(m <= target for m in minutes) / len(minutes) if target else None
        assert stage.on_time_rate == (pytest.approx(expected) if expected is not None else None)
    measured = {(h.from_department_id, h.to_department_id): h for h in figures.hand_offs}
    assert set(measured) == set(generated.delays)
    for pair, delays in generated.delays.items():
        assert measured[pair].runs == len(delays)
        assert measured[pair].median_minutes == pytest.approx(percentile(delays, 0.5))
        assert measured[pair].p90_minutes == pytest.approx(percentile(delays, 0.9))
