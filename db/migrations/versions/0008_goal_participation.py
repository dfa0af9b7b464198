"""goal participation: whether each department shares its figures with the goal's readers

Goals made before this had no such consent: every department is invited, except the department
the goal's creator managed, which accepted by creating it.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('shared_goal_departments',
                  sa.Column('participation', sa.String(length=16), server_default='INVITED', nullable=False))
    op.add_column('shared_goal_departments', sa.Column('decided_by', sa.BigInteger(), nullable=True))
    op.add_column('shared_goal_departments',
                  sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
    op.create_foreign_key(op.f('fk_shared_goal_departments_decided_by_people'), 'shared_goal_departments',
                          'people', ['decided_by'], ['id'])
    op.create_check_constraint(op.f('ck_shared_goal_departments_participation'), 'shared_goal_departments',
                               "participation in ('INVITED','ACCEPTED','DECLINED')")
    op.execute("""
        update shared_goal_departments gd
           set participation = 'ACCEPTED', decided_by = g.created_by, decided_at = g.created_at
          from shared_goals g join people p on p.id = g.created_by
         where g.id = gd.goal_id and p.role = 'MANAGER' and p.department_id = gd.department_id""")


def downgrade() -> None:
    op.drop_constraint(op.f('ck_shared_goal_departments_participation'), 'shared_goal_departments', type_='check')
    op.drop_constraint(op.f('fk_shared_goal_departments_decided_by_people'), 'shared_goal_departments',
                       type_='foreignkey')
    for column in ('decided_at', 'decided_by', 'participation'):
        op.drop_column('shared_goal_departments', column)
