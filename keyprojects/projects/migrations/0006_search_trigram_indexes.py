"""Trigram (pg_trgm) GIN indexes for the text search on PostgreSQL: `search_text LIKE '%…%'` and
`UPPER(code) LIKE UPPER('%…%')` then read the index instead of every row. Only where the extension
can be created (it ships with PostgreSQL's contrib; a managed server may refuse it); elsewhere, and on
SQLite, the search stays a plain LIKE and this migration does nothing."""

from django.db import DatabaseError, migrations, transaction

INDEXES = [
    "CREATE INDEX IF NOT EXISTS projects_project_search_trgm "
    "ON projects_project USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS projects_project_code_trgm "
    "ON projects_project USING gin ((UPPER(code::text)) gin_trgm_ops)",
]


def _trigram_available(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return False
        try:
            with transaction.atomic(using=schema_editor.connection.alias):  # a savepoint
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError:  # e.g. no permission to create extensions
            return False
    return True


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql" or not _trigram_available(schema_editor):
        return
    for sql in INDEXES:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS projects_project_search_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS projects_project_code_trgm")


class Migration(migrations.Migration):
    dependencies = [("projects", "0005_standard_sectors")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
