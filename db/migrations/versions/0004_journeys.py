"""journeys: versioned maps (stages, touchpoints) and runs (stages entered, requests opened)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:55:23.564393
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('journey_maps',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('lineage_id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('department_ids', postgresql.ARRAY(sa.BigInteger()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('replaces_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_journey_maps_created_by_id_people')),
    sa.ForeignKeyConstraint(['replaces_id'], ['journey_maps.id'], name=op.f('fk_journey_maps_replaces_id_journey_maps')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journey_maps')),
    sa.UniqueConstraint('lineage_id', 'version', name=op.f('uq_journey_maps_lineage_id'))
    )
    op.create_table('journey_runs',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('map_id', sa.BigInteger(), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('sponsor_id', sa.BigInteger(), nullable=False),
    sa.Column('started_by_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('current_position', sa.Integer(), nullable=True),
    sa.Column('prefill', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.CheckConstraint("status in ('ACTIVE','COMPLETED','CANCELLED')", name=op.f('ck_journey_runs_status')),
    sa.ForeignKeyConstraint(['map_id'], ['journey_maps.id'], name=op.f('fk_journey_runs_map_id_journey_maps')),
    sa.ForeignKeyConstraint(['sponsor_id'], ['people.id'], name=op.f('fk_journey_runs_sponsor_id_people')),
    sa.ForeignKeyConstraint(['started_by_id'], ['people.id'], name=op.f('fk_journey_runs_started_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journey_runs'))
    )
    op.create_index('ix_journey_runs_map_started', 'journey_runs', ['map_id', 'started_at', 'id'], unique=False)
    op.create_index(op.f('ix_journey_runs_sponsor_id'), 'journey_runs', ['sponsor_id'], unique=False)
    op.create_index('ix_journey_runs_started', 'journey_runs', ['started_at', 'id'], unique=False)
    op.create_table('journey_stages',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('map_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('target_minutes', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['map_id'], ['journey_maps.id'], name=op.f('fk_journey_stages_map_id_journey_maps')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journey_stages')),
    sa.UniqueConstraint('map_id', 'position', name=op.f('uq_journey_stages_map_id'))
    )
    op.create_table('journey_run_stages',
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['journey_runs.id'], name=op.f('fk_journey_run_stages_run_id_journey_runs')),
    sa.PrimaryKeyConstraint('run_id', 'position', name=op.f('pk_journey_run_stages'))
    )
    op.create_table('journey_touchpoints',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('stage_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('department_id', sa.BigInteger(), nullable=False),
    sa.Column('request_type_id', sa.BigInteger(), nullable=True),
    sa.Column('pain_points', postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('field_values', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_journey_touchpoints_department_id_departments')),
    sa.ForeignKeyConstraint(['request_type_id'], ['request_types.id'], name=op.f('fk_journey_touchpoints_request_type_id_request_types')),
    sa.ForeignKeyConstraint(['stage_id'], ['journey_stages.id'], name=op.f('fk_journey_touchpoints_stage_id_journey_stages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journey_touchpoints'))
    )
    op.create_index(op.f('ix_journey_touchpoints_stage_id'), 'journey_touchpoints', ['stage_id'], unique=False)
    op.create_table('journey_run_requests',
    sa.Column('request_id', sa.BigInteger(), nullable=False),
    sa.Column('run_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('touchpoint_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_journey_run_requests_request_id_requests')),
    sa.ForeignKeyConstraint(['run_id'], ['journey_runs.id'], name=op.f('fk_journey_run_requests_run_id_journey_runs')),
    sa.ForeignKeyConstraint(['touchpoint_id'], ['journey_touchpoints.id'], name=op.f('fk_journey_run_requests_touchpoint_id_journey_touchpoints')),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_journey_run_requests'))
    )
    op.create_index('ix_journey_run_requests_run_position', 'journey_run_requests', ['run_id', 'position'], unique=False)
    op.create_foreign_key(op.f('fk_requests_journey_run_id_journey_runs'), 'requests', 'journey_runs', ['journey_run_id'], ['id'])


def downgrade() -> None:
    op.drop_constraint(op.f('fk_requests_journey_run_id_journey_runs'), 'requests', type_='foreignkey')
    op.drop_index('ix_journey_run_requests_run_position', table_name='journey_run_requests')
    op.drop_table('journey_run_requests')
    op.drop_index(op.f('ix_journey_touchpoints_stage_id'), table_name='journey_touchpoints')
    op.drop_table('journey_touchpoints')
    op.drop_table('journey_run_stages')
    op.drop_table('journey_stages')
    op.drop_index('ix_journey_runs_started', table_name='journey_runs')
    op.drop_index(op.f('ix_journey_runs_sponsor_id'), table_name='journey_runs')
    op.drop_index('ix_journey_runs_map_started', table_name='journey_runs')
    op.drop_table('journey_runs')
    op.drop_table('journey_maps')
