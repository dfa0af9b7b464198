"""event log: commit-ordered sequence numbers, NOTIFY on append, department index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:05:00
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# Why the lock: `seq` comes from an identity, drawn at INSERT time, but transactions commit in
# any order. Without it, a reader that has seen seq 11 could later miss seq 10 committing after
# it. One transaction-scoped advisory lock taken before the rows are formed makes seq order the
# commit order (it is released only once the commit is visible), for every writer, raw SQL too.
# Why the NOTIFY here: it is sent only if the transaction commits, and carries the last seq only.
LOCK_KEY = 7416321


def upgrade() -> None:
    op.execute(f"""
        create function events_append_in_commit_order() returns trigger language plpgsql as $$
        begin
            perform pg_advisory_xact_lock({LOCK_KEY});
            return null;
        end $$""")
    op.execute("""
        create function events_announce() returns trigger language plpgsql as $$
        declare last_seq bigint;
        begin
            select max(seq) into last_seq from appended;
            if last_seq is not null then
                perform pg_notify('tandem_events', last_seq::text);
            end if;
            return null;
        end $$""")
    op.execute("""create trigger events_append_in_commit_order before insert on events
                  for each statement execute function events_append_in_commit_order()""")
    op.execute("""create trigger events_announce after insert on events
                  referencing new table as appended
                  for each statement execute function events_announce()""")
    op.create_index('ix_events_department_ids', 'events', ['department_ids'], postgresql_using='gin')
    op.create_index('ix_events_journey_run_seq', 'events', ['journey_run_id', 'seq'],
                    postgresql_where='journey_run_id is not null')


def downgrade() -> None:
    op.drop_index('ix_events_journey_run_seq', table_name='events')
    op.drop_index('ix_events_department_ids', table_name='events')
    op.execute("drop trigger events_announce on events")
    op.execute("drop trigger events_append_in_commit_order on events")
    op.execute("drop function events_announce()")
    op.execute("drop function events_append_in_commit_order()")
