"""Table definitions. Alembic migrations create them; a test checks the two agree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Sequence,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

NOW = text("now()")


def _id() -> Column[int]:
    return Column("id", BigInteger, Identity(), primary_key=True)


def _ts(name: str, *, nullable: bool = False) -> Column[datetime]:
    return Column(name, DateTime(timezone=True), nullable=nullable, server_default=None if nullable else NOW)


departments = Table(
    "departments",
    metadata,
    _id(),
    Column("name", String(200), nullable=False),
    Column("slug", String(60), nullable=False, unique=True),
    _ts("created_at"),
)

people = Table(
    "people",
    metadata,
    _id(),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("department_id", BigInteger, ForeignKey("departments.id"), nullable=True, index=True),
    _ts("created_at"),
    Column("kind", String(16), nullable=False, server_default="PERSON"),
    _ts("deactivated_at", nullable=True),
    Column("version", Integer, nullable=False, server_default=text("1")),
    CheckConstraint("role in ('REQUESTER','AGENT','MANAGER','ADMIN')", name="role"),
    CheckConstraint("kind in ('PERSON','SERVICE_ACCOUNT')", name="kind"),
)

# API tokens (domain.api_tokens): only the secret's SHA-256 is kept, looked up on every call.
api_tokens = Table(
    "api_tokens",
    metadata,
    _id(),
    Column("person_id", BigInteger, ForeignKey("people.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("shown_prefix", String(16), nullable=False),
    Column("scopes", ARRAY(String(16)), nullable=False),
    _ts("created_at"),
    Column("created_by_id", BigInteger, ForeignKey("people.id"), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    _ts("last_used_at", nullable=True),
    _ts("revoked_at", nullable=True),
    Column("revoked_by_id", BigInteger, ForeignKey("people.id"), nullable=True),
    Index("ix_api_tokens_person_created", "person_id", "created_at", "id"),
)

# Who a person is at an OpenID Connect provider: (issuer, subject) is unique per provider, and a
# person may sign in through several. Linked at the first sign-in (api.oidc, db.identities).
person_identities = Table(
    "person_identities",
    metadata,
    Column("issuer", String(2048), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("person_id", BigInteger, ForeignKey("people.id"), nullable=False, index=True),
    _ts("created_at"),
    PrimaryKeyConstraint("issuer", "subject"),
)

services = Table(
    "services",
    metadata,
    _id(),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("owner_department_id", BigInteger, ForeignKey("departments.id"), nullable=False, index=True),
    _ts("created_at"),
    _ts("updated_at"),
)

service_collaborators = Table(
    "service_collaborators",
    metadata,
    Column("service_id", BigInteger, ForeignKey("services.id", ondelete="CASCADE"), nullable=False),
    Column("department_id", BigInteger, ForeignKey("departments.id"), nullable=False, index=True),
    PrimaryKeyConstraint("service_id", "department_id"),
)

request_types = Table(
    "request_types",
    metadata,
    _id(),
    Column("service_id", BigInteger, ForeignKey("services.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    # [{key, label, kind, required, options, agent_only}] (a missing agent_only: false) — read whole with the type.
    Column("fields", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("response_minutes", Integer, nullable=True),
    Column("resolution_minutes", Integer, nullable=True),
    # [{title, department_id}]
    Column("task_templates", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    _ts("created_at"),
)

request_numbers = Sequence("request_number_seq", start=1001, metadata=metadata)

# Which requests are open (domain.workflow.OPEN), for partial indexes.
OPEN_WHERE = "status in ('NEW','TRIAGED','IN_PROGRESS','WAITING_ON_REQUESTER','WAITING_ON_DEPARTMENT')"

requests = Table(
    "requests",
    metadata,
    _id(),
    Column("number", BigInteger, nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("status", String(32), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("service_id", BigInteger, ForeignKey("services.id"), nullable=False, index=True),
    Column("request_type_id", BigInteger, ForeignKey("request_types.id"), nullable=True),
    Column("requester_id", BigInteger, ForeignKey("people.id"), nullable=False, index=True),
    Column("assignee_id", BigInteger, ForeignKey("people.id"), nullable=True, index=True),
    Column("owner_department_id", BigInteger, ForeignKey("departments.id"), nullable=False),
    Column("fields", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("version", Integer, nullable=False, server_default=text("1")),
    _ts("created_at"),
    _ts("updated_at"),
    _ts("resolved_at", nullable=True),
    _ts("closed_at", nullable=True),
    _ts("first_response_at", nullable=True),
    _ts("response_due_at"),
    _ts("resolution_due_at"),
    _ts("sla_paused_at", nullable=True),
    Column("sla_paused_seconds", Integer, nullable=False, server_default=text("0")),
    Column("satisfaction_score", SmallInteger, nullable=True),
    Column("satisfaction_comment", Text, nullable=True),
    _ts("rated_at", nullable=True),
    Column("journey_run_id", BigInteger, ForeignKey("journey_runs.id"), nullable=True, index=True),
    Column(
        "search",
        TSVECTOR,
        Computed("to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(description, ''))", persisted=True),
    ),
    CheckConstraint("satisfaction_score between 1 and 5", name="satisfaction_score"),
    Index("ix_requests_owner_status_created", "owner_department_id", "status", "created_at"),
    Index("ix_requests_created", "created_at", "id"),
    Index("ix_requests_updated", "updated_at", "id"),
    Index("ix_requests_search", "search", postgresql_using="gin"),
    # What shared goals read (db.read.goal_values), so a goal's period costs what is in it, not the history.
    Index("ix_requests_resolved_at", "resolved_at"),
    Index("ix_requests_rated_at", "rated_at", postgresql_where=text("satisfaction_score is not null")),
    Index("ix_requests_unresolved_due", "resolution_due_at", postgresql_where=text("resolved_at is null")),
    # An agent's home (Department.stats, "my open work"): a department's open requests oldest first,
    # an assignee's by deadline, and what a department resolved today.
    Index("ix_requests_open_owner", "owner_department_id", "created_at", postgresql_where=text(OPEN_WHERE)),
    Index("ix_requests_open_assignee", "assignee_id", "resolution_due_at", postgresql_where=text(OPEN_WHERE)),
    Index("ix_requests_owner_resolved", "owner_department_id", "resolved_at"),
)

tasks = Table(
    "tasks",
    metadata,
    _id(),
    Column("request_id", BigInteger, ForeignKey("requests.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("department_id", BigInteger, ForeignKey("departments.id"), nullable=False),
    Column("assignee_id", BigInteger, ForeignKey("people.id"), nullable=True),
    Column("status", String(16), nullable=False),
    _ts("created_at"),
    _ts("completed_at", nullable=True),
    Index("ix_tasks_department_request", "department_id", "request_id"),
)

watchers = Table(
    "watchers",
    metadata,
    Column("request_id", BigInteger, ForeignKey("requests.id", ondelete="CASCADE"), nullable=False),
    Column("person_id", BigInteger, ForeignKey("people.id"), nullable=False),
    PrimaryKeyConstraint("request_id", "person_id"),
    Index("ix_watchers_person", "person_id", "request_id"),
)

comments = Table(
    "comments",
    metadata,
    _id(),
    Column("request_id", BigInteger, ForeignKey("requests.id", ondelete="CASCADE"), nullable=False),
    Column("author_id", BigInteger, ForeignKey("people.id"), nullable=False),
    Column("body", Text, nullable=False),
    Column("internal", Boolean, nullable=False, server_default=text("false")),
    _ts("created_at"),
    Index("ix_comments_request_created", "request_id", "created_at", "id"),
)

handoffs = Table(
    "handoffs",
    metadata,
    _id(),
    Column("request_id", BigInteger, ForeignKey("requests.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("from_department_id", BigInteger, ForeignKey("departments.id"), nullable=False),
    Column("to_department_id", BigInteger, ForeignKey("departments.id"), nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor_id", BigInteger, ForeignKey("people.id"), nullable=False),
    _ts("at"),
)

# The event log: append-only, one row per domain event, written with the change.
events = Table(
    "events",
    metadata,
    Column("seq", BigInteger, Identity(), primary_key=True),
    Column("type", String(64), nullable=False),
    _ts("occurred_at"),
    Column("actor_id", BigInteger, ForeignKey("people.id"), nullable=True),
    Column("request_id", BigInteger, nullable=True),
    Column("journey_run_id", BigInteger, nullable=True),
    Column("department_ids", ARRAY(BigInteger), nullable=False, server_default=text("'{}'")),
    Column("internal", Boolean, nullable=False, server_default=text("false")),
    Column("payload", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Index("ix_events_request_seq", "request_id", "seq"),
    # `events(departmentId:)` replays a department's feed: department = any(department_ids).
    Index("ix_events_department_ids", "department_ids", postgresql_using="gin"),
    Index("ix_events_journey_run_seq", "journey_run_id", "seq", postgresql_where=text("journey_run_id is not null")),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("person_id", BigInteger, ForeignKey("people.id"), nullable=False),
    Column("operation", String(40), nullable=False),
    Column("key", String(200), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("result_id", BigInteger, nullable=True),
    _ts("created_at"),
    PrimaryKeyConstraint("person_id", "operation", "key"),
)

# Shared goals (domain.goals). A key result's scope is stored as id arrays: it is read whole
# with the key result and matched in SQL (`= any(...)`), never joined on its own.
shared_goals = Table(
    "shared_goals",
    metadata,
    _id(),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("period_start", DateTime(timezone=True), nullable=False),
    Column("period_end", DateTime(timezone=True), nullable=False),
    Column("created_by", BigInteger, ForeignKey("people.id"), nullable=False),
    Column("version", Integer, nullable=False, server_default=text("1")),
    _ts("created_at"),
    _ts("updated_at"),
    CheckConstraint("period_end > period_start", name="period"),
)

shared_goal_departments = Table(
    "shared_goal_departments",
    metadata,
    Column("goal_id", BigInteger, ForeignKey("shared_goals.id", ondelete="CASCADE"), nullable=False),
    Column("department_id", BigInteger, ForeignKey("departments.id"), nullable=False, index=True),
    # Whether the department shares its figures with the goal's readers (domain.goal_participation).
    Column("participation", String(16), nullable=False, server_default="INVITED"),
    Column("decided_by", BigInteger, ForeignKey("people.id"), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    PrimaryKeyConstraint("goal_id", "department_id"),
    CheckConstraint("participation in ('INVITED','ACCEPTED','DECLINED')", name="participation"),
)

key_results = Table(
    "key_results",
    metadata,
    _id(),
    Column("goal_id", BigInteger, ForeignKey("shared_goals.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", SmallInteger, nullable=False),
    Column("title", String(200), nullable=False),
    Column("metric", String(40), nullable=False),
    Column("direction", String(16), nullable=False),
    Column("target", Float, nullable=False),
    Column("scope_service_ids", ARRAY(BigInteger), nullable=False, server_default=text("'{}'")),
    Column("scope_request_type_ids", ARRAY(BigInteger), nullable=False, server_default=text("'{}'")),
    Column("scope_department_ids", ARRAY(BigInteger), nullable=False, server_default=text("'{}'")),
    Column("scope_journey_map_id", BigInteger, nullable=True),
    CheckConstraint(
        "metric in ('SLA_COMPLIANCE_RATE','MEDIAN_RESOLUTION_HOURS','P90_RESOLUTION_HOURS',"
        "'JOURNEY_ON_TIME_RATE','CSAT_AVERAGE','OPEN_BACKLOG','REQUESTS_RESOLVED')",
        name="metric",
    ),
    CheckConstraint("direction in ('AT_LEAST','AT_MOST')", name="direction"),
)

# Journeys. A map version is never edited: revising one inserts the next version, so the
# stages a run points at stay what they were when it started.
journey_maps = Table(
    "journey_maps",
    metadata,
    _id(),
    Column("lineage_id", BigInteger, nullable=False),  # the first version's id, shared by every version
    Column("version", Integer, nullable=False),
    Column("name", String(120), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    # The departments owning a touchpoint (denormalised): who sees the map and its runs.
    Column("department_ids", ARRAY(BigInteger), nullable=False, server_default=text("'{}'")),
    Column("replaces_id", BigInteger, ForeignKey("journey_maps.id"), nullable=True),
    Column("created_by_id", BigInteger, ForeignKey("people.id"), nullable=False),
    _ts("created_at"),
    _ts("retired_at", nullable=True),
    UniqueConstraint("lineage_id", "version"),
)

journey_stages = Table(
    "journey_stages",
    metadata,
    _id(),
    Column("map_id", BigInteger, ForeignKey("journey_maps.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", String(120), nullable=False),
    Column("target_minutes", Integer, nullable=True),
    UniqueConstraint("map_id", "position"),
)

journey_touchpoints = Table(
    "journey_touchpoints",
    metadata,
    _id(),
    Column("stage_id", BigInteger, ForeignKey("journey_stages.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("name", String(120), nullable=False),
    Column("department_id", BigInteger, ForeignKey("departments.id"), nullable=False),
    Column("request_type_id", BigInteger, ForeignKey("request_types.id"), nullable=True),
    Column("pain_points", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    # {key: value or template}: see domain.prefill
    Column("field_values", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
)

journey_runs = Table(
    "journey_runs",
    metadata,
    _id(),
    Column("map_id", BigInteger, ForeignKey("journey_maps.id"), nullable=False),
    Column("subject", String(120), nullable=False),
    Column("sponsor_id", BigInteger, ForeignKey("people.id"), nullable=False, index=True),
    Column("started_by_id", BigInteger, ForeignKey("people.id"), nullable=False),
    Column("status", String(16), nullable=False),
    _ts("start_at"),
    _ts("started_at"),
    _ts("completed_at", nullable=True),
    _ts("cancelled_at", nullable=True),
    Column("current_position", Integer, nullable=True),
    # {subject, startDate, sponsor, fields}: what the run's requests are filled from
    Column("prefill", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("version", Integer, nullable=False, server_default=text("1")),
    CheckConstraint("status in ('ACTIVE','COMPLETED','CANCELLED')", name="status"),
    Index("ix_journey_runs_map_started", "map_id", "started_at", "id"),
    Index("ix_journey_runs_started", "started_at", "id"),
)

# A stage a run entered: when, and when it left (NULL while the run is in it).
journey_run_stages = Table(
    "journey_run_stages",
    metadata,
    Column("run_id", BigInteger, ForeignKey("journey_runs.id"), nullable=False),
    Column("position", Integer, nullable=False),
    _ts("entered_at"),
    _ts("left_at", nullable=True),
    PrimaryKeyConstraint("run_id", "position"),
)

# The request a run opened for a touchpoint of a stage.
journey_run_requests = Table(
    "journey_run_requests",
    metadata,
    Column("request_id", BigInteger, ForeignKey("requests.id"), nullable=False),
    Column("run_id", BigInteger, ForeignKey("journey_runs.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("touchpoint_id", BigInteger, ForeignKey("journey_touchpoints.id"), nullable=False),
    PrimaryKeyConstraint("request_id"),
    Index("ix_journey_run_requests_run_position", "run_id", "position"),
)
