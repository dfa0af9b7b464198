"""Command handlers driven through an in-memory unit of work (no database).

The fakes keep committed state in a `FakeStore`; a unit of work works on a private copy
and writes it back only on commit, so a handler that raises leaves the store untouched,
as a rolled-back transaction would. Id sequences, like PostgreSQL's, are not rolled back.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from domain import commands, ports
from domain.catalog import FieldDefinition, FieldKind, RequestType, Service, SlaPolicy, TaskTemplate
from domain.departments import Department
from domain.errors import Conflict, DomainError, Forbidden, InvalidField, NotFound, StaleVersion
from domain.events import Event
from domain.handlers import catalog, organisation
from domain.handlers import requests as handlers
from domain.people import Person, Role
from domain.requests import Comment, HandOff, Request
from domain.tasks import TaskStatus
from domain.workflow import Priority, RequestStatus
from tests.unit.example_org import (
    ADMIN,
    EMPLOYEE,
    EVERYONE,
    FAC_AGENT,
    FACILITIES,
    HR,
    HR_AGENT,
    HR_MANAGER,
    IT,
    IT_AGENT,
    IT_AGENT2,
    IT_MANAGER,
    LATER,
    NOW,
    OTHER,
    laptops,
    new_laptop,
    payroll,
)

S = RequestStatus


# -- fakes --------------------------------------------------------------------------------
@dataclass
class Tables:
    departments: dict[int, Department] = field(default_factory=dict)
    people: dict[int, Person] = field(default_factory=dict)
    services: dict[int, Service] = field(default_factory=dict)
    request_types: dict[int, RequestType] = field(default_factory=dict)
    requests: dict[int, Request] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    handoffs: list[HandOff] = field(default_factory=list)
    # (person_id, operation, key) -> [fingerprint, result_id]
    idempotency_keys: dict[tuple[int, str, str], list] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)


class FakeStore:
    """The committed state, and sequences that hand out ids outside transactions."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.sequences: dict[str, itertools.count] = {}
        self.commits = 0

    def next(self, name: str, start: int = 1000) -> int:
        return next(self.sequences.setdefault(name, itertools.count(start)))

    def snapshot(self) -> Tables:
        return copy.deepcopy(self.tables)


class FakeDepartmentRepository:
    def __init__(self, tables: Tables, store: FakeStore):
        self.tables, self.store = tables, store

    async def next_id(self) -> int:
        return self.store.next("departments")

    async def get(self, department_id: int) -> Department | None:
        return self.tables.departments.get(department_id)

    async def existing_ids(self, ids: Iterable[int]) -> set[int]:
        return {i for i in ids if i in self.tables.departments}

    async def slug_taken(self, slug: str) -> bool:
        return any(d.slug == slug for d in self.tables.departments.values())

    async def add(self, department: Department) -> None:
        self.tables.departments[department.id] = department


class FakePersonRepository:
    def __init__(self, tables: Tables, store: FakeStore):
        self.tables, self.store = tables, store

    async def next_id(self) -> int:
        return self.store.next("people")

    async def get(self, person_id: int) -> Person | None:
        return self.tables.people.get(person_id)

    async def existing_ids(self, ids: Iterable[int]) -> set[int]:
        return {i for i in ids if i in self.tables.people}

    async def email_taken(self, email: str) -> bool:
        return any(p.email == email for p in self.tables.people.values())

    async def add(self, person: Person) -> None:
        self.tables.people[person.id] = person

    async def get_for_update(self, person_id: int) -> Person | None:
        return self.tables.people.get(person_id)

    async def get_by_email(self, email: str) -> Person | None:
        return next((p for p in self.tables.people.values() if p.email == email.strip().lower()), None)

    async def save(self, person: Person) -> None:
        self.tables.people[person.id] = person

    async def count_active_admins(self, *, excluding: int | None = None) -> int:
        return sum(
            p.is_admin and p.is_active and not p.is_service_account and p.id != excluding
            for p in self.tables.people.values()
        )

    async def lock_administration(self) -> None:
        pass


class FakeServiceRepository:
    def __init__(self, tables: Tables, store: FakeStore):
        self.tables, self.store = tables, store

    async def next_id(self) -> int:
        return self.store.next("services")

    async def get(self, service_id: int, *, for_update: bool = False) -> Service | None:
        return self.tables.services.get(service_id)

    async def add(self, service: Service) -> None:
        self.tables.services[service.id] = service

    async def save(self, service: Service) -> None:
        self.tables.services[service.id] = service


class FakeRequestTypeRepository:
    def __init__(self, tables: Tables, store: FakeStore):
        self.tables, self.store = tables, store

    async def next_id(self) -> int:
        return self.store.next("request_types")

    async def get(self, request_type_id: int) -> RequestType | None:
        return self.tables.request_types.get(request_type_id)

    async def add(self, request_type: RequestType) -> None:
        self.tables.request_types[request_type.id] = request_type


