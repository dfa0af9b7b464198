"""Storage: PostgreSQL tables, repositories, unit of work, read queries, migrations."""
