"""SQLite only: an FTS5 index of the ideas' title, problem and solution for the idea lists' search.

An external-content FTS5 table (``porter unicode61``: stemmed words, accents folded) kept in step by
three triggers, filled from the existing rows. ``ideas.fulltext`` explains it and, after every
migrate, puts back what a rebuilt ``ideas_idea`` table lost. The SQL is written out here, not
imported: a migration stays what it was when it ran. PostgreSQL skips this (its GIN index on the
search document is 0007's).
"""

from django.db import migrations

TABLE = "ideas_idea_fts"
OLD = f"INSERT INTO {TABLE}({TABLE}, rowid, title, problem, solution) VALUES ('delete', old.id, old.title, old.problem, old.solution);"
NEW = f"INSERT INTO {TABLE}(rowid, title, problem, solution) VALUES (new.id, new.title, new.problem, new.solution);"
CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(title, problem, solution, content='ideas_idea', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_insert AFTER INSERT ON ideas_idea BEGIN {NEW} END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON ideas_idea BEGIN {OLD} END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_update AFTER UPDATE OF title, problem, solution ON ideas_idea "
    f"BEGIN {OLD} {NEW} END",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
]
DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {TABLE}_insert",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0014_drafts_with_a_title_alone"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