class FakeRequestRepository:
    def __init__(self, tables: Tables, store: FakeStore):
        self.tables, self.store = tables, store
        self.seen: list[Request] = []

    async def next_ids(self, count: int) -> list[int]:
        return [self.store.next("requests") for _ in range(count)]

    async def next_number(self) -> int:
        return self.store.next("request_numbers", start=1001)

    async def next_comment_id(self) -> int:
        return self.store.next("comments")

    async def next_task_ids(self, count: int) -> list[int]:
        return [self.store.next("tasks") for _ in range(count)]

    async def get_for_update(self, request_id: int) -> Request | None:
        request = self.tables.requests.get(request_id)
        if request is not None:
            self.seen.append(request)
        return request

    async def request_id_of_task(self, task_id: int) -> int | None:
        return next((r.id for r in self.tables.requests.values() if any(t.id == task_id for t in r.tasks)), None)

    async def add(self, request: Request) -> None:
        self.seen.append(request)
        await self.save(request)

    async def save(self, request: Request) -> None:
        self.tables.requests[request.id] = request
        for comment in request.new_comments:
            self.tables.comments[comment.id] = comment
        self.tables.handoffs.extend(request.new_handoffs)
        request.new_comments.clear()
        request.new_handoffs.clear()


class FakeIdempotencyStore:
    def __init__(self, tables: Tables):
        self.tables = tables

    async def claim(self, *, person_id: int, operation: str, key: str, fingerprint: str) -> tuple[int, str] | None:
        row = self.tables.idempotency_keys.get((person_id, operation, key))
        if row is None:
            self.tables.idempotency_keys[(person_id, operation, key)] = [fingerprint, None]
            return None
        return row[1], row[0]

    async def record(self, *, person_id: int, operation: str, key: str, result_id: int) -> None:
        self.tables.idempotency_keys[(person_id, operation, key)][1] = result_id


class FakeJourneyRunRepository:
    """No journeys here: tests.graphql and tests.integration run them on PostgreSQL."""

    async def get_for_update_of_request(self, request_id: int) -> None:
        return None


class FakeUnitOfWork:
    def __init__(self, store: FakeStore):
        self.store = store
        self._events: list[Event] = []

    async def __aenter__(self) -> FakeUnitOfWork:
        self._tables = copy.deepcopy(self.store.tables)
        self.departments = FakeDepartmentRepository(self._tables, self.store)
        self.people = FakePersonRepository(self._tables, self.store)
        self.services = FakeServiceRepository(self._tables, self.store)
        self.request_types = FakeRequestTypeRepository(self._tables, self.store)
        self.requests = FakeRequestRepository(self._tables, self.store)
        self.idempotency = FakeIdempotencyStore(self._tables)
        self.journey_runs = FakeJourneyRunRepository()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._events.clear()  # what was not committed is rolled back

    def record(self, events: Iterable[Event]) -> None:
        self._events.extend(events)

    async def commit(self) -> None:
        for request in self.requests.seen:
            self._events.extend(request.events)
            request.events.clear()
        self._tables.events.extend(self._events)
        self._events.clear()
        self.store.tables = copy.deepcopy(self._tables)
        self.store.commits += 1


# -- the organisation in the store ----------------------------------------------------------
@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    tables = store.tables
    for department in (
        Department(IT, "IT", "it", NOW),
        Department(HR, "HR", "hr", NOW),
        Department(FACILITIES, "Facilities", "facilities", NOW),
    ):
        tables.departments[department.id] = department
    for person in EVERYONE:
        tables.people[person.id] = copy.deepcopy(person)
    for service in (laptops(), payroll()):
        tables.services[service.id] = service
    tables.request_types[20] = new_laptop()
    return store


def uow_for(store: FakeStore) -> FakeUnitOfWork:
    return FakeUnitOfWork(store)


async def person_refs(values: list[str]) -> set[str]:
    """PERSON fields name people by email here."""
    return {v for v in values if v in {p.email for p in EVERYONE}}


async def create(store, cmd=None, *, actor=EMPLOYEE, now=NOW) -> int:
    cmd = cmd or commands.CreateRequest(service_id=10, title="My laptop is slow")
    return await handlers.create_request(cmd, uow=uow_for(store), actor=actor, now=now, person_refs=person_refs)


async def laptop_request(store, *, actor=EMPLOYEE, key=None, **fields) -> int:
    values = {"model": "13-inch", **fields}
    return await create(
        store,
        commands.CreateRequest(
            service_id=10, request_type_id=20, title="New laptop", fields=values, idempotency_key=key
        ),
        actor=actor,
    )


def stored(store, request_id) -> Request:
    return store.tables.requests[request_id]


async def refused_and_nothing_written(store, error_type, code, call):
    """Run a handler call that must fail; check its code and that nothing was committed."""
    before, commits = store.snapshot(), store.commits
    with pytest.raises(error_type) as raised:
        await call()
    assert raised.value.code == code
    assert store.commits == commits
    assert store.tables == before
    return raised.value


# -- the fakes honour the ports -------------------------------------------------------------
@pytest.mark.parametrize(
    ("fake", "port"),
    [
        (FakeDepartmentRepository, ports.DepartmentRepository),
        (FakePersonRepository, ports.PersonRepository),
        (FakeServiceRepository, ports.ServiceRepository),
        (FakeRequestTypeRepository, ports.RequestTypeRepository),
        (FakeRequestRepository, ports.RequestRepository),
        (FakeIdempotencyStore, ports.IdempotencyStore),
        (FakeUnitOfWork, ports.UnitOfWork),
    ],
    ids=lambda v: v.__name__,
)
def test_each_fake_offers_every_method_of_its_port(fake, port):
    # The unit of work's repositories are read-only members (properties): data, not methods.
    wanted = {
        name
        for name, member in vars(port).items()
        if not isinstance(member, property) and (not name.startswith("_") or name in ("__aenter__", "__aexit__"))
    }
    assert (
        wanted - set(dir(fake)) - {"departments", "people", "services", "request_types", "requests", "idempotency"}
        == set()
    )


