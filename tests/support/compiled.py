"""Running one operation through both read paths, as a viewer, and encoding each as the HTTP view does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.http import process_result

from api.graphql_app import response_json
from domain.people import Person
from schema.compiled.extension import RawJson
from schema.context import Context, utc_now
from tests.support.api import FAST_SCHEMA


@dataclass
class Answer:
    body: str
    compiled: bool


async def answer(
    engine: AsyncEngine,
    query: str,
    viewer: Person | None,
    variables: dict[str, Any] | None = None,
    *,
    compiled: bool,
    operation_name: str | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Answer:
    context = Context(engine=engine, viewer=viewer, compiled_reads=compiled, clock=clock)
    result = await FAST_SCHEMA.execute(
        query, variable_values=variables, context_value=context, operation_name=operation_name
    )
    return Answer(body=response_json(process_result(result)), compiled=isinstance(result.data, RawJson))


async def both(
    engine: AsyncEngine,
    query: str,
    viewer: Person | None,
    variables: dict[str, Any] | None = None,
    *,
    operation_name: str | None = None,
    at: datetime | None = None,
) -> tuple[Answer, Answer]:
    """(normal, compiled) answers to the same operation; `at`: the clock both are read at (figures
    in minutes from it, such as a department's oldest open request, then agree)."""
    clock = utc_now if at is None else (lambda: at)
    normal = await answer(engine, query, viewer, variables, compiled=False, operation_name=operation_name, clock=clock)
    fast = await answer(engine, query, viewer, variables, compiled=True, operation_name=operation_name, clock=clock)
    return normal, fast
