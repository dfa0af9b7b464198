"""Event summaries rendered in SQL (schema.compiled.summaries) are the text summarise() gives,
for every template and the payloads the domain writes: missing keys, nulls, booleans, numbers,
texts needing escapes, empty and non-empty lists and objects."""

from __future__ import annotations

import json

from sqlalchemy import Integer, Text, column, select, values
from sqlalchemy.dialects.postgresql import JSONB

from schema.compiled.summaries import summary_text
from schema.events.summaries import TEMPLATES, summarise

SCALARS = [None, "", 'Ünïcödé "q" \\ ✓', "IN_PROGRESS", 0, 7, 2.5, -3, True, False]
# Keys the templates read as a list or an object, with what the domain writes there (and null).
SHAPED = {
    "changes": [None, {}, {"priority": {"from": "LOW"}, "description": "x", "Ärger": 1, "a": 2}],
    "changed": [None, [], ["title", "priority"]],
    "requestIds": [None, 0, [], [3, 4]],
    "position": [None, 0, 2],
    "minutes": [None, 0, 12, 2.5],
}
KEYS = sorted(
    {
        "number",
        "title",
        "from",
        "to",
        "reason",
        "assigneeId",
        "score",
        "excerpt",
        "name",
        "role",
        "version",
        "map",
        "subject",
        "stage",
    }
)


def payloads() -> list[dict]:
    """No keys; each key with each value; then the values shifted across the keys."""
    made: list[dict] = [{}]
    for shift, value in enumerate(SCALARS):
        shaped = {k: options[shift % len(options)] for k, options in SHAPED.items()}
        made.append({k: value for k in KEYS} | shaped)
        made.append({k: SCALARS[(shift + i) % len(SCALARS)] for i, k in enumerate(KEYS)} | shaped)
    return made


def python_summary(event_type: str, payload: dict) -> str | None:
    try:
        return summarise(event_type, payload)
    except TypeError:
        return None  # the domain never writes such a payload (e.g. `changes: 7`)


async def test_sql_summaries_match_python(engine):
    # given every template (and an unknown type) and varied payloads, as rows (a constant would
    # be folded by the planner, unlike the event log's columns)
    cases = [
        (name, p) for name in [*TEMPLATES, "SomethingNew"] for p in payloads() if python_summary(name, p) is not None
    ]
    rows = values(column("n", Integer), column("type", Text), column("payload", JSONB), name="events").data(
        [(n, name, p) for n, (name, p) in enumerate(cases)]
    )
    # when PostgreSQL renders them
    async with engine.connect() as conn:
        got = (await conn.execute(select(rows.c.n, summary_text(rows.c.type, rows.c.payload)))).all()
    # then each is the text summarise() gives
    assert len(got) == len(cases) > len(TEMPLATES) * 10
    for n, text in got:
        assert text == python_summary(*cases[n]), (cases[n][0], json.dumps(cases[n][1]))