# -- departments and people -----------------------------------------------------------------
async def test_an_admin_creates_a_department():
    store = FakeStore()
    department_id = await organisation.create_department(
        commands.CreateDepartment(name="Legal Affairs"), uow=uow_for(store), actor=ADMIN, now=NOW
    )
    assert store.tables.departments[department_id] == Department(department_id, "Legal Affairs", "legal-affairs", NOW)
    assert store.tables.events == [
        Event("DepartmentCreated", NOW, ADMIN.id, {"name": "Legal Affairs"}, department_ids=(department_id,))
    ]
    assert store.commits == 1


async def test_only_admins_create_departments(store):
    await refused_and_nothing_written(
        store,
        Forbidden,
        "FORBIDDEN",
        lambda: organisation.create_department(
            commands.CreateDepartment(name="Legal"), uow=uow_for(store), actor=IT_MANAGER, now=NOW
        ),
    )


async def test_a_department_slug_is_unique(store):
    error = await refused_and_nothing_written(
        store,
        Conflict,
        "SLUG_TAKEN",
        lambda: organisation.create_department(
            commands.CreateDepartment(name="Information Technology", slug="it"),
            uow=uow_for(store),
            actor=ADMIN,
            now=NOW,
        ),
    )
    assert error.field == ("slug",)


async def test_a_bad_department_name_writes_nothing(store):
    await refused_and_nothing_written(
        store,
        DomainError,
        "INVALID_INPUT",
        lambda: organisation.create_department(
            commands.CreateDepartment(name="  "), uow=uow_for(store), actor=ADMIN, now=NOW
        ),
    )


async def test_an_admin_creates_a_person_in_a_department(store):
    person_id = await organisation.create_person(
        commands.CreatePerson(name="Jane Doe", email="Jane@Example.com", role=Role.AGENT, department_id=HR),
        uow=uow_for(store),
        actor=ADMIN,
        now=NOW,
    )
    assert store.tables.people[person_id] == Person(person_id, "Jane Doe", "jane@example.com", Role.AGENT, HR, NOW)
    assert store.tables.events == [
        Event("PersonCreated", NOW, ADMIN.id, {"name": "Jane Doe", "role": "AGENT"}, department_ids=(HR,))
    ]


async def test_a_requester_is_created_without_a_department(store):
    await organisation.create_person(
        commands.CreatePerson(name="Jo", email="jo@example.com", role=Role.REQUESTER),
        uow=uow_for(store),
        actor=ADMIN,
        now=NOW,
    )
    assert store.tables.events[-1].department_ids == ()


@pytest.mark.parametrize(
    ("cmd", "error_type", "code"),
    [
        (commands.CreatePerson(name="Jo", email="EMMA@example.com", role=Role.REQUESTER), Conflict, "EMAIL_TAKEN"),
        (
            commands.CreatePerson(name="Jo", email="jo@example.com", role=Role.AGENT, department_id=99),
            NotFound,
            "NOT_FOUND",
        ),
        (commands.CreatePerson(name="Jo", email="jo@example.com", role=Role.AGENT), DomainError, "DEPARTMENT_REQUIRED"),
        (commands.CreatePerson(name="Jo", email="not-an-email", role=Role.REQUESTER), DomainError, "INVALID_EMAIL"),
    ],
    ids=["email-taken", "unknown-department", "agent-without-department", "bad-email"],
)
async def test_a_bad_person_writes_nothing(store, cmd, error_type, code):
    await refused_and_nothing_written(
        store, error_type, code, lambda: organisation.create_person(cmd, uow=uow_for(store), actor=ADMIN, now=NOW)
    )


async def test_only_admins_create_people(store):
    await refused_and_nothing_written(
        store,
        Forbidden,
        "FORBIDDEN",
        lambda: organisation.create_person(
            commands.CreatePerson(name="Jo", email="jo@example.com", role=Role.REQUESTER),
            uow=uow_for(store),
            actor=HR_MANAGER,
            now=NOW,
        ),
    )


# -- the catalog ----------------------------------------------------------------------------
async def test_a_manager_adds_a_service_to_their_departments_catalog(store):
    service_id = await catalog.create_service(
        commands.CreateService(name="Desks", owner_department_id=FACILITIES, collaborating_department_ids=(IT,)),
        uow=uow_for(store),
        actor=ADMIN,
        now=NOW,
    )
    service = store.tables.services[service_id]
    assert (service.name, service.owner_department_id, service.collaborating_department_ids) == (
        "Desks",
        FACILITIES,
        [IT],
    )
    assert store.tables.events == [
        Event("ServiceCreated", NOW, ADMIN.id, {"serviceId": service_id, "name": "Desks"}, department_ids=(FACILITIES,))
    ]


