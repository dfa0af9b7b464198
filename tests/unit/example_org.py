"""A small example organisation for domain unit tests: plain objects, no storage.

IT owns the Laptops service (Facilities collaborates); HR owns Payroll. The New laptop
request type fans a desk task out to Facilities.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.catalog import FieldDefinition, FieldKind, RequestType, Service, SlaPolicy, TaskTemplate
from domain.opening import open_request
from domain.people import Person, Role
from domain.requests import Request
from domain.workflow import Priority, RequestStatus

NOW = datetime(2024, 12, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)

IT, HR, FACILITIES = 1, 2, 3

ADMIN = Person(1, "Ada Admin", "ada@example.com", Role.ADMIN, None)
IT_AGENT = Person(2, "Ian Agent", "ian@example.com", Role.AGENT, IT)
IT_AGENT2 = Person(3, "Iris Agent", "iris@example.com", Role.AGENT, IT)
IT_MANAGER = Person(4, "Ivan Manager", "ivan@example.com", Role.MANAGER, IT)
HR_AGENT = Person(5, "Hana Agent", "hana@example.com", Role.AGENT, HR)
HR_MANAGER = Person(6, "Hugo Manager", "hugo@example.com", Role.MANAGER, HR)
FAC_AGENT = Person(7, "Fay Agent", "fay@example.com", Role.AGENT, FACILITIES)
EMPLOYEE = Person(8, "Emma Employee", "emma@example.com", Role.REQUESTER, None)
OTHER = Person(9, "Otto Other", "otto@example.com", Role.REQUESTER, None)

EVERYONE = (ADMIN, IT_AGENT, IT_AGENT2, IT_MANAGER, HR_AGENT, HR_MANAGER, FAC_AGENT, EMPLOYEE, OTHER)

LAPTOP_SLA = SlaPolicy(response_minutes=60, resolution_minutes=480)


def laptops() -> Service:
    return Service(
        id=10,
        name="Laptops",
        description="Laptops and accessories",
        owner_department_id=IT,
        collaborating_department_ids=[FACILITIES],
        created_at=NOW,
        updated_at=NOW,
    )


def payroll() -> Service:
    return Service(
        id=11, name="Payroll questions", description="", owner_department_id=HR, created_at=NOW, updated_at=NOW
    )


def new_laptop() -> RequestType:
    return RequestType(
        id=20,
        service_id=10,
        name="New laptop",
        fields=[
            FieldDefinition("model", "Model", FieldKind.CHOICE, required=True, options=("13-inch", "15-inch")),
            FieldDefinition("needed_by", "Needed by", FieldKind.DATE),
            FieldDefinition("budget", "Budget", FieldKind.NUMBER),
            FieldDefinition("manager", "Manager", FieldKind.PERSON),
            FieldDefinition("notes", "Notes", FieldKind.TEXT),
        ],
        sla=LAPTOP_SLA,
        task_templates=[TaskTemplate("Set up desk", FACILITIES)],
        created_at=NOW,
    )


def a_request(
    *,
    requester: Person = EMPLOYEE,
    request_type: RequestType | None = None,
    priority: Priority = Priority.MEDIUM,
    with_desk_task: bool = False,
    status: RequestStatus = RequestStatus.NEW,
) -> Request:
    """A request on Laptops raised by `requester` at NOW, brought to `status` by the IT agent
    through legal moves; its events are cleared so tests see only what they cause."""
    if with_desk_task and request_type is None:
        request_type = new_laptop()
    request = open_request(
        id=100,
        number=1001,
        actor=requester,
        requester=requester,
        service=laptops(),
        request_type=request_type,
        title="My laptop is slow",
        description="It takes ages to boot.",
        priority=priority,
        fields={},
        task_ids=[500 + i for i in range(len(request_type.task_templates))] if request_type else [],
        now=NOW,
    )
    for step in PATH_TO[status]:
        if step is RequestStatus.WAITING_ON_DEPARTMENT and not request.open_tasks:
            # Waiting on a department means waiting on its task.
            request.add_task(
                IT_AGENT, task_id=900, title="Check the dock", department_id=FACILITIES, assignee=None, now=NOW
            )
        if step is RequestStatus.RESOLVED:
            for task in request.open_tasks:
                request.complete_task(ADMIN, task.id, now=NOW)
        request.transition(IT_AGENT, step, now=NOW)
    request.events.clear()
    return request


S = RequestStatus
# Legal ways from NEW to each status, used to put a request in a given state.
PATH_TO: dict[RequestStatus, tuple[RequestStatus, ...]] = {
    S.NEW: (),
    S.TRIAGED: (S.TRIAGED,),
    S.IN_PROGRESS: (S.IN_PROGRESS,),
    S.WAITING_ON_REQUESTER: (S.WAITING_ON_REQUESTER,),
    S.WAITING_ON_DEPARTMENT: (S.TRIAGED, S.WAITING_ON_DEPARTMENT),
    S.RESOLVED: (S.RESOLVED,),
    S.CLOSED: (S.RESOLVED, S.CLOSED),
    S.CANCELLED: (S.CANCELLED,),
}
