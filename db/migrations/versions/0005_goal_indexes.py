"""indexes for shared goals: requests by resolution, rating, open deadline and open owner

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OPEN = "status in ('NEW','TRIAGED','IN_PROGRESS','WAITING_ON_REQUESTER','WAITING_ON_DEPARTMENT')"


def upgrade() -> None:
    op.create_index('ix_requests_resolved_at', 'requests', ['resolved_at'])
    op.create_index('ix_requests_rated_at', 'requests', ['rated_at'],
                    postgresql_where=sa.text('satisfaction_score is not null'))
    op.create_index('ix_requests_unresolved_due', 'requests', ['resolution_due_at'],
                    postgresql_where=sa.text('resolved_at is null'))
    op.create_index('ix_requests_open_owner', 'requests', ['owner_department_id'], postgresql_where=sa.text(OPEN))


def downgrade() -> None:
    for name in ('ix_requests_open_owner', 'ix_requests_unresolved_due', 'ix_requests_rated_at',
                 'ix_requests_resolved_at'):
        op.drop_index(name, table_name='requests')
