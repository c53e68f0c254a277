"""PostgreSQL only: trigram indexes for the triage queue's search (title or author's email).

The admin's ``icontains`` is ``UPPER(column::text) LIKE UPPER('%term%')``; GIN trigram indexes on
exactly ``UPPER(title)`` and ``UPPER(email)`` serve it, where the plain trigram index on titles
(ideas/0003, for similar ideas) does not. ``TriageIdeaAdmin.get_search_results`` asks each table
on its own, so each index can be used (an OR across the join to the authors could use neither).
SQLite (the embedded default) skips them.
"""

from django.db import migrations

INDEXES = {
    "idea_title_upper_trgm": "ideas_idea USING gin (UPPER(title::text) gin_trgm_ops)",
    "user_email_upper_trgm": "accounts_user USING gin (UPPER(email::text) gin_trgm_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("ideas", "0007_search_index"),
        ("accounts", "0004_user_profile_public"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
