"""PostgreSQL only: a GIN index on the idea lists' full-text search document.

``ideas.selectors.idea_list_search`` matches ``setweight(to_tsvector('english', title), 'A') ||
setweight(to_tsvector('english', problem || ' ' || solution), 'B')``; without an index on that
expression each search read all 200,000 ideas (6 s, docs/PERFORMANCE.md). The expression here is
the one Django's SearchVector writes, so the planner matches it (tests/test_search_index.py checks
the plan). SQLite (the embedded default) skips it: its search is a substring match.
"""

from django.db import migrations

INDEX = "idea_search_document"
DOCUMENT = (
    "(setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(problem, '') || ' ' || COALESCE(solution, '')), 'B'))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON ideas_idea USING gin ({DOCUMENT})")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0006_author_challenge_index"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
