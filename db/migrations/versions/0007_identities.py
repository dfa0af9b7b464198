"""person identities: (issuer, subject) at an OpenID Connect provider, linked to a person

Revision ID: 0007
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('person_identities',
    sa.Column('issuer', sa.String(length=2048), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_person_identities_person_id_people')),
    sa.PrimaryKeyConstraint('issuer', 'subject', name=op.f('pk_person_identities'))
    )
    op.create_index(op.f('ix_person_identities_person_id'), 'person_identities', ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_person_identities_person_id'), table_name='person_identities')
    op.drop_table('person_identities')
