"""Alembic migrations are the only way the schema is made: they must match the table models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db.tables import metadata


def _diff(sync_conn):
    context = MigrationContext.configure(sync_conn, opts={"compare_type": True, "compare_server_default": True})
    return compare_metadata(context, metadata)


async def test_migrated_database_matches_the_models(engine):
    async with engine.connect() as conn:
        differences = await conn.run_sync(_diff)
    assert differences == []


async def test_migrations_create_the_request_number_sequence(engine):
    from sqlalchemy import text

    async with engine.connect() as conn:
        start = await conn.execute(
            text("select start_value from pg_sequences where sequencename = 'request_number_seq'")
        )
        assert start.scalar_one() == 1001


async def test_the_goal_figures_function_is_the_figures_sql_of_this_code(engine):
    # The compiled read path calls it for goals it did not prefetch; normal execution runs
    # figures_sql itself. A change to figures_sql needs a migration replacing the function.
    from sqlalchemy import text

    from db.read.goal_values import FIGURES_FUNCTION, FIGURES_FUNCTION_BODY

    async with engine.connect() as conn:
        body = await conn.execute(text("select prosrc from pg_proc where proname = :name"), {"name": FIGURES_FUNCTION})
        assert body.scalar_one() == FIGURES_FUNCTION_BODY
