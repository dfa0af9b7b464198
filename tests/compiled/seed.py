"""A varied organisation for comparing the read paths: build_org plus requests with public and
internal comments (some at the same instant, to exercise tie-breaks), tasks, hand-offs, watchers,
assignees, resolutions and ratings, texts that need JSON escaping, and a form with agent-only fields
that IT fills in (values marked AGENT_ONLY, which no requester may ever be shown); shared goals
over that work (seed_goals) and API tokens (seed_tokens)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.uow import SqlUnitOfWork
from domain import commands
from domain import journey_commands as jc
from domain.api_tokens import Scope as TokenScope
from domain.catalog import FieldDefinition, FieldKind
from domain.errors import DomainError
from domain.goal_participation import Participation
from domain.goals import Direction, KeyResult, Metric
from domain.goals import Scope as GoalScope
from domain.handlers import api_tokens, catalog, goals, organisation, people
from domain.handlers import journeys as jhandle
from domain.handlers import requests as handle
from domain.journeys import MapSpec, StageSpec, TouchpointSpec
from domain.workflow import Priority, RequestStatus
from tests.support.journeys import Journeys, add_journey_catalog, person_refs
from tests.support.org import Org

TEXTS = [
    "Laptop is slow",
    'Quote " and back\\slash',
    "Ünïcödé — naïve café ✓ 🚀",
    "Tab\tand\nnew line",
    "Control \x01 char",
    "Plain",
]
PRIORITIES = list(Priority)
AGENT_ONLY = "agent-only value"
REPAIR_FIELDS = (
    FieldDefinition("symptom", "Symptom", FieldKind.TEXT),
    FieldDefinition("asset_tag", "Asset tag", FieldKind.TEXT, agent_only=True),
    FieldDefinition("triage", "Triage", FieldKind.CHOICE, options=("low", "high"), agent_only=True),
)


@dataclass
class Seeded:
    request_ids: list[int] = field(default_factory=list)
    request_keys: list[tuple[Any, int]] = field(default_factory=list)  # (created_at, id)
    goal_keys: list[tuple[Any, int]] = field(default_factory=list)  # (period_start, id)
    token_keys: list[tuple[Any, int]] = field(default_factory=list)  # (created_at, id)
    comment_keys: list[tuple[Any, int]] = field(default_factory=list)
    event_seqs: list[int] = field(default_factory=list)
    service_keys: list[tuple[Any, int]] = field(default_factory=list)  # (name, id)
    department_keys: list[tuple[Any, int]] = field(default_factory=list)
    # Database ids by the type node(id:) reads ("Task": [...]); the key `seq` for events.
    node_ids: dict[str, list[int]] = field(default_factory=dict)
    clock: datetime | None = None  # the moment both read paths are run at (stats are read at it)
    run_keys: list[tuple[Any, int]] = field(default_factory=list)  # (started_at, id), seed_journeys's
    map_keys: list[tuple[Any, int]] = field(default_factory=list)  # (name, id)


async def _version(org: Org, request_id: int) -> int:
    async with org.engine.connect() as conn:
        return (await conn.execute(select(t.requests.c.version).where(t.requests.c.id == request_id))).scalar_one()


async def _try(call: Any) -> None:
    with contextlib.suppress(DomainError):  # a rule said no: the data set is only meant to be varied
        await call


async def seed(org: Org, count: int = 24) -> Seeded:
    start = datetime.now(UTC) - timedelta(days=3)
    org.request_types["repair"] = await catalog.create_request_type(
        commands.CreateRequestType(service_id=org.services["laptops"], name="Laptop repair", fields=REPAIR_FIELDS),
        uow=SqlUnitOfWork(org.engine),
        actor=org.admin,
        now=start,
    )
    for i in range(count):
        # Every third pair shares an instant: keyset pages must break ties by id.
        now = start + timedelta(minutes=10 * (i - i % 3 // 2))
        await _one(org, i, now)
    await _catalog_and_people(org, start)
    await seed_goals(org, start)
    await seed_tokens(org)
    seeded = await _keys(org)
    # The clock both read paths are run at: just after the last resolution, so that some requests
    # were resolved the same day (resolvedToday), and after every open one was raised (oldestOpenMinutes).
    async with org.engine.connect() as conn:
        last_resolved = (await conn.execute(select(func.max(t.requests.c.resolved_at)))).scalar_one()
    seeded.clock = last_resolved + timedelta(seconds=30)
    return seeded


async def _catalog_and_people(org: Org, now: datetime) -> None:
    """Names a cursor must escape (db.read.pages writes them ASCII-only: a surrogate pair for the
    rocket), a retired service (only its department and admins see it), a deactivated person."""
    admin, uow = org.admin, lambda: SqlUnitOfWork(org.engine)  # noqa: E731
    org.departments["ops"] = await organisation.create_department(
        commands.CreateDepartment(name="Ünïcödé Ops ✓", slug="ops"), uow=uow(), actor=admin, now=now
    )
    for key, name, owner in (
        ("cafe", 'Café "quoted" \\ 🚀 \x7f', "ops"),
        ("retired", "Archive requests", "hr"),
        ("desks", "Desks", "facilities"),
    ):
        org.services[key] = await catalog.create_service(
            commands.CreateService(
                name=name,
                owner_department_id=org.departments[owner],
                collaborating_department_ids=(org.departments["it"],),
            ),
            uow=uow(),
            actor=admin,
            now=now,
        )
    await catalog.update_service(
        commands.UpdateService(service_id=org.services["retired"], active=False), uow=uow(), actor=admin, now=now
    )
    await people.set_person_active(
        commands.SetPersonActive(person_id=org.it_agent2.id, active=False), uow=uow(), actor=admin, now=now
    )


async def _one(org: Org, i: int, now: datetime) -> None:
    requester = (org.employee, org.other, org.employee, org.it_agent2)[i % 4]
    service, request_type, fields = (
        ("laptops", "new_laptop", {"model": "13-inch", "notes": TEXTS[i % len(TEXTS)]}),
        ("laptops", None, {}),
        ("payroll", "payslip", {}),
    )[i % 3]
    if i % 9 in (0, 3):
        request_type, fields = "repair", {"symptom": TEXTS[i % len(TEXTS)]}
    request_id = await org.raise_request(
        requester,
        service=service,
        request_type=request_type,
        title=f"{TEXTS[i % len(TEXTS)]} #{i}",
        priority=PRIORITIES[i % 4],
        fields=fields,
        now=now,
    )
    agent = org.it_agent if service == "laptops" else org.hr_agent
    uow = lambda: SqlUnitOfWork(org.engine)  # noqa: E731
    if request_type == "repair":
        await handle.update_request(
            commands.UpdateRequest(
                request_id=request_id, expected_version=1, fields={"asset_tag": f"{AGENT_ONLY} {i}", "triage": "high"}
            ),
            uow=uow(),
            actor=agent,
            now=now,
            person_refs=_no_people,
        )
    for c in range(i % 5):
        internal = c % 2 == 1
        author = agent if internal or c % 3 == 0 else requester
        at = now + timedelta(minutes=c // 2)  # pairs of comments at the same instant
        await _try(
            handle.add_comment(
                commands.AddComment(request_id=request_id, body=f"{TEXTS[c % len(TEXTS)]} {c}", internal=internal),
                uow=uow(),
                actor=author,
                now=at,
            )
        )
    later = now + timedelta(hours=1)
    if i % 2 == 0:
        await _try(
            handle.assign_request(
                commands.AssignRequest(
                    request_id=request_id, assignee_id=agent.id, expected_version=await _version(org, request_id)
                ),
                uow=uow(),
                actor=agent,
                now=later,
            )
        )
    if i % 5 == 1:
        await _try(
            handle.watch_request(
                commands.WatchRequest(request_id=request_id, person_id=org.other.id), uow=uow(), actor=agent, now=later
            )
        )
    if i % 6 == 4 and service == "laptops":
        await _try(
            handle.add_task(
                commands.AddTask(request_id=request_id, title="Payroll check", department_id=org.departments["hr"]),
                uow=uow(),
                actor=agent,
                now=later,
            )
        )
    if i % 7 == 3 and service == "laptops":
        await _try(
            handle.hand_off_request(
                commands.HandOffRequest(
                    request_id=request_id,
                    to_department_id=org.departments["hr"],
                    reason="HR owns this",
                    expected_version=await _version(org, request_id),
                ),
                uow=uow(),
                actor=agent,
                now=later,
            )
        )
    if i % 5 == 2:
        await _try(
            handle.transition_request(
                commands.TransitionRequest(
                    request_id=request_id,
                    to=RequestStatus.IN_PROGRESS,
                    expected_version=await _version(org, request_id),
                ),
                uow=uow(),
                actor=agent,
                now=later,
            )
        )
    if service == "payroll" and i % 2 == 0:
        await _resolve_and_rate(org, request_id, requester, agent, later, rate=i % 4 == 0)


async def _no_people(values: list[str]) -> set[str]:
    return set()


async def _resolve_and_rate(
    org: Org, request_id: int, requester: Any, agent: Any, now: datetime, *, rate: bool
) -> None:
    await _try(
        handle.transition_request(
            commands.TransitionRequest(
                request_id=request_id, to=RequestStatus.RESOLVED, expected_version=await _version(org, request_id)
            ),
            uow=SqlUnitOfWork(org.engine),
            actor=agent,
            now=now,
        )
    )
    if rate:
        await _try(
            handle.rate_request(
                commands.RateRequest(request_id=request_id, score=4, comment="Quick ✓"),
                uow=SqlUnitOfWork(org.engine),
                actor=requester,
                now=now,
            )
        )


async def _keys(org: Org) -> Seeded:
    seeded = Seeded()
    async with org.engine.connect() as conn:
        for row in await conn.execute(select(t.requests.c.created_at, t.requests.c.id).order_by(t.requests.c.id)):
            seeded.request_ids.append(row.id)
            seeded.request_keys.append((row.created_at, row.id))
        for row in await conn.execute(select(t.comments.c.created_at, t.comments.c.id).order_by(t.comments.c.id)):
            seeded.comment_keys.append((row.created_at, row.id))
        seeded.event_seqs = list((await conn.execute(select(t.events.c.seq).order_by(t.events.c.seq))).scalars())
        for table, keys in ((t.services, seeded.service_keys), (t.departments, seeded.department_keys)):
            keys += [(r.name, r.id) for r in await conn.execute(select(table.c.name, table.c.id).order_by(table.c.id))]
        for type_name, table in NODE_TABLES.items():
            seeded.node_ids[type_name] = list((await conn.execute(select(table.c.id).order_by(table.c.id))).scalars())
        await _read_goals(conn, seeded)
        token = t.api_tokens
        seeded.token_keys = [tuple(r) for r in await conn.execute(select(token.c.created_at, token.c.id))]
    seeded.node_ids["Event"] = seeded.event_seqs
    return seeded


async def _read_goals(conn: AsyncConnection, seeded: Seeded) -> None:
    goal = t.shared_goals
    seeded.goal_keys = [tuple(r) for r in await conn.execute(select(goal.c.period_start, goal.c.id))]
    seeded.node_ids["SharedGoal"] = sorted(i for _, i in seeded.goal_keys)


NODE_TABLES = {
    "Department": t.departments,
    "Person": t.people,
    "Service": t.services,
    "RequestType": t.request_types,
    "Request": t.requests,
    "Task": t.tasks,
    "Comment": t.comments,
    "SharedGoal": t.shared_goals,
    "ApiToken": t.api_tokens,
}
# --- journeys ----------------------------------------------------------------------------------
# Onboarding (HR, IT, Facilities) with eight runs: six completed (five handed from HR to IT first,
# one to Facilities first), one cancelled in Equipment, one still in Paperwork; then revised, so
# versions link. Office move (Facilities, then IT with an agent-only value on its form) with a run
# in its second stage and one in its first, sponsored by HR's agent, whom only an admin may name.
# Welcome day (HR), retired without runs, its form on a retired service. Otto watches the laptop
# request of a run he does not see. Sponsors are requesters and HR's agent, so each viewer reads
# some analytics over runs they do not see: small groups withheld, larger ones shown.


async def seed_journeys(org: Org, seeded: Seeded) -> Seeded:
    await add_journey_catalog(org)
    journeys = Journeys(org)
    base = datetime.now(UTC) - timedelta(days=3)
    onboarding = await journeys.create_map(journeys.onboarding_spec(), now=base)
    for i in range(8):
        await _onboarding_run(org, journeys, onboarding, i, base + timedelta(hours=6 * i, minutes=1))
    await jhandle.revise_map(
        jc.ReviseJourneyMap(onboarding, journeys.onboarding_spec(description="Revised ✓")),
        uow=journeys.uow(),
        actor=org.admin,
        now=base + timedelta(days=2, hours=2),
        person_refs=person_refs,
    )
    move = await journeys.create_map(_office_move(org), now=base)
    first = await journeys.start(move, subject="Desk move", actor=org.fac_agent, sponsor=org.employee, now=base)
    await _resolve(org, (await _run_requests(org, first))["Pack"], org.fac_agent, base + timedelta(minutes=30))
    await journeys.start(move, subject='Team "North"', actor=org.admin, sponsor=org.hr_agent, now=base)
    await _welcome_day(org, journeys, base)
    await _journey_goal(org, onboarding=onboarding, move=move, start=base)
    async with org.engine.connect() as conn:
        runs = t.journey_runs
        rows = await conn.execute(select(runs.c.started_at, runs.c.id).order_by(runs.c.id))
        seeded.run_keys = [(r.started_at, r.id) for r in rows]
        maps = t.journey_maps
        seeded.map_keys = [(r.name, r.id) for r in await conn.execute(select(maps.c.name, maps.c.id))]
        await _read_goals(conn, seeded)  # with the journeys' goal
    seeded.node_ids["JourneyMap"] = [i for _, i in seeded.map_keys]
    seeded.node_ids["JourneyRun"] = [i for _, i in seeded.run_keys]
    return seeded


async def _journey_goal(org: Org, *, onboarding: int, move: int, start: datetime) -> None:
    """A goal whose key results are scoped to journey maps: onboarding's runs on time, and the
    office move's requests resolved (each viewer sees the map, or reads a null scope map)."""
    it, hr, fac = (org.departments[d] for d in ("it", "hr", "facilities"))
    key_results = (
        _kr(Metric.JOURNEY_ON_TIME_RATE, 0.8, journey_map_id=onboarding),
        _kr(Metric.REQUESTS_RESOLVED, 2, journey_map_id=move),
    )
    await goals.create_goal(
        commands.CreateSharedGoal(
            title="Journeys on time",
            period_start=start - timedelta(days=1),
            period_end=start + timedelta(days=10),
            department_ids=(it, hr, fac),
            key_results=key_results,
        ),
        uow=SqlUnitOfWork(org.engine),
        actor=org.it_manager,
        now=datetime.now(UTC),
    )


