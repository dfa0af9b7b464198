"""What the demo catalog offers: services, their forms, SLAs and the work they fan out.

Titles and descriptions are what requesters type; `{key}` takes the value of a
required field of the same form.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.demo.field_values import (
    DemoField,
    a_colleague,
    a_manager,
    code,
    days_after,
    days_ago,
    days_ahead,
    field,
    money,
    month_start,
    one_of,
    the_requester,
    whole_number,
)
from domain.catalog import FieldKind, SlaPolicy

TEXT, NUMBER, DATE, CHOICE, PERSON = (
    FieldKind.TEXT,
    FieldKind.NUMBER,
    FieldKind.DATE,
    FieldKind.CHOICE,
    FieldKind.PERSON,
)


@dataclass(frozen=True)
class TaskSpec:
    title: str
    department: str  # a key of organisation.DEPARTMENTS


@dataclass(frozen=True)
class HandOffSpec:
    department: str
    reason: str


@dataclass(frozen=True)
class TypeSpec:
    name: str
    fields: tuple[DemoField, ...]
    sla: SlaPolicy | None
    titles: tuple[str, ...]
    descriptions: tuple[str, ...]
    tasks: tuple[TaskSpec, ...] = ()
    weight: int = 10  # relative number of requests of this type


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    owner: str
    description: str
    types: tuple[TypeSpec, ...]
    collaborators: tuple[str, ...] = ()
    # Where misrouted requests on this service usually belong, and what the agent says.
    handoff: HandOffSpec | None = None
    # Cross-department work agents add to some requests along the way.
    extra_task: TaskSpec | None = None


def sla(response_hours: float, resolution_hours: float) -> SlaPolicy:
    return SlaPolicy(response_minutes=int(response_hours * 60), resolution_minutes=int(resolution_hours * 60))


def JOURNEY_ONLY(kind: TypeSpec) -> TypeSpec:  # noqa: N802 - reads as a label on the spec
    """A form only journeys open (api.demo.journeys): no request story draws it."""
    return TypeSpec(kind.name, kind.fields, kind.sla, kind.titles, kind.descriptions, kind.tasks, weight=0)


LAPTOP_MODELS = ("14-inch standard", "16-inch performance", "MacBook Air", "MacBook Pro")

IT_SERVICES = (
    ServiceSpec(
        "Laptops & hardware",
        "it",
        "New and replacement laptops, monitors, docks and peripherals.",
        collaborators=("finance", "facilities"),
        extra_task=TaskSpec("Collect the old device from the desk", "facilities"),
        types=(
            TypeSpec(
                "New laptop",
                (
                    field("model", "Model", CHOICE, required=True, options=LAPTOP_MODELS),
                    field("needed_by", "Needed by", DATE, required=True, sample=days_ahead(5, 30)),
                    field("cost_centre", "Cost centre", TEXT, sample=code("CC-", 3)),
                    field("budget", "Budget (EUR)", NUMBER, sample=whole_number(900, 2800)),
                    field("approver", "Approving manager", PERSON, required=True, sample=a_manager),
                ),
                sla(4, 72),
                weight=12,
                titles=(
                    "New laptop: {model}",
                    "Replacement laptop needed by {needed_by}",
                    "{model} for the new role",
                    "Laptop refresh ({model})",
                ),
                descriptions=(
                    "My current laptop is four years old and struggles with video calls.",
                    "Starting on a new project that needs more memory. {model} would do.",
                    "Battery lasts under an hour now; asking for a replacement.",
                ),
                tasks=(TaskSpec("Approve hardware spend", "finance"),),
            ),
            TypeSpec(
                "Broken hardware",
                (
                    field(
                        "device",
                        "Device",
                        CHOICE,
                        required=True,
                        options=("Laptop", "Monitor", "Docking station", "Keyboard / mouse", "Headset"),
                    ),
                    field("asset_tag", "Asset tag", TEXT, required=True, sample=code("AST-", 5)),
                    field("since", "Broken since", DATE, sample=days_ago(0, 4)),
                ),
                sla(1, 24),
                weight=14,
                titles=("{device} not working", "{device} {asset_tag} is broken", "Faulty {device}"),
                descriptions=(
                    "It stopped working this morning, no lights at all.",
                    "Flickers every few minutes, then goes black.",
                    "Dropped it in the meeting room; the hinge cracked.",
                ),
            ),
            JOURNEY_ONLY(
                TypeSpec(
                    "Workstation setup",
                    (
                        field("to_desk", "Desk", TEXT, required=True),
                        field("move_date", "On", DATE, required=True),
                    ),
                    sla(4, 24),
                    titles=(),
                    descriptions=(),
                )
            ),
        ),
    ),
    ServiceSpec(
        "Software access",
        "it",
        "Licences and access to business applications.",
        collaborators=("finance",),
        types=(
            TypeSpec(
                "Software licence",
                (
                    field(
                        "application",
                        "Application",
                        CHOICE,
                        required=True,
                        options=("Adobe Creative Cloud", "Figma", "JetBrains IDE", "Tableau", "Salesforce", "Visio"),
                    ),
                    field("licences", "Number of licences", NUMBER, required=True, sample=whole_number(1, 5)),
                    field(
                        "business_reason",
                        "Business reason",
                        TEXT,
                        required=True,
                        sample=one_of(
                            "Client deliverable next month",
                            "Replacing a trial that expired",
                            "New team member needs the same tools",
                            "Quarterly reporting",
                        ),
                    ),
                    field("line_manager", "Line manager", PERSON, required=True, sample=a_manager),
                ),
                sla(4, 48),
                weight=12,
                titles=("Access to {application}", "{application} licence", "Need {application} for reporting"),
                descriptions=("Reason: {business_reason}.", "{business_reason} — {licences} licence(s), please."),
                tasks=(TaskSpec("Approve licence cost", "finance"),),
            ),
        ),
    ),
    ServiceSpec(
        "Password & accounts",
        "it",
        "Locked accounts, password resets and access to systems.",
        handoff=HandOffSpec("hr", "Payroll portal accounts are administered by HR."),
        types=(
            TypeSpec(
                "Password reset",
                (
                    field(
                        "account",
                        "Account",
                        CHOICE,
                        required=True,
                        options=("Windows login", "Email", "VPN", "Payroll portal"),
                    ),
                ),
                sla(0.5, 4),
                weight=22,
                titles=("Locked out of {account}", "Password reset: {account}", "Can't sign in to {account}"),
                descriptions=(
                    "Tried three times and now it says the account is locked.",
                    "Password expired while I was on leave.",
                    "",
                ),
            ),
            TypeSpec(
                "Account for a system",
                (
                    field(
                        "system",
                        "System",
                        TEXT,
                        required=True,
                        sample=one_of("Jira", "Confluence", "SAP", "Workday", "ServiceNow"),
                    ),
                    field("access_level", "Access level", CHOICE, required=True, options=("Read", "Edit", "Admin")),
                ),
                sla(4, 24),
                weight=8,
                titles=("{access_level} access to {system}", "Account on {system}"),
                descriptions=("Joining the team that uses {system} daily.", "Need {access_level} rights."),
            ),
        ),
    ),
    ServiceSpec(
        "VPN & network",
        "it",
        "Remote access, Wi-Fi and network points.",
        types=(
            TypeSpec(
                "Connection problem",
                (
                    field(
                        "location",
                        "Where",
                        CHOICE,
                        required=True,
                        options=("Home", "Hotel / travel", "Client site", "Office"),
                    ),
                    field("operating_system", "Operating system", CHOICE, options=("Windows", "macOS", "Linux")),
                    field(
                        "error_message",
                        "Error message",
                        TEXT,
                        sample=one_of("TLS handshake failed", "Authentication timeout", "No route to host"),
                    ),
                    field("since", "Since", DATE, sample=days_ago(0, 3)),
                ),
                sla(1, 16),
                weight=12,
                titles=("VPN drops at {location}", "No connection from {location}", "Slow network ({location})"),
                descriptions=(
                    "Disconnects every ten minutes or so.",
                    "Connects, but nothing loads.",
                    "Worked yesterday, fails since the update.",
                ),
            ),
        ),
    ),
)

FACILITIES_SERVICES = (
    ServiceSpec(
        "Desk & office moves",
        "facilities",
        "Moving people, desks and equipment.",
        collaborators=("it",),
        types=(
            TypeSpec(
                "Desk move",
                (
                    field("from_desk", "From desk", TEXT, required=True, sample=code("D3.", 2)),
                    field("to_desk", "To desk", TEXT, required=True, sample=code("D4.", 2)),
                    field("move_date", "Move date", DATE, required=True, sample=days_ahead(3, 21)),
                    field("people_moving", "People moving", NUMBER, sample=whole_number(1, 8)),
                ),
                sla(8, 120),
                weight=8,
                titles=("Move from {from_desk} to {to_desk}", "Team move on {move_date}"),
                descriptions=("The team is consolidating on the fourth floor.", "Moving closer to my new team."),
                tasks=(TaskSpec("Move network port and phone", "it"),),
            ),
            JOURNEY_ONLY(
                TypeSpec(
                    "Workplace for a new starter",
                    (
                        field("starter", "New starter", TEXT, required=True),
                        field("first_day", "First day", DATE, required=True),
                    ),
                    sla(8, 48),
                    titles=(),
                    descriptions=(),
                )
            ),
        ),
    ),
    ServiceSpec(
        "Building access & badges",
        "facilities",
        "Badges, visitor passes and door access.",
        collaborators=("it", "hr"),
        handoff=HandOffSpec("it", "The badge readers sync from the access server, which IT runs."),
        types=(
            TypeSpec(
                "Badge",
                (
                    field(
                        "reason",
                        "Reason",
                        CHOICE,
                        required=True,
                        options=("New starter", "Lost", "Damaged", "Name change"),
                    ),
                    field("building", "Building", CHOICE, required=True, options=("HQ", "Riverside", "Warehouse")),
                    field("badge_holder", "Badge holder", PERSON, required=True, sample=the_requester),
                ),
                sla(2, 24),
                weight=10,
                titles=("Badge: {reason} ({building})", "{reason} badge for {building}"),
                descriptions=("Need it before Monday if possible.", "Door at {building} does not open for me."),
            ),
            TypeSpec(
                "Visitor pass",
                (
                    field(
                        "visitor_name",
                        "Visitor",
                        TEXT,
                        required=True,
                        sample=one_of("J. Hartmann (Acme Ltd)", "R. Osei (auditor)", "M. Varga (candidate)"),
                    ),
                    field("visit_date", "Visit date", DATE, required=True, sample=days_ahead(1, 14)),
                    field("host", "Host", PERSON, required=True, sample=the_requester),
                    field("visitors", "Number of visitors", NUMBER, sample=whole_number(1, 6)),
                ),
                sla(4, 24),
                weight=6,
                titles=("Visitor pass for {visitor_name}", "Visitors on {visit_date}"),
                descriptions=("Meeting in room Atlas, arriving around 10:00.", "Please add parking too."),
            ),
        ),
    ),
    ServiceSpec(
        "Repairs & maintenance",
        "facilities",
        "Anything in the building that is broken.",
        handoff=HandOffSpec("it", "It's the meeting-room display, which IT looks after."),
        extra_task=TaskSpec("Raise a purchase order for the contractor", "finance"),
        types=(
            TypeSpec(
                "Repair",
                (
                    field(
                        "issue",
                        "Issue",
                        CHOICE,
                        required=True,
                        options=("Lighting", "Heating / cooling", "Plumbing", "Furniture", "Doors & locks", "Cleaning"),
                    ),
                    field(
                        "location",
                        "Location",
                        TEXT,
                        required=True,
                        sample=one_of("Meeting room Atlas", "Kitchen, 2nd floor", "Open space 3B", "Reception"),
                    ),
                    field("floor", "Floor", NUMBER, sample=whole_number(0, 6)),
                ),
                sla(4, 72),
                weight=14,
                titles=("{issue}: {location}", "{issue} problem in {location}", "Fix needed: {location}"),
                descriptions=(
                    "Has been like this since yesterday.",
                    "Someone nearly slipped, please hurry.",
                    "Not urgent, but it's getting worse.",
                ),
            ),
        ),
    ),
)

HR_SERVICES = (
    ServiceSpec(
        "New hire onboarding",
        "hr",
        "Everything a new colleague needs on day one.",
        collaborators=("it", "facilities", "finance"),
        types=(
            TypeSpec(
                "Onboard a new hire",
                (
                    field(
                        "new_hire_name",
                        "New hire",
                        TEXT,
                        required=True,
                        sample=one_of("Jane Doe", "Omar Farouk", "Lucia Bianchi", "Tom Becker", "Ana Souza"),
                    ),
                    field("start_date", "Start date", DATE, required=True, sample=days_ahead(10, 35)),
                    field(
                        "job_title",
                        "Job title",
                        TEXT,
                        required=True,
                        sample=one_of("Data analyst", "Account manager", "Office coordinator", "Engineer"),
                    ),
                    field("hiring_manager", "Hiring manager", PERSON, required=True, sample=a_manager),
                    field("laptop", "Laptop", CHOICE, options=LAPTOP_MODELS),
                    field("weekly_hours", "Weekly hours", NUMBER, sample=one_of("40", "32", "24")),
                ),
                sla(8, 240),
                weight=8,
                titles=("Onboarding: {new_hire_name}, {start_date}", "New {job_title} starting {start_date}"),
                descriptions=("{new_hire_name} joins as {job_title}.", "Please have everything ready for day one."),
                tasks=(
                    TaskSpec("Prepare laptop and accounts", "it"),
                    TaskSpec("Assign desk and badge", "facilities"),
                    TaskSpec("Set up payroll", "finance"),
                    TaskSpec("Prepare the contract", "hr"),
                ),
            ),
            JOURNEY_ONLY(
                TypeSpec(
                    "Employment contract",
                    (
                        field("new_hire_name", "New hire", TEXT, required=True),
                        field("start_date", "Start date", DATE, required=True),
                    ),
                    sla(8, 48),
                    titles=(),
                    descriptions=(),
                )
            ),
        ),
    ),
    ServiceSpec(
        "Payroll questions",
        "hr",
        "Payslips, tax codes, deductions and bank details.",
        collaborators=("finance",),
        handoff=HandOffSpec("finance", "This is an expense reimbursement, not payroll."),
        types=(
            TypeSpec(
                "Payslip question",
                (
                    field("pay_period", "Pay period", DATE, required=True, sample=month_start),
                    field(
                        "topic",
                        "Topic",
                        CHOICE,
                        required=True,
                        options=("Missing overtime", "Tax code", "Deductions", "Bank details", "Other"),
                    ),
                    field("amount", "Amount in question (EUR)", NUMBER, sample=money(20, 900)),
                ),
                sla(8, 72),
                weight=10,
                titles=("{topic} on my payslip", "Payslip {pay_period}: {topic}"),
                descriptions=("The figure doesn't match my timesheet.", "Could someone explain this line?"),
                tasks=(TaskSpec("Check the payroll run", "finance"),),
            ),
        ),
    ),
    ServiceSpec(
        "Leave requests",
        "hr",
        "Annual, sick, parental and other leave.",
        types=(
            TypeSpec(
                "Leave request",
                (
                    field(
                        "leave_type",
                        "Leave type",
                        CHOICE,
                        required=True,
                        options=("Annual", "Sick", "Parental", "Unpaid", "Compassionate"),
                    ),
                    field("first_day", "First day", DATE, required=True, sample=days_ahead(3, 60)),
                    field("last_day", "Last day", DATE, required=True, sample=days_after("first_day", 0, 14)),
                    field("cover", "Covering colleague", PERSON, sample=a_colleague),
                ),
                sla(8, 48),
                weight=10,
                titles=("{leave_type} leave from {first_day}", "{leave_type} leave {first_day} to {last_day}"),
                descriptions=("Cover is arranged with the team.", "Planned well ahead; calendar is updated."),
            ),
        ),
    ),
)

FINANCE_SERVICES = (
    ServiceSpec(
        "Expense claims",
        "finance",
        "Reimbursement of business expenses.",
        handoff=HandOffSpec("hr", "Relocation allowances are handled by HR."),
        types=(
            TypeSpec(
                "Expense claim",
                (
                    field("amount", "Amount", NUMBER, required=True, sample=money(12, 1800)),
                    field("currency", "Currency", CHOICE, required=True, options=("EUR", "USD", "GBP")),
                    field("expense_date", "Date of expense", DATE, required=True, sample=days_ago(1, 30)),
                    field(
                        "category",
                        "Category",
                        CHOICE,
                        required=True,
                        options=("Travel", "Meals", "Training", "Equipment", "Other"),
                    ),
                    field("approver", "Approver", PERSON, sample=a_manager),
                ),
                sla(8, 120),
                weight=14,
                titles=("{category} expenses {amount} {currency}", "Claim: {category}, {expense_date}"),
                descriptions=("Receipts attached.", "Client visit; receipts attached."),
            ),
        ),
    ),
    ServiceSpec(
        "Purchase orders",
        "finance",
        "Buying from suppliers against a budget.",
        collaborators=("it",),
        types=(
            TypeSpec(
                "Purchase order",
                (
                    field(
                        "supplier",
                        "Supplier",
                        TEXT,
                        required=True,
                        sample=one_of("Northwind Traders", "Contoso Office", "Globex Hardware", "Initech Services"),
                    ),
                    field("amount", "Amount (EUR)", NUMBER, required=True, sample=money(400, 25000)),
                    field("cost_centre", "Cost centre", CHOICE, required=True, options=("CC-100", "CC-200", "CC-300")),
                    field("needed_by", "Needed by", DATE, sample=days_ahead(7, 45)),
                    field("budget_owner", "Budget owner", PERSON, required=True, sample=a_manager),
                ),
                sla(8, 96),
                weight=8,
                titles=("PO for {supplier}", "Purchase order: {supplier}, {amount} EUR"),
                descriptions=("Quote attached; budget confirmed on {cost_centre}.", "Renewal of the annual contract."),
                tasks=(TaskSpec("Confirm technical fit", "it"),),
            ),
        ),
    ),
    ServiceSpec(
        "Payroll administration",
        "finance",
        "Adding, changing and removing people on the payroll.",
        types=(
            JOURNEY_ONLY(
                TypeSpec(
                    "Add to payroll",
                    (
                        field("employee", "Employee", TEXT, required=True),
                        field("first_day", "First day", DATE, required=True),
                    ),
                    sla(8, 72),
                    titles=(),
                    descriptions=(),
                )
            ),
        ),
    ),
)

SERVICES = IT_SERVICES + FACILITIES_SERVICES + HR_SERVICES + FINANCE_SERVICES
