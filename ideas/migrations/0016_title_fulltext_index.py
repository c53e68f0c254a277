"""PostgreSQL only: a full-text GIN index on Idea.title, for similar ideas.

``ideas.similar`` finds candidates whose title has any significant word typed:
``to_tsvector('english', COALESCE(title, '')) @@ query``, the expression Django's SearchVector
writes. Without this index PostgreSQL computed the vector of every idea of the challenge (about
140 ms for 4,700 ideas on the load-test machine). SQLite skips it: its FTS5 index (0014) serves.
"""

from django.db import migrations

INDEX = "idea_title_fts"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON ideas_idea "
            "USING gin (to_tsvector('english'::regconfig, COALESCE(title, '')))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0015_sqlite_fulltext"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