async def _welcome_day(org: Org, journeys: Journeys, now: datetime) -> None:
    """A retired map whose form is on a service HR retired since: only HR and admins see the form."""
    hr, admin = org.departments["hr"], org.admin
    service = await catalog.create_service(
        commands.CreateService(name="Welcome desk", owner_department_id=hr), uow=journeys.uow(), actor=admin, now=now
    )
    form = await catalog.create_request_type(
        commands.CreateRequestType(service_id=service, name="Welcome pack"), uow=journeys.uow(), actor=admin, now=now
    )
    lunch = StageSpec("Lunch", (TouchpointSpec("Lunch", hr), TouchpointSpec("Welcome pack", hr, form)))
    welcome = await journeys.create_map(MapSpec("Welcome day", (lunch,)), now=now)
    retire = commands.UpdateService(service_id=service, active=False)
    await catalog.update_service(retire, uow=journeys.uow(), actor=admin, now=now)
    await jhandle.retire_map(jc.RetireJourneyMap(welcome), uow=journeys.uow(), actor=admin, now=now)


def _office_move(org: Org) -> MapSpec:
    d, rt = org.departments, org.request_types
    pack = TouchpointSpec("Pack", d["facilities"], rt["workplace"], field_values={"first_day": "{startDate}"})
    reconnect = TouchpointSpec(
        "Reconnect",
        d["it"],
        rt["repair"],
        pain_points=("Dock missing", 'Cables "somewhere"'),
        field_values={"symptom": "Dock after the move", "asset_tag": f"{AGENT_ONLY} move"},
    )
    return MapSpec(
        "Office move",
        (
            StageSpec("Pack", (pack,), target_minutes=240),
            StageSpec("Reconnect", (reconnect,)),
            StageSpec("Settle", (TouchpointSpec("Settle in", d["facilities"]),), target_minutes=30),
        ),
    )


