"""The idea lists' full-text search uses its GIN index (ideas/migrations/0007_search_index.py):
the expression Django writes must stay the one indexed, or every search reads the whole table."""

import pytest
from django.db import connection

from ideas.models import Idea
from ideas.selectors import idea_list_search

pytestmark = pytest.mark.django_db


@pytest.mark.postgresql
def test_the_search_document_is_read_through_its_index(idea):
    queryset = idea_list_search(Idea.objects.all(), "delivery lockers")
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        for scan in ("seqscan", "indexscan", "indexonlyscan"):  # a tiny table would be read another way anyway
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "idea_search_document" in plan, plan


def test_search_still_finds_by_title_and_text(idea):
    found = idea_list_search(Idea.objects.all(), idea.title.split()[0])
    assert idea in found
