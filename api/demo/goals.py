"""The demo's shared goals: set by managers for their departments together, over live data.

Their periods run from a month ago to a month ahead, so the wallboard shows them mid-way.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from api.demo.catalog import Offering
from api.demo.organisation import Directory
from db.uow import SqlUnitOfWork
from domain import commands
from domain.goal_participation import Participation
from domain.goals import Direction, KeyResult, Metric, Scope
from domain.handlers.goals import create_goal, decide_participation

ONBOARDING = "New hire onboarding"


def _key_result(title: str, metric: Metric, direction: Direction, target: float, **scope) -> KeyResult:
    return KeyResult(id=None, title=title, metric=metric, direction=direction, target=target, scope=Scope(**scope))


async def build_goals(
    engine: AsyncEngine, directory: Directory, offerings: list[Offering], *, now: datetime
) -> list[int]:
    start, end = now - timedelta(days=30), now + timedelta(days=30)
    departments = directory.departments
    onboarding = tuple({o.service_id for o in offerings if o.service.name == ONBOARDING})
    day_one = commands.CreateSharedGoal(
        title="New hires productive on day 1",
        description="Laptop, desk, badge and contract ready before a new colleague's first morning.",
        period_start=start,
        period_end=end,
        department_ids=(departments["it"], departments["hr"], departments["facilities"]),
        key_results=(
            # Every journey the three run together (the onboarding map, once the demo has one).
            _key_result("Onboardings on time", Metric.JOURNEY_ON_TIME_RATE, Direction.AT_LEAST, 0.9),
            _key_result(
                "Onboarding requests within their SLA",
                Metric.SLA_COMPLIANCE_RATE,
                Direction.AT_LEAST,
                0.9,
                service_ids=onboarding,
            ),
            _key_result(
                "Onboarding requests resolved", Metric.REQUESTS_RESOLVED, Direction.AT_LEAST, 20, service_ids=onboarding
            ),
        ),
    )
    working_day = commands.CreateSharedGoal(
        title="Resolve within a working day",
        description="Nine in ten requests resolved within eight working hours, whoever holds them.",
        period_start=start,
        period_end=end,
        department_ids=tuple(departments.values()),
        key_results=(
            _key_result("p90 resolution time", Metric.P90_RESOLUTION_HOURS, Direction.AT_MOST, 8),
            _key_result("SLA compliance", Metric.SLA_COMPLIANCE_RATE, Direction.AT_LEAST, 0.9),
            _key_result("Open backlog", Metric.OPEN_BACKLOG, Direction.AT_MOST, 40),
            _key_result("Satisfaction", Metric.CSAT_AVERAGE, Direction.AT_LEAST, 4.2),
        ),
    )
    goals = [
        await create_goal(day_one, uow=SqlUnitOfWork(engine), actor=directory.manager("hr"), now=now),
        await create_goal(working_day, uow=SqlUnitOfWork(engine), actor=directory.manager("it"), now=now),
    ]
    for goal_id, goal in zip(goals, (day_one, working_day), strict=True):
        await _accepted_by_all(engine, directory, goal_id, goal.department_ids, now=now)
    return goals


async def _accepted_by_all(
    engine: AsyncEngine, directory: Directory, goal_id: int, department_ids: tuple[int, ...], *, now: datetime
) -> None:
    """Every department's manager accepts, so the wallboards show each department's figures to all."""
    for manager in directory.managers:
        if manager.department_id in department_ids:
            await decide_participation(
                commands.DecideGoalParticipation(
                    goal_id=goal_id,
                    department_id=manager.department_id,
                    status=Participation.ACCEPTED,
                    expected_version=1,
                ),
                uow=SqlUnitOfWork(engine),
                actor=manager,
                now=now,
            )