async def _onboarding_run(org: Org, journeys: Journeys, map_id: int, i: int, start: datetime) -> None:
    sponsor = (org.employee, org.employee, org.other, org.employee, org.other, org.employee, org.employee, org.hr_agent)
    run = await journeys.start(map_id, subject=f"Starter {i} ✓", sponsor=sponsor[i], now=start)
    contract = (await _run_requests(org, run))["Contract"]
    await _respond(org, contract, org.hr_agent, start + timedelta(minutes=5))
    if i == 7:
        return  # still in Paperwork
    equipment = start + timedelta(minutes=30 + 10 * i)
    await _resolve(org, contract, org.hr_agent, equipment)
    requests = await _run_requests(org, run)
    if i == 6:
        cancel = jc.CancelJourneyRun(run, reason="Start moved")
        await jhandle.cancel_run(cancel, uow=journeys.uow(), actor=org.hr_agent, now=equipment + timedelta(minutes=30))
        return
    it_first = i != 5
    laptop, workplace = requests["Laptop"], requests["Workplace"]
    await _respond(org, laptop, org.it_agent, equipment + timedelta(minutes=10 if it_first else 15))
    await _respond(org, workplace, org.fac_agent, equipment + timedelta(minutes=20 if it_first else 5))
    async with org.engine.connect() as conn:
        tasks = (await conn.execute(select(t.tasks.c.id).where(t.tasks.c.request_id == laptop))).scalars().all()
    for task in tasks:
        await handle.complete_task(
            commands.CompleteTask(task), uow=journeys.uow(), actor=org.fac_agent, now=equipment + timedelta(minutes=50)
        )
    await _resolve(org, laptop, org.it_agent, equipment + timedelta(minutes=60 + 15 * i))
    await _resolve(org, workplace, org.fac_agent, equipment + timedelta(minutes=70))
    if i == 0:  # a requester who watches a run's request, but may not see the run
        watch = commands.WatchRequest(request_id=laptop, person_id=org.other.id)
        await handle.watch_request(watch, uow=journeys.uow(), actor=org.it_agent, now=equipment + timedelta(hours=2))


