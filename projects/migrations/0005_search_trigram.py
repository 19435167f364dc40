"""Indexes for the list at province scale (issue: performance).

- Trigram GIN indexes (pg_trgm) serve `icontains` on Chinese names: Django compiles it to
  UPPER(col::text) LIKE UPPER('%term%'), so the indexes are on that expression.
- (created_at, id) lets the list's default order and its deep pages be read from the index alone.
PostgreSQL only: on SQLite these operations do nothing (the embedded mode has small data).
"""

from django.db import migrations

TRIGRAM = [
    ("project_title_trgm", "projects_project", 'UPPER(("title")::text)'),
    ("project_codename_trgm", "projects_project", 'UPPER(("codename")::text)'),
    ("investor_name_trgm", "projects_investor", 'UPPER(("name")::text)'),
    ("investor_normalized_trgm", "projects_investor", '("normalized_name")'),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in TRIGRAM:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ({expression} gin_trgm_ops)')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in TRIGRAM:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_list_indexes")]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