async def test_a_manager_of_another_department_adds_no_service(store):
    await refused_and_nothing_written(
        store,
        Forbidden,
        "FORBIDDEN",
        lambda: catalog.create_service(
            commands.CreateService(name="Desks", owner_department_id=FACILITIES),
            uow=uow_for(store),
            actor=IT_MANAGER,
            now=NOW,
        ),
    )


async def test_a_service_needs_existing_departments(store):
    error = await refused_and_nothing_written(
        store,
        NotFound,
        "NOT_FOUND",
        lambda: catalog.create_service(
            commands.CreateService(name="Desks", owner_department_id=IT, collaborating_department_ids=(99,)),
            uow=uow_for(store),
            actor=IT_MANAGER,
            now=NOW,
        ),
    )
    assert error.field == ("collaboratingDepartmentIds",)


async def test_updating_a_service_saves_and_records_the_changes(store):
    await catalog.update_service(
        commands.UpdateService(service_id=10, name="Laptops & bags", active=False),
        uow=uow_for(store),
        actor=IT_MANAGER,
        now=LATER,
    )
    service = store.tables.services[10]
    assert (service.name, service.active, service.updated_at) == ("Laptops & bags", False, LATER)
    assert store.tables.events == [
        Event(
            "ServiceUpdated",
            LATER,
            IT_MANAGER.id,
            {"serviceId": 10, "changes": {"name": "Laptops & bags", "active": False}},
            department_ids=(IT,),
        )
    ]


async def test_an_update_that_changes_nothing_records_nothing(store):
    before = store.snapshot()
    await catalog.update_service(
        commands.UpdateService(service_id=10, name="Laptops"), uow=uow_for(store), actor=IT_MANAGER, now=LATER
    )
    assert store.tables == before


@pytest.mark.parametrize(
    ("cmd", "actor", "error_type", "code"),
    [
        (commands.UpdateService(service_id=99, name="X"), ADMIN, NotFound, "NOT_FOUND"),
        (commands.UpdateService(service_id=10, name="X"), HR_MANAGER, Forbidden, "FORBIDDEN"),
        (commands.UpdateService(service_id=10, name="X"), IT_AGENT, Forbidden, "FORBIDDEN"),
        (commands.UpdateService(service_id=10, collaborating_department_ids=(99,)), IT_MANAGER, NotFound, "NOT_FOUND"),
        (commands.UpdateService(service_id=10, name=" "), IT_MANAGER, DomainError, "INVALID_INPUT"),
    ],
    ids=["unknown", "other-manager", "agent", "unknown-collaborator", "blank-name"],
)
async def test_a_refused_service_update_writes_nothing(store, cmd, actor, error_type, code):
    await refused_and_nothing_written(
        store, error_type, code, lambda: catalog.update_service(cmd, uow=uow_for(store), actor=actor, now=LATER)
    )


async def test_a_manager_adds_a_request_type(store):
    type_id = await catalog.create_request_type(
        commands.CreateRequestType(
            service_id=11,
            name="Payslip question",
            fields=(FieldDefinition("month", "Month", FieldKind.DATE),),
            sla=SlaPolicy(30, 600),
            task_templates=(TaskTemplate("Check records", HR),),
        ),
        uow=uow_for(store),
        actor=HR_MANAGER,
        now=NOW,
    )
    request_type = store.tables.request_types[type_id]
    assert (request_type.service_id, request_type.name, request_type.sla) == (
        11,
        "Payslip question",
        SlaPolicy(30, 600),
    )
    assert store.tables.events[-1].type == "RequestTypeCreated"
    assert store.tables.events[-1].payload == {"requestTypeId": type_id, "serviceId": 11, "name": "Payslip question"}


@pytest.mark.parametrize(
    ("cmd", "actor", "error_type", "code"),
    [
        (commands.CreateRequestType(service_id=99, name="X"), ADMIN, NotFound, "NOT_FOUND"),
        (commands.CreateRequestType(service_id=11, name="X"), IT_MANAGER, Forbidden, "FORBIDDEN"),
        (
            commands.CreateRequestType(service_id=11, name="X", task_templates=(TaskTemplate("T", 99),)),
            HR_MANAGER,
            NotFound,
            "NOT_FOUND",
        ),
        (
            commands.CreateRequestType(service_id=11, name="X", fields=(FieldDefinition("Bad", "B", FieldKind.TEXT),)),
            HR_MANAGER,
            DomainError,
            "INVALID_FIELD_DEFINITION",
        ),
        (
            commands.CreateRequestType(service_id=11, name="X", sla=SlaPolicy(60, 10)),
            HR_MANAGER,
            DomainError,
            "INVALID_SLA",
        ),
    ],
    ids=["unknown-service", "other-manager", "unknown-task-department", "bad-field", "bad-sla"],
)
async def test_a_refused_request_type_writes_nothing(store, cmd, actor, error_type, code):
    await refused_and_nothing_written(
        store, error_type, code, lambda: catalog.create_request_type(cmd, uow=uow_for(store), actor=actor, now=NOW)
    )


