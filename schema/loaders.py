"""Per-request dataloaders: one class per relation (schema/<domain>/loaders.py, on the kinds in
schema.dataloader), each made on first use and kept for the rest of the call.

Each batch runs one set-based statement on its own pooled connection, so the number of
statements for a query depends on its depth, not on how many rows it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.people import Person
from schema.catalog import loaders as catalog
from schema.events import loaders as events
from schema.goals import loaders as goals
from schema.journeys.loaders import JourneyLoaders
from schema.organisation import loaders as organisation
from schema.requests import loaders as requests


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Loaders:
    """A call needs a few of these: made on first use, since making all of them (three dozen
    DataLoaders) cost more than a small mutation's own work."""

    def __init__(self, engine: AsyncEngine, viewer: Person, *, clock: Callable[[], datetime] = _utc_now):
        self.engine, self.viewer, self.clock = engine, viewer, clock

    # Organisation

    @cached_property
    def department(self) -> organisation.DepartmentById:
        return organisation.DepartmentById(self)

    @cached_property
    def person(self) -> organisation.PersonById:
        return organisation.PersonById(self)

    @cached_property
    def members(self) -> organisation.MembersByDepartment:
        return organisation.MembersByDepartment(self)

    @cached_property
    def api_token(self) -> organisation.ApiTokenById:
        return organisation.ApiTokenById(self)

    @cached_property
    def department_stats(self) -> organisation.StatsByDepartment:
        return organisation.StatsByDepartment(self)

    # Catalog

    @cached_property
    def service(self) -> catalog.ServiceById:
        return catalog.ServiceById(self)

    @cached_property
    def request_service(self) -> catalog.RequestServiceById:
        return catalog.RequestServiceById(self)

    @cached_property
    def collaborator_ids(self) -> catalog.CollaboratorIdsByService:
        return catalog.CollaboratorIdsByService(self)

    @cached_property
    def request_types_of_service(self) -> catalog.RequestTypesByService:
        return catalog.RequestTypesByService(self)

    @cached_property
    def request_type(self) -> catalog.RequestTypeById:
        return catalog.RequestTypeById(self)

    @cached_property
    def visible_request_type(self) -> catalog.VisibleRequestTypeById:
        return catalog.VisibleRequestTypeById(self)

    @cached_property
    def service_page(self) -> catalog.ServicePage:
        return catalog.ServicePage(self)

    @cached_property
    def service_count(self) -> catalog.ServiceCount:
        return catalog.ServiceCount(self)

    # Requests

    @cached_property
    def request(self) -> requests.RequestById:
        return requests.RequestById(self)

    @cached_property
    def tasks_of_request(self) -> requests.TasksByRequest:
        return requests.TasksByRequest(self)

    @cached_property
    def task(self) -> requests.TaskById:
        return requests.TaskById(self)

    @cached_property
    def watcher_ids(self) -> requests.WatcherIdsByRequest:
        return requests.WatcherIdsByRequest(self)

    @cached_property
    def comment(self) -> requests.CommentById:
        return requests.CommentById(self)

    @cached_property
    def comment_page(self) -> requests.CommentPage:
        return requests.CommentPage(self)

    @cached_property
    def comment_count(self) -> requests.CommentCount:
        return requests.CommentCount(self)

    @cached_property
    def queue_page(self) -> requests.QueuePage:
        return requests.QueuePage(self)

    @cached_property
    def queue_count(self) -> requests.QueueCount:
        return requests.QueueCount(self)

    # Events

    @cached_property
    def event(self) -> events.EventBySeq:
        return events.EventBySeq(self)

    @cached_property
    def activity_page(self) -> events.ActivityPage:
        return events.ActivityPage(self)

    @cached_property
    def activity_count(self) -> events.ActivityCount:
        return events.ActivityCount(self)

    # Shared goals; key result values are computed at the call's clock.

    @cached_property
    def goal(self) -> goals.GoalById:
        return goals.GoalById(self)

    @cached_property
    def goal_departments(self) -> goals.DepartmentsByGoal:
        return goals.DepartmentsByGoal(self)

    @cached_property
    def key_results_of_goal(self) -> goals.KeyResultsByGoal:
        return goals.KeyResultsByGoal(self)

    @cached_property
    def key_result_value(self) -> goals.KeyResultValueByKey:
        return goals.KeyResultValueByKey(self)

    # Journeys

    @cached_property
    def journeys(self) -> JourneyLoaders:
        return JourneyLoaders(self)
