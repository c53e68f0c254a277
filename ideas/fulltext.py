"""The idea lists' full-text search on SQLite (the embedded default): an FTS5 index kept by triggers.

``ideas_idea_fts`` is an external-content FTS5 table over ``ideas_idea``'s title, problem and
solution (migration 0014), tokenised with ``porter unicode61``: every word is stemmed (Porter), so
"budgets" finds "budget", and the words of a search match in any order. Three triggers keep it in
step with every write, services, admin and bulk updates alike; a change of votes or status does not
touch it (``AFTER UPDATE OF title, problem, solution``).

Django rebuilds a SQLite table for some schema changes (a new table, the rows copied, the old one
dropped): the old table's triggers go with it. ``sqlite_index_ensure`` runs after every ``migrate``
(``IdeasConfig.ready``) and puts back what is missing, rebuilding the index from the rows.

PostgreSQL never sees any of this: its search is the GIN-indexed ``tsvector`` of ``ideas.selectors``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .words import SearchTerms

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "ideas_idea_fts"
COLUMNS = "title, problem, solution"
CREATE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5({COLUMNS}, content='ideas_idea', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
)
_OLD = (
    f"INSERT INTO {TABLE}({TABLE}, rowid, {COLUMNS}) VALUES ('delete', old.id, old.title, old.problem, old.solution);"
)
_NEW = f"INSERT INTO {TABLE}(rowid, {COLUMNS}) VALUES (new.id, new.title, new.problem, new.solution);"
TRIGGERS = {
    f"{TABLE}_insert": f"AFTER INSERT ON ideas_idea BEGIN {_NEW} END",
    f"{TABLE}_delete": f"AFTER DELETE ON ideas_idea BEGIN {_OLD} END",
    f"{TABLE}_update": f"AFTER UPDATE OF {COLUMNS} ON ideas_idea BEGIN {_OLD} {_NEW} END",
}


def sqlite_index_ensure(connection: BaseDatabaseWrapper) -> bool:
    """Create the FTS5 table and its triggers where missing, and then rebuild the index from the rows.

    Returns whether anything was missing. Does nothing on other databases, or before the ideas
    table exists.
    """
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE (type = 'table' AND name IN ('ideas_idea', %s)) "
            "OR (type = 'trigger' AND tbl_name = 'ideas_idea')",
            [TABLE],
        )
        present = {row[0] for row in cursor.fetchall()}
        if "ideas_idea" not in present:
            return False
        missing = [name for name in (TABLE, *TRIGGERS) if name not in present]
        if not missing:
            return False
        cursor.execute(CREATE_TABLE)
        for name, body in TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
    return True


def _phrase(words: tuple[str, ...]) -> str:
    # Words are letters and digits only (ideas.words.WORD_RE): nothing in them is FTS5 syntax.
    return '"' + " ".join(words) + '"'


def match_expressions(terms: SearchTerms) -> tuple[str | None, str | None]:
    """The FTS5 ``MATCH`` expressions of a parsed search: (what must match, what must not), either None."""
    wanted = " AND ".join("(" + " OR ".join(_phrase(term) for term in group) + ")" for group in terms.groups)
    unwanted = " OR ".join(_phrase(term) for term in terms.excluded)
    return wanted or None, unwanted or None


MATCHING_IDS = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"
