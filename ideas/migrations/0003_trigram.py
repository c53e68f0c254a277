"""PostgreSQL only: pg_trgm, a GIN trigram index on Idea.title and a full-text index on Idea.problem.

They serve the similar-ideas search (ideas/similar.py): `title % text`, `title %> text`, and
`to_tsvector('english', COALESCE(problem, '')) @@ query`, the expression Django's SearchVector
writes. Other databases (SQLite, the embedded default) skip all three: ideas.similar falls back to
comparing words. The indexes are not in the model's Meta because they would not migrate on SQLite.
"""

from django.db import migrations

TITLE_INDEX = "idea_title_trgm"
PROBLEM_INDEX = "idea_problem_fts"


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {TITLE_INDEX} ON ideas_idea USING gin (title gin_trgm_ops)")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {PROBLEM_INDEX} ON ideas_idea "
        "USING gin (to_tsvector('english'::regconfig, COALESCE(problem, '')))"
    )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other objects may use it, and dropping it needs more rights than creating it.
    schema_editor.execute(f"DROP INDEX IF EXISTS {PROBLEM_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {TITLE_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0002_community"),
    ]

    operations = [
        migrations.RunPython(create_search_indexes, drop_search_indexes, elidable=False),
    ]
