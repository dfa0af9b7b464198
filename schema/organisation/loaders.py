"""Departments and people, one dataloader per relation (schema.dataloader)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from db.read import api_tokens, organisation, stats
from db.read.stats import DepartmentStats
from schema.dataloader import ById, Grouped, Row


class DepartmentById(ById[int, Row]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await organisation.departments_by_ids(conn, keys)


class PersonById(ById[int, Row]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await organisation.people_by_ids(conn, keys)


class MembersByDepartment(Grouped[int, list[Row]]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, list[Row]]:
        return await organisation.members_by_department(conn, keys)


class ApiTokenById(ById[int, Row]):
    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, Row]:
        return await api_tokens.tokens_by_ids(conn, self.viewer, keys)


class StatsByDepartment(Grouped[int, DepartmentStats]):
    """Wallboard figures; "today" starts at midnight UTC."""

    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, DepartmentStats]:
        day_start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return await stats.stats_by_department(conn, self.viewer, keys, day_start=day_start)
