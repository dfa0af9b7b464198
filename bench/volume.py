"""A year of history for the benchmark: the demo's requests cloned in bulk, in memory.

Each synthetic request is a copy of one demo request — its row, tasks, watchers, hand-offs,
comments and events — moved back in time. The demo was played through the real handlers,
so every copy keeps the domain's invariants (versions match events, SLA dates match the
policy, resolved requests have no open tasks) without this module re-implementing the
rules. Extra comments on top bring the comment count to the target. Nothing here touches
the database: `bench.data` reads the templates and writes the rows.
"""
from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from api.demo import phrases

Row = dict[str, Any]

# Columns moved back in time with their request, per table.
TIMESTAMPS = {
    "requests": ("created_at", "updated_at", "resolved_at", "closed_at", "first_response_at", "response_due_at",
                 "resolution_due_at", "sla_paused_at", "rated_at"),
    "tasks": ("created_at", "completed_at"),
    "watchers": (),
    "comments": ("created_at",),
    "handoffs": ("at",),
    "events": ("occurred_at",),
}
# Requests still being worked (or resolved within the reopen window) stay recent; the rest
# of the history spreads over a year. This share of copies is recent, as in a real backlog.
RECENT = {"NEW", "TRIAGED", "IN_PROGRESS", "WAITING_ON_REQUESTER", "WAITING_ON_DEPARTMENT", "RESOLVED"}
RECENT_SHARE = 0.12
HISTORY = timedelta(days=365)
EXTRA_COMMENT_BODIES = phrases.PROGRESS + phrases.QUESTION + phrases.REPLY


@dataclass
class Templates:
    """The demo's requests and everything hanging off them, by template request id."""

    requests: list[Row]
    children: dict[str, dict[int, list[Row]]]  # table -> request id -> rows
    agents_by_department: dict[int, list[int]]


@dataclass
class Volume:
    """Rows to write, table by table, with explicit ids (sequences are moved past them after)."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in TIMESTAMPS})


@dataclass
class FirstIds:
    request: int
    task: int
    comment: int
    handoff: int
    event: int
    number: int


def build_volume(templates: Templates, *, requests: int, comments: int, first: FirstIds, now: datetime,
                 rng: random.Random) -> Volume:
    volume = Volume()
    copies = _plan(templates, count=requests, now=now, rng=rng)
    task_ids = itertools.count(first.task)
    for offset, (template, delta) in enumerate(copies):
        _clone(template, templates, volume, delta=delta, request_id=first.request + offset,
               number=first.number + offset, task_ids=task_ids)
    for i, row in enumerate(volume.rows["handoffs"]):
        row["id"] = first.handoff + i
    _add_extra_comments(volume, templates, target=comments, rng=rng)
    _number_in_time_order(volume.rows["comments"], "created_at", "id", first.comment)
    _number_in_time_order(volume.rows["events"], "occurred_at", "seq", first.event)
    for event in volume.rows["events"]:
        _finish_payload(event)
    return volume


def _plan(templates: Templates, *, count: int, now: datetime, rng: random.Random) -> list[tuple[Row, timedelta]]:
    """(template, how far back to move it) per copy, oldest first so ids and numbers follow time."""
    recent = [r for r in templates.requests if r["status"] in RECENT]
    settled = [r for r in templates.requests if r["status"] not in RECENT]
    plan = []
    for _ in range(count):
        if rng.random() < RECENT_SHARE or not settled:
            template = rng.choice(recent)
            delta = timedelta(hours=rng.uniform(0, 48))
        else:
            template = rng.choice(settled)
            span = template["last_activity"] - template["created_at"]
            latest_start = now - span  # the copy's last event must not be in the future
            start = latest_start - (HISTORY - span) * rng.random()
            delta = template["created_at"] - start
        plan.append((template, delta))
    plan.sort(key=lambda item: item[0]["created_at"] - item[1])
    return plan


def _shifted(row: Row, table: str, delta: timedelta) -> Row:
    copy = dict(row)
    for column in TIMESTAMPS[table]:
        if copy[column] is not None:
            copy[column] -= delta
    return copy


def _clone(template: Row, templates: Templates, volume: Volume, *, delta: timedelta, request_id: int,
           number: int, task_ids: Iterator[int]) -> None:
    out, children = volume.rows, templates.children
    request = _shifted(template, "requests", delta)
    request.update(id=request_id, number=number)
    out["requests"].append(request)
    new_task_ids = {}
    for task in children["tasks"].get(template["id"], []):
        new_task_ids[task["id"]] = next(task_ids)
        out["tasks"].append({**_shifted(task, "tasks", delta), "id": new_task_ids[task["id"]],
                             "request_id": request_id})
    for table in ("watchers", "handoffs"):
        out[table] += [{**_shifted(row, table, delta), "request_id": request_id}
                       for row in children[table].get(template["id"], [])]
    new_comments = {}
    for comment in children["comments"].get(template["id"], []):
        new_comments[comment["id"]] = {**_shifted(comment, "comments", delta), "request_id": request_id}
        out["comments"].append(new_comments[comment["id"]])
    for event in children["events"].get(template["id"], []):
        payload = json.loads(event["payload"])
        if "number" in payload:
            payload["number"] = number
        if "taskId" in payload:
            payload["taskId"] = new_task_ids.get(payload["taskId"], payload["taskId"])
        copy = {**_shifted(event, "events", delta), "request_id": request_id, "payload": payload}
        # The comment's id is known only once all comments are numbered in time order.
        copy["_comment"] = new_comments.get(payload.get("commentId"))
        out["events"].append(copy)


def _add_extra_comments(volume: Volume, templates: Templates, *, target: int, rng: random.Random) -> None:
    """Comments (and their CommentAdded events) on random copies, written while they were open."""
    requests = volume.rows["requests"]
    departments_of = {e["request_id"]: e["department_ids"] for e in volume.rows["events"]}
    for _ in range(max(0, target - len(volume.rows["comments"]))):
        request = rng.choice(requests)
        agents = templates.agents_by_department.get(request["owner_department_id"]) or []
        by_agent = bool(agents) and rng.random() < 0.6
        author = rng.choice(agents) if by_agent else request["requester_id"]
        internal = by_agent and rng.random() < 0.3
        end = min(t for t in (request["closed_at"], request["updated_at"]) if t is not None)
        at = request["created_at"] + (end - request["created_at"]) * rng.random()
        comment = {"request_id": request["id"], "author_id": author, "body": rng.choice(EXTRA_COMMENT_BODIES),
                   "internal": internal, "created_at": at}
        volume.rows["comments"].append(comment)
        volume.rows["events"].append({
            "type": "CommentAdded", "occurred_at": at, "actor_id": author, "request_id": request["id"],
            "journey_run_id": None, "department_ids": departments_of.get(request["id"], []),
            "internal": internal, "payload": {"excerpt": comment["body"][:140]}, "_comment": comment})


def _number_in_time_order(rows: list[Row], time_column: str, id_column: str, first_id: int) -> None:
    rows.sort(key=lambda row: row[time_column])
    for i, row in enumerate(rows):
        row[id_column] = first_id + i


def _finish_payload(event: Row) -> None:
    comment = event.pop("_comment", None)
    if comment is not None:
        event["payload"]["commentId"] = comment["id"]
    event["payload"] = json.dumps(event["payload"])