async def _run_requests(org: Org, run_id: int) -> dict[str, int]:
    """The run's requests by touchpoint name."""
    link, point = t.journey_run_requests, t.journey_touchpoints
    async with org.engine.connect() as conn:
        rows = await conn.execute(
            select(point.c.name, link.c.request_id)
            .join(point, point.c.id == link.c.touchpoint_id)
            .where(link.c.run_id == run_id)
        )
        return {r.name: r.request_id for r in rows}


async def _respond(org: Org, request_id: int, agent: Any, now: datetime) -> None:
    await _move(org, request_id, RequestStatus.IN_PROGRESS, agent, now)


async def _resolve(org: Org, request_id: int, agent: Any, now: datetime) -> None:
    await _move(org, request_id, RequestStatus.RESOLVED, agent, now)


async def _move(org: Org, request_id: int, to: RequestStatus, agent: Any, now: datetime) -> None:
    version = await _version(org, request_id)
    await handle.transition_request(
        commands.TransitionRequest(request_id=request_id, to=to, expected_version=version),
        uow=SqlUnitOfWork(org.engine),
        actor=agent,
        now=now,
    )


def _kr(metric: Metric, target: float, direction: Direction | None = None, **scope: Any) -> KeyResult:
    direction = direction or (Direction.AT_MOST if metric.name.endswith(("HOURS", "BACKLOG")) else Direction.AT_LEAST)
    title = f"{metric.value.lower().replace('_', ' ')} {direction.value.lower()} {target}"
    return KeyResult(None, title, metric, direction, target, GoalScope(**scope))


