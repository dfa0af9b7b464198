"""shared goals: goals, their departments and key results

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_IDS = postgresql.ARRAY(sa.BigInteger())


def upgrade() -> None:
    op.create_table('shared_goals',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('period_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('period_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('period_end > period_start', name=op.f('ck_shared_goals_period')),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_shared_goals_created_by_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shared_goals'))
    )
    op.create_table('shared_goal_departments',
    sa.Column('goal_id', sa.BigInteger(), nullable=False),
    sa.Column('department_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                            name=op.f('fk_shared_goal_departments_department_id_departments')),
    sa.ForeignKeyConstraint(['goal_id'], ['shared_goals.id'], ondelete='CASCADE',
                            name=op.f('fk_shared_goal_departments_goal_id_shared_goals')),
    sa.PrimaryKeyConstraint('goal_id', 'department_id', name=op.f('pk_shared_goal_departments'))
    )
    op.create_index(op.f('ix_shared_goal_departments_department_id'), 'shared_goal_departments',
                    ['department_id'], unique=False)
    op.create_table('key_results',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('goal_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('direction', sa.String(length=16), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('scope_service_ids', _IDS, server_default=sa.text("'{}'"), nullable=False),
    sa.Column('scope_request_type_ids', _IDS, server_default=sa.text("'{}'"), nullable=False),
    sa.Column('scope_department_ids', _IDS, server_default=sa.text("'{}'"), nullable=False),
    sa.Column('scope_journey_map_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("metric in ('SLA_COMPLIANCE_RATE','MEDIAN_RESOLUTION_HOURS','P90_RESOLUTION_HOURS',"
                       "'JOURNEY_ON_TIME_RATE','CSAT_AVERAGE','OPEN_BACKLOG','REQUESTS_RESOLVED')",
                       name=op.f('ck_key_results_metric')),
    sa.CheckConstraint("direction in ('AT_LEAST','AT_MOST')", name=op.f('ck_key_results_direction')),
    sa.ForeignKeyConstraint(['goal_id'], ['shared_goals.id'], ondelete='CASCADE',
                            name=op.f('fk_key_results_goal_id_shared_goals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_results'))
    )
    op.create_index(op.f('ix_key_results_goal_id'), 'key_results', ['goal_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_key_results_goal_id'), table_name='key_results')
    op.drop_table('key_results')
    op.drop_index(op.f('ix_shared_goal_departments_department_id'), table_name='shared_goal_departments')
    op.drop_table('shared_goal_departments')
    op.drop_table('shared_goals')