# -- raising requests -----------------------------------------------------------------------
async def test_raising_a_request_stores_it_with_its_tasks_and_event(store):
    request_id = await laptop_request(store, manager="ivan@example.com", budget="1200")
    request = stored(store, request_id)
    assert (request.status, request.version, request.number, request.requester_id) == (S.NEW, 1, 1001, EMPLOYEE.id)
    assert request.fields == {"model": "13-inch", "manager": "ivan@example.com", "budget": "1200"}
    assert [(t.title, t.department_id, t.status) for t in request.tasks] == [
        ("Set up desk", FACILITIES, TaskStatus.OPEN)
    ]
    assert [(e.type, e.request_id, e.department_ids) for e in store.tables.events] == [
        ("RequestCreated", request_id, (IT, FACILITIES))
    ]
    assert request.events == []  # handed to the unit of work, not kept on the aggregate


async def test_request_numbers_count_up(store):
    first, second = await create(store), await create(store)
    assert (stored(store, first).number, stored(store, second).number) == (1001, 1002)


async def test_staff_raise_a_request_for_someone_else(store):
    request_id = await create(
        store, commands.CreateRequest(service_id=10, title="For Emma", requester_id=EMPLOYEE.id), actor=IT_AGENT
    )
    assert stored(store, request_id).requester_id == EMPLOYEE.id
    assert store.tables.events[0].actor_id == IT_AGENT.id


@pytest.mark.parametrize(
    ("cmd", "actor", "error_type", "code"),
    [
        (commands.CreateRequest(service_id=99, title="X"), EMPLOYEE, NotFound, "NOT_FOUND"),
        (commands.CreateRequest(service_id=10, request_type_id=99, title="X"), EMPLOYEE, NotFound, "NOT_FOUND"),
        (
            commands.CreateRequest(service_id=11, request_type_id=20, title="X", fields={"model": "13-inch"}),
            EMPLOYEE,
            DomainError,
            "REQUEST_TYPE_MISMATCH",
        ),
        (commands.CreateRequest(service_id=10, title="X", requester_id=99), IT_AGENT, NotFound, "NOT_FOUND"),
        (commands.CreateRequest(service_id=10, title="X", requester_id=OTHER.id), EMPLOYEE, Forbidden, "FORBIDDEN"),
        (commands.CreateRequest(service_id=10, title=" "), EMPLOYEE, DomainError, "INVALID_INPUT"),
        (
            commands.CreateRequest(service_id=10, request_type_id=20, title="X"),
            EMPLOYEE,
            InvalidField,
            "REQUIRED_FIELD",
        ),
        (
            commands.CreateRequest(
                service_id=10,
                request_type_id=20,
                title="X",
                fields={"model": "13-inch", "manager": "nobody@example.com"},
            ),
            EMPLOYEE,
            InvalidField,
            "INVALID_FIELD",
        ),
        (
            commands.CreateRequest(service_id=10, title="X", fields={"colour": "red"}),
            EMPLOYEE,
            InvalidField,
            "UNKNOWN_FIELD",
        ),
    ],
    ids=[
        "unknown-service",
        "unknown-type",
        "type-of-other-service",
        "unknown-requester",
        "for-someone-else",
        "blank-title",
        "missing-required-field",
        "unknown-person",
        "unknown-field",
    ],
)
async def test_a_refused_request_writes_nothing(store, cmd, actor, error_type, code):
    await refused_and_nothing_written(store, error_type, code, lambda: create(store, cmd, actor=actor))


async def test_an_inactive_service_is_hidden_from_requesters_and_refused_to_its_staff(store):
    store.tables.services[10].active = False
    cmd = commands.CreateRequest(service_id=10, title="X")
    await refused_and_nothing_written(store, NotFound, "NOT_FOUND", lambda: create(store, cmd, actor=EMPLOYEE))
    await refused_and_nothing_written(
        store, DomainError, "SERVICE_INACTIVE", lambda: create(store, cmd, actor=IT_AGENT)
    )


# -- idempotent retries ---------------------------------------------------------------------
async def test_a_retried_create_returns_the_first_request_and_writes_nothing(store):
    # given a request raised with a key
    first = await laptop_request(store, key="k-1")
    before, commits = store.snapshot(), store.commits
    # when the same call is retried with the same key
    again = await laptop_request(store, key="k-1")
    # then the first request's id comes back and nothing new is written
    assert again == first
    assert store.tables == before and store.commits == commits
    assert len(store.tables.requests) == 1


async def test_a_key_reused_for_a_different_call_is_refused(store):
    await laptop_request(store, key="k-1")
    error = await refused_and_nothing_written(
        store, Conflict, "IDEMPOTENCY_KEY_REUSED", lambda: laptop_request(store, key="k-1", notes="different")
    )
    assert error.field == ("idempotencyKey",)


async def test_the_same_fields_in_another_order_are_the_same_call(store):
    first = await create(
        store,
        commands.CreateRequest(
            service_id=10,
            request_type_id=20,
            title="New laptop",
            fields={"model": "13-inch", "notes": "asap"},
            idempotency_key="k-1",
        ),
    )
    again = await create(
        store,
        commands.CreateRequest(
            service_id=10,
            request_type_id=20,
            title="New laptop",
            fields={"notes": "asap", "model": "13-inch"},
            idempotency_key="k-1",
        ),
    )
    assert again == first and len(store.tables.requests) == 1


