"""Every field the compiled read path covers, gathered at import from the tables declared beside
the strawberry types and resolvers (`COMPILED` in each module below; see schema.compiled.sql).

`SUPPORTED` is what the planner compiles, what the statement builder encodes (through each planned
field's `FieldSql`) and what the differential test generates queries from: one source. A field
missing here falls back to normal execution; tests/compiled/test_field_sources.py checks the
tables against the schema and lists every field of the read schema that falls back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from schema import nodes
from schema.catalog import queries as catalog_queries
from schema.catalog import types as catalog
from schema.compiled.sql import FieldSql, TypeSql
from schema.events import types as events
from schema.goals import queries as goal_queries
from schema.goals import types as goals
from schema.journeys import analytics as journey_analytics
from schema.journeys import queries as journey_queries
from schema.journeys import types as journeys
from schema.organisation import queries as organisation_queries
from schema.organisation import types as organisation
from schema.requests import queries as request_queries
from schema.requests import types as requests
from schema.tokens import queries as token_queries
from schema.tokens import types as tokens

DECLARED: tuple[TypeSql, ...] = (
    *request_queries.COMPILED,
    *catalog_queries.COMPILED,
    *goal_queries.COMPILED,
    *token_queries.COMPILED,
    *organisation_queries.COMPILED,
    *nodes.COMPILED,
    *requests.COMPILED,
    *catalog.COMPILED,
    *organisation.COMPILED,
    *events.COMPILED,
    *journey_queries.COMPILED,
    *journeys.COMPILED,
    *journey_analytics.COMPILED,
    *goals.COMPILED,
    *tokens.COMPILED,
)


def gather(declared: Iterable[TypeSql]) -> dict[str, TypeSql]:
    """One table per type: the declared ones merged by type (root fields are declared beside their
    resolvers, in several modules), then the types their fields bring (connections). A field
    declared twice is an error."""
    fields: dict[str, dict[str, FieldSql]] = {}
    rows = {}
    for table in declared:
        merged = fields.setdefault(table.name, {})
        for name, field in table.fields.items():
            if name in merged:
                raise ValueError(f"{table.name}.{name} has SQL in two places")
            merged[name] = field
        if table.rows is not None:
            rows[table.name] = table.rows
    types = {name: TypeSql(name, merged, rows.get(name)) for name, merged in fields.items()}
    for table in list(types.values()):
        for field in table.fields.values():
            for brought in field.brings:
                types.setdefault(brought.name, brought)
    return types


TYPES: dict[str, TypeSql] = gather(DECLARED)
# Per object type, its compiled fields by name (what the planner looks up).
SUPPORTED: dict[str, Mapping[str, FieldSql]] = {name: table.fields for name, table in TYPES.items()}
