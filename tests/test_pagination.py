"""CappedPaginator (core/pagination.py): lists count at most ``cap + 1`` rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.pagination import CappedPaginator
from ideas.models import Idea
from tests import factories


def test_below_the_cap_the_count_is_exact():
    paginator = CappedPaginator(list(range(25)), 10)
    paginator.cap = 30
    assert (paginator.count, paginator.num_pages, paginator.capped) == (25, 3, False)


def test_at_the_cap_it_is_exact_and_past_it_the_pages_stop_at_the_cap():
    at = CappedPaginator(list(range(30)), 10)
    at.cap = 30
    assert (at.count, at.capped) == (30, False)
    past = CappedPaginator(list(range(31)), 10)
    past.cap = 30
    assert (past.count, past.num_pages, past.capped) == (30, 3, True)
    assert not past.page(3).has_next()


@pytest.mark.django_db
def test_a_queryset_is_counted_in_a_bounded_subquery(open_challenge):
    factories.IdeaFactory.create_batch(4, challenge=open_challenge)
    paginator = CappedPaginator(Idea.objects.order_by("pk"), 2)
    paginator.cap = 3
    with CaptureQueriesContext(connection) as queries:
        assert (paginator.count, paginator.capped) == (3, True)
    assert "LIMIT 4" in queries[0]["sql"]


@pytest.mark.django_db
def test_the_list_says_more_than_the_cap(client, open_challenge, monkeypatch, settings):
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    settings.IDEAS_PER_PAGE = 2
    factories.IdeaFactory.create_batch(5, challenge=open_challenge)
    html = client.get(reverse("ideas:list")).content.decode()
    assert "More than 3 ideas" in html and "Page 1 of 2+" in html
    monkeypatch.setattr(CappedPaginator, "cap", 10)
    html = client.get(reverse("ideas:list")).content.decode()
    assert "5 ideas" in html and "Page 1 of 3<" in html