async def test_keys_belong_to_their_person(store):
    mine = await create(store, commands.CreateRequest(service_id=10, title="X", idempotency_key="k-1"))
    theirs = await create(store, commands.CreateRequest(service_id=10, title="X", idempotency_key="k-1"), actor=OTHER)
    assert mine != theirs and len(store.tables.requests) == 2


async def test_a_create_that_failed_does_not_use_up_its_key(store):
    # given a first attempt refused for a missing required field
    cmd = commands.CreateRequest(service_id=10, request_type_id=20, title="New laptop", idempotency_key="k-1")
    await refused_and_nothing_written(store, InvalidField, "REQUIRED_FIELD", lambda: create(store, cmd))
    # when retried, corrected, with the same key / then it is raised
    request_id = await laptop_request(store, key="k-1")
    assert store.tables.idempotency_keys[(EMPLOYEE.id, "requestCreate", "k-1")][1] == request_id


async def test_an_overlong_key_is_refused(store):
    await refused_and_nothing_written(
        store,
        Conflict,
        "INVALID_IDEMPOTENCY_KEY",
        lambda: create(store, commands.CreateRequest(service_id=10, title="X", idempotency_key="k" * 201)),
    )


async def test_a_retried_comment_returns_the_first_comment_and_writes_nothing(store):
    request_id = await create(store)
    cmd = commands.AddComment(request_id=request_id, body="Any news?", idempotency_key="c-1")
    first = await handlers.add_comment(cmd, uow=uow_for(store), actor=EMPLOYEE, now=NOW)
    before = store.snapshot()
    again = await handlers.add_comment(cmd, uow=uow_for(store), actor=EMPLOYEE, now=LATER)
    assert again == first
    assert store.tables == before
    assert list(store.tables.comments) == [first]


async def test_a_comment_key_reused_for_another_body_is_refused(store):
    request_id = await create(store)
    await handlers.add_comment(
        commands.AddComment(request_id=request_id, body="Any news?", idempotency_key="c-1"),
        uow=uow_for(store),
        actor=EMPLOYEE,
        now=NOW,
    )
    await refused_and_nothing_written(
        store,
        Conflict,
        "IDEMPOTENCY_KEY_REUSED",
        lambda: handlers.add_comment(
            commands.AddComment(request_id=request_id, body="Hello?", idempotency_key="c-1"),
            uow=uow_for(store),
            actor=EMPLOYEE,
            now=LATER,
        ),
    )


# -- working requests -----------------------------------------------------------------------
async def transition(store, request_id, to, *, actor=IT_AGENT, version=None, now=LATER):
    version = stored(store, request_id).version if version is None else version
    return await handlers.transition_request(
        commands.TransitionRequest(request_id, to, version), uow=uow_for(store), actor=actor, now=now
    )


async def test_a_transition_is_saved_with_its_event_and_a_new_version(store):
    request_id = await create(store)
    await transition(store, request_id, S.TRIAGED, version=1)
    request = stored(store, request_id)
    assert (request.status, request.version, request.sla.first_response_at) == (S.TRIAGED, 2, LATER)
    assert [e.type for e in store.tables.events] == ["RequestCreated", "RequestTransitioned"]


async def test_a_stale_version_writes_nothing(store):
    request_id = await create(store)
    await transition(store, request_id, S.TRIAGED)
    error = await refused_and_nothing_written(
        store, StaleVersion, "STALE_VERSION", lambda: transition(store, request_id, S.IN_PROGRESS, version=1)
    )
    assert error.field == ("expectedVersion",)


async def test_a_request_the_actor_may_not_see_is_not_found(store):
    request_id = await create(store)
    for actor in (OTHER, HR_AGENT):
        await refused_and_nothing_written(
            store, NotFound, "NOT_FOUND", lambda actor=actor: transition(store, request_id, S.CANCELLED, actor=actor)
        )


async def test_an_unknown_request_is_not_found(store):
    await refused_and_nothing_written(
        store,
        NotFound,
        "NOT_FOUND",
        lambda: handlers.transition_request(
            commands.TransitionRequest(999, S.TRIAGED, 1), uow=uow_for(store), actor=ADMIN, now=LATER
        ),
    )


async def test_resolving_with_open_tasks_writes_nothing(store):
    request_id = await laptop_request(store)
    await refused_and_nothing_written(
        store, DomainError, "TASKS_OPEN", lambda: transition(store, request_id, S.RESOLVED)
    )


async def test_updating_merges_and_checks_the_fields(store):
    # given a laptop request with notes
    request_id = await laptop_request(store, notes="asap")
    # when IT changes the model and clears the notes
    await handlers.update_request(
        commands.UpdateRequest(request_id, 1, fields={"model": "15-inch", "notes": None}, priority=Priority.HIGH),
        uow=uow_for(store),
        actor=IT_AGENT,
        now=LATER,
        person_refs=person_refs,
    )
    # then the merged, checked fields are stored and the SLA follows the type's policy at HIGH
    request = stored(store, request_id)
    assert request.fields == {"model": "15-inch"}
    assert request.version == 2
    assert request.sla.resolution_due_at == NOW + timedelta(minutes=240)
    assert store.tables.events[-1].type == "RequestUpdated"


