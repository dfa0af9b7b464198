"""api tokens; people get a kind (person or service account), a deactivation time and a version

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('people', sa.Column('kind', sa.String(length=16), server_default='PERSON', nullable=False))
    op.add_column('people', sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('people', sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
    op.create_check_constraint(op.f('ck_people_kind'), 'people', "kind in ('PERSON','SERVICE_ACCOUNT')")
    op.create_table('api_tokens',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('shown_prefix', sa.String(length=16), nullable=False),
    sa.Column('scopes', postgresql.ARRAY(sa.String(length=16)), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by_id', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_api_tokens_person_id_people')),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_api_tokens_created_by_id_people')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['people.id'], name=op.f('fk_api_tokens_revoked_by_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_index('ix_api_tokens_person_created', 'api_tokens', ['person_id', 'created_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_api_tokens_person_created', table_name='api_tokens')
    op.drop_table('api_tokens')
    op.drop_constraint(op.f('ck_people_kind'), 'people', type_='check')
    op.drop_column('people', 'version')
    op.drop_column('people', 'deactivated_at')
    op.drop_column('people', 'kind')
