"""The page cache keys a page on the query parameters its view reads, and nothing else
(core.pagecache ``cache_public_page(params=...)``): random query strings, tracking tags and
cache-busters make no entry of their own, and the view (and so the kept page) never sees them.

Transactional like tests/test_pagecache.py: the content version moves on only at a commit.
"""

import secrets

import pytest
from django.urls import get_resolver

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def idea():
    challenge = factories.ChallengeFactory(title="Easier deliveries", slug="easier-deliveries")
    return factories.IdeaFactory(challenge=challenge, title="Lockers at stations")


def _random_query() -> str:
    return "&".join(f"{secrets.token_hex(3)}={secrets.token_urlsafe(6)}" for _ in range(1 + secrets.randbelow(3)))


@pytest.mark.parametrize("url", ["/", "/challenges/", "/ideas/", "/ideas/?sort=top", "/reputation/points/"])
def test_a_hundred_random_query_strings_make_one_entry(client, idea, url):
    """``X-Page-Cache: miss`` is answered exactly when a page is stored: one miss is one entry."""
    answers = []
    for _ in range(100):
        response = client.get(url + ("&" if "?" in url else "?") + _random_query())
        assert response.status_code == 200
        answers.append(response["X-Page-Cache"])
    assert answers.count("miss") == 1, answers
    assert answers.count("hit") == 99
    # The plain URL is the same page: the entry kept above.
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_an_idea_page_with_random_query_strings_is_one_entry(client, idea):
    answers = [client.get(f"{idea.get_absolute_url()}?{_random_query()}")["X-Page-Cache"] for _ in range(100)]
    assert answers.count("miss") == 1, answers


def test_a_parameter_the_view_reads_keys_its_own_page(client, idea):
    base = "/ideas/?sort=top"
    assert client.get(base)["X-Page-Cache"] == "miss"
    assert client.get("/ideas/?sort=newest")["X-Page-Cache"] == "miss"
    assert client.get("/ideas/?sort=newest&fbclid=x1")["X-Page-Cache"] == "hit"
    # Order does not matter: the key holds the read parameters sorted.
    assert client.get("/ideas/?q=lockers&sort=top")["X-Page-Cache"] == "miss"
    assert client.get("/ideas/?sort=top&q=lockers&utm_campaign=spring")["X-Page-Cache"] == "hit"


def test_the_kept_page_carries_no_unread_parameter(client, idea):
    """The "sign in" link brings the visitor back to the page: with only what the page reads."""
    response = client.get("/ideas/?sort=top&tracking=secret-visitor-tag")
    assert response["X-Page-Cache"] == "miss"
    assert b"secret-visitor-tag" not in response.content
    assert b"sort%3Dtop" in response.content  # the sign-in link's next= keeps the read parameter


def test_members_still_get_every_parameter(client, idea):
    """Signed in, nothing is cached and the view sees the query as it came."""
    client.force_login(factories.UserFactory())
    response = client.get("/ideas/?sort=top&tracking=member-tag")
    assert response.status_code == 200
    assert "X-Page-Cache" not in response


def test_every_cached_view_declares_what_it_reads():
    """Each view behind the page cache says which parameters it reads (an empty set is a choice)."""
    cached = []

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)
            elif hasattr(pattern.callback, "page_cache_params"):
                cached.append(pattern.callback)

    walk(get_resolver().url_patterns)
    names = {view.__name__: view.page_cache_params for view in cached}
    assert names["idea_list"] >= {"q", "challenge", "status", "outcome", "phase", "sort", "page"}
    assert names["idea_detail"] == {"comment", "comments"}
    assert names["leaderboard"] == {"period", "challenge"}
    assert names["implemented_ideas"] == {"page"}
    assert names["home"] == frozenset()