@pytest.mark.parametrize(
    ("cmd_fields", "actor", "error_type", "code"),
    [
        ({"model": "17-inch"}, IT_AGENT, InvalidField, "INVALID_FIELD"),
        ({"model": None}, IT_AGENT, InvalidField, "REQUIRED_FIELD"),
        ({"colour": "red"}, IT_AGENT, InvalidField, "UNKNOWN_FIELD"),
        ({"model": "15-inch"}, FAC_AGENT, Forbidden, "FORBIDDEN"),
    ],
    ids=["bad-choice", "cleared-required", "unknown", "not-the-owner"],
)
async def test_a_refused_update_writes_nothing(store, cmd_fields, actor, error_type, code):
    request_id = await laptop_request(store)
    await refused_and_nothing_written(
        store,
        error_type,
        code,
        lambda: handlers.update_request(
            commands.UpdateRequest(request_id, 1, fields=cmd_fields),
            uow=uow_for(store),
            actor=actor,
            now=LATER,
            person_refs=person_refs,
        ),
    )


async def test_assigning_stores_the_assignee(store):
    request_id = await create(store)
    await handlers.assign_request(
        commands.AssignRequest(request_id, IT_AGENT2.id, 1), uow=uow_for(store), actor=IT_AGENT, now=LATER
    )
    assert stored(store, request_id).assignee_id == IT_AGENT2.id


@pytest.mark.parametrize(
    ("assignee_id", "error_type", "code"),
    [(999, NotFound, "NOT_FOUND"), (HR_AGENT.id, DomainError, "ASSIGNEE_NOT_IN_DEPARTMENT")],
)
async def test_a_refused_assignment_writes_nothing(store, assignee_id, error_type, code):
    request_id = await create(store)
    await refused_and_nothing_written(
        store,
        error_type,
        code,
        lambda: handlers.assign_request(
            commands.AssignRequest(request_id, assignee_id, 1), uow=uow_for(store), actor=IT_AGENT, now=LATER
        ),
    )


async def test_a_hand_off_is_stored_on_the_timeline(store):
    request_id = await create(store)
    await handlers.hand_off_request(
        commands.HandOffRequest(request_id, HR, "Payroll matter", 1), uow=uow_for(store), actor=IT_AGENT, now=LATER
    )
    assert stored(store, request_id).owner_department_id == HR
    assert store.tables.handoffs == [HandOff(IT, HR, "Payroll matter", IT_AGENT.id, LATER)]
    assert store.tables.events[-1].department_ids == (IT, HR)


@pytest.mark.parametrize(
    ("to", "reason", "actor", "error_type", "code"),
    [
        (99, "Why", IT_AGENT, NotFound, "NOT_FOUND"),
        (IT, "Why", IT_AGENT, DomainError, "SAME_DEPARTMENT"),
        (HR, " ", IT_AGENT, DomainError, "INVALID_INPUT"),
        (HR, "Why", EMPLOYEE, Forbidden, "FORBIDDEN"),
    ],
    ids=["unknown-department", "same-department", "no-reason", "requester"],
)
async def test_a_refused_hand_off_writes_nothing(store, to, reason, actor, error_type, code):
    request_id = await create(store)
    await refused_and_nothing_written(
        store,
        error_type,
        code,
        lambda: handlers.hand_off_request(
            commands.HandOffRequest(request_id, to, reason, 1), uow=uow_for(store), actor=actor, now=LATER
        ),
    )


async def test_the_requester_rates_a_resolved_request(store):
    request_id = await create(store)
    await transition(store, request_id, S.RESOLVED)
    await handlers.rate_request(
        commands.RateRequest(request_id, 5, "Great"), uow=uow_for(store), actor=EMPLOYEE, now=LATER
    )
    assert stored(store, request_id).satisfaction.score == 5


async def test_rating_an_open_request_writes_nothing(store):
    request_id = await create(store)
    await refused_and_nothing_written(
        store,
        DomainError,
        "NOT_RESOLVED",
        lambda: handlers.rate_request(
            commands.RateRequest(request_id, 5), uow=uow_for(store), actor=EMPLOYEE, now=LATER
        ),
    )


async def test_watching_stores_the_watcher_and_watchers_then_see_the_request(store):
    request_id = await create(store)
    await handlers.watch_request(
        commands.WatchRequest(request_id, person_id=OTHER.id), uow=uow_for(store), actor=IT_AGENT, now=LATER
    )
    assert stored(store, request_id).watcher_ids == {OTHER.id}
    # Otto can now reach the request, and stop watching it himself
    await handlers.watch_request(
        commands.WatchRequest(request_id, watching=False), uow=uow_for(store), actor=OTHER, now=LATER
    )
    assert stored(store, request_id).watcher_ids == set()


async def test_watching_an_unknown_person_writes_nothing(store):
    request_id = await create(store)
    await refused_and_nothing_written(
        store,
        NotFound,
        "NOT_FOUND",
        lambda: handlers.watch_request(
            commands.WatchRequest(request_id, person_id=999), uow=uow_for(store), actor=IT_AGENT, now=LATER
        ),
    )


