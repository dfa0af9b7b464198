"""Departments and people, one dataloader per relation (schema.dataloader)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from db.read import api_tokens, organisation, stats
from db.read.stats import DepartmentStats
from schema.dataloader import ById, Grouped, Row
from schema.organisation.stats import day_start


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
    """Wallboard figures at the call's clock; "today" starts at midnight UTC."""

    async def fetch(self, conn: AsyncConnection, keys: Sequence[int]) -> Mapping[int, DepartmentStats]:
        today = day_start(self.clock())
        return await stats.stats_by_department(conn, self.viewer, keys, day_start=today)