async def seed_goals(org: Org, start: datetime) -> None:
    """Goals over the seeded work, for their figures: one running (IT and HR accepted, Facilities
    invited: HR's few resolved requests are a small sample to IT), one over (HR declined), one set
    by an admin (nobody accepted); every metric, scopes by department, service (one retired, which
    only HR and admins see) and form."""
    now = datetime.now(UTC)
    it, hr, fac = (org.departments[d] for d in ("it", "hr", "facilities"))
    retired = org.services["retired"]  # _catalog_and_people: HR's
    laptops = org.services["laptops"]
    running = [
        _kr(Metric.REQUESTS_RESOLVED, 3),
        _kr(Metric.P90_RESOLUTION_HOURS, 8),
        _kr(Metric.MEDIAN_RESOLUTION_HOURS, 0.5, department_ids=(hr,)),
        _kr(
            Metric.SLA_COMPLIANCE_RATE,
            0.9,
            service_ids=(laptops, retired),
            request_type_ids=(org.request_types["new_laptop"],),
        ),
        _kr(Metric.SLA_COMPLIANCE_RATE, 0.5, department_ids=(fac, it)),
        _kr(Metric.CSAT_AVERAGE, 4.2),
        _kr(Metric.OPEN_BACKLOG, 40),
        _kr(Metric.JOURNEY_ON_TIME_RATE, 0.9),
    ]
    over = [
        _kr(Metric.CSAT_AVERAGE, 4, department_ids=(hr,)),
        _kr(Metric.REQUESTS_RESOLVED, 2, Direction.AT_MOST),
        _kr(Metric.OPEN_BACKLOG, 5),
    ]
    goals_made = [
        ("Resolve within a day", start - timedelta(days=1), now + timedelta(days=4), (it, hr, fac), running),
        ('Last week\'s "quiet" goal', start - timedelta(days=1), start + timedelta(days=1), (it, hr), over),
        ("Admin's backlog", start, now + timedelta(days=30), (fac, it), [_kr(Metric.OPEN_BACKLOG, 1)]),
    ]
    made = []
    for title, begins, ends, departments, key_results in goals_made:
        actor = org.admin if title.startswith("Admin") else org.it_manager
        made.append(
            await goals.create_goal(
                commands.CreateSharedGoal(
                    title=title,
                    period_start=begins,
                    period_end=ends,
                    department_ids=departments,
                    key_results=tuple(key_results),
                ),
                uow=SqlUnitOfWork(org.engine),
                actor=actor,
                now=now,
            )
        )
    for goal_id, status in ((made[0], Participation.ACCEPTED), (made[1], Participation.DECLINED)):
        await goals.decide_participation(
            commands.DecideGoalParticipation(goal_id=goal_id, department_id=hr, status=status),
            uow=SqlUnitOfWork(org.engine),
            actor=org.hr_manager,
            now=now,
        )


async def seed_tokens(org: Org) -> None:
    """API tokens: IT's agent has an active one and a revoked one, the employee one, the admin an
    expired one."""
    now = datetime.now(UTC)
    made = {}
    for key, owner, made_at, scopes in (
        ("agent", org.it_agent, now - timedelta(days=2), {TokenScope.READ}),
        ("revoked", org.it_agent, now - timedelta(days=1), {TokenScope.READ, TokenScope.WRITE}),
        ("employee", org.employee, now - timedelta(days=1), {TokenScope.WRITE, TokenScope.EVENTS, TokenScope.READ}),
        ("expired", org.admin, now - timedelta(days=100), {TokenScope.ADMIN, TokenScope.READ}),
    ):
        made[key], _ = await api_tokens.create_token(
            commands.CreateApiToken(name=f"{key} token", scopes=frozenset(scopes)),
            uow=SqlUnitOfWork(org.engine),
            actor=owner,
            now=made_at,
            actor_scopes=None,
        )
    await api_tokens.revoke_token(
        commands.RevokeApiToken(token_id=made["revoked"]), uow=SqlUnitOfWork(org.engine), actor=org.it_agent, now=now
    )