async def test_a_comment_is_stored_and_the_requesters_reply_resumes_work(store):
    # given a request waiting on its requester
    request_id = await create(store)
    await transition(store, request_id, S.WAITING_ON_REQUESTER, now=NOW)
    # when the requester replies
    comment_id = await handlers.add_comment(
        commands.AddComment(request_id, "Serial: 12345"), uow=uow_for(store), actor=EMPLOYEE, now=LATER
    )
    # then the comment is stored and the request is back in progress
    assert store.tables.comments[comment_id].body == "Serial: 12345"
    assert stored(store, request_id).status is S.IN_PROGRESS
    assert [e.type for e in store.tables.events][-2:] == ["CommentAdded", "RequestTransitioned"]


async def test_an_internal_note_by_the_requester_writes_nothing(store):
    request_id = await create(store)
    await refused_and_nothing_written(
        store,
        Forbidden,
        "FORBIDDEN",
        lambda: handlers.add_comment(
            commands.AddComment(request_id, "psst", internal=True), uow=uow_for(store), actor=EMPLOYEE, now=LATER
        ),
    )


async def test_a_comment_on_a_request_the_actor_cannot_see_writes_nothing(store):
    request_id = await create(store)
    error = await refused_and_nothing_written(
        store,
        NotFound,
        "NOT_FOUND",
        lambda: handlers.add_comment(
            commands.AddComment(request_id, "Hi", idempotency_key="c-1"), uow=uow_for(store), actor=OTHER, now=LATER
        ),
    )
    assert error.field == ("requestId",)


async def test_adding_and_completing_tasks(store):
    # given a laptop request (desk task for Facilities) waiting on departments
    request_id = await laptop_request(store)
    await transition(store, request_id, S.TRIAGED)
    task_id = await handlers.add_task(
        commands.AddTask(request_id, "Prepare contract", HR, assignee_id=HR_AGENT.id, expected_version=2),
        uow=uow_for(store),
        actor=IT_AGENT,
        now=LATER,
    )
    await transition(store, request_id, S.WAITING_ON_DEPARTMENT)
    desk_task_id = stored(store, request_id).tasks[0].id
    # when both departments complete their tasks
    assert (
        await handlers.complete_task(
            commands.CompleteTask(desk_task_id), uow=uow_for(store), actor=FAC_AGENT, now=LATER
        )
        == desk_task_id
    )
    await handlers.complete_task(commands.CompleteTask(task_id), uow=uow_for(store), actor=HR_AGENT, now=LATER)
    # then the tasks are done and work resumed
    request = stored(store, request_id)
    assert [t.status for t in request.tasks] == [TaskStatus.DONE, TaskStatus.DONE]
    assert request.status is S.IN_PROGRESS


@pytest.mark.parametrize(
    ("cmd", "error_type", "code"),
    [
        (commands.AddTask(0, "Contract", 99), NotFound, "NOT_FOUND"),
        (commands.AddTask(0, "Contract", HR, assignee_id=999), NotFound, "NOT_FOUND"),
        (commands.AddTask(0, "Contract", HR, assignee_id=IT_AGENT.id), DomainError, "ASSIGNEE_NOT_IN_DEPARTMENT"),
        (commands.AddTask(0, "Contract", HR, expected_version=7), StaleVersion, "STALE_VERSION"),
        (commands.AddTask(0, " ", HR), DomainError, "INVALID_INPUT"),
    ],
    ids=["unknown-department", "unknown-assignee", "assignee-elsewhere", "stale", "blank-title"],
)
async def test_a_refused_task_writes_nothing(store, cmd, error_type, code):
    request_id = await create(store)
    cmd = commands.AddTask(request_id, cmd.title, cmd.department_id, cmd.assignee_id, cmd.expected_version)
    await refused_and_nothing_written(
        store, error_type, code, lambda: handlers.add_task(cmd, uow=uow_for(store), actor=IT_AGENT, now=LATER)
    )


@pytest.mark.parametrize(
    ("actor", "error_type", "code"),
    [(IT_AGENT, Forbidden, "FORBIDDEN"), (HR_AGENT, NotFound, "NOT_FOUND"), (OTHER, NotFound, "NOT_FOUND")],
    ids=lambda v: getattr(v, "name", None),
)
async def test_completing_a_task_outside_its_department_writes_nothing(store, actor, error_type, code):
    request_id = await laptop_request(store)
    task_id = stored(store, request_id).tasks[0].id
    await refused_and_nothing_written(
        store,
        error_type,
        code,
        lambda: handlers.complete_task(commands.CompleteTask(task_id), uow=uow_for(store), actor=actor, now=LATER),
    )


async def test_completing_an_unknown_task_writes_nothing(store):
    await refused_and_nothing_written(
        store,
        NotFound,
        "NOT_FOUND",
        lambda: handlers.complete_task(commands.CompleteTask(999), uow=uow_for(store), actor=ADMIN, now=LATER),
    )


async def test_every_handler_commits_its_aggregates_events_exactly_once(store):
    # given a request / when several commands run
    request_id = await create(store)
    await transition(store, request_id, S.TRIAGED)
    await handlers.assign_request(
        commands.AssignRequest(request_id, IT_AGENT.id, 2), uow=uow_for(store), actor=IT_AGENT, now=LATER
    )
    # then each command committed once, its events stored once, and versions stepped once each
    assert store.commits == 3
    assert [e.type for e in store.tables.events] == ["RequestCreated", "RequestTransitioned", "RequestAssigned"]
    assert stored(store, request_id).version == 3
