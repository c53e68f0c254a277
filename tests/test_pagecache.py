"""The public page cache (core.pagecache): visitors get kept pages, and any committed change to
what a page shows (a vote, a comment, a status change by ``update()``, a renamed author) replaces it;
a rolled-back write changes nothing; members, sessions, htmx and pages with messages are never cached.

Transactional tests: the version moves on when a write commits, which the usual rolled-back test
transaction never does.
"""

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.urls import reverse

from core import pagecache
from ideas import services as idea_services
from ideas.models import Idea, Status, Vote
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def idea():
    challenge = factories.ChallengeFactory(title="Easier deliveries", slug="easier-deliveries")
    return factories.IdeaFactory(challenge=challenge, title="Lockers at stations")


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    return response


def test_a_visitor_gets_the_kept_page_without_a_query(client, idea, django_assert_num_queries):
    url = idea.get_absolute_url()
    assert get(client, url)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = get(client, url)
    assert response["X-Page-Cache"] == "hit"
    assert b"Lockers at stations" in response.content


@pytest.mark.parametrize(
    "name, url",
    [
        ("home", "/"),
        ("challenges", "/challenges/"),
        ("list", "/ideas/?sort=top"),
        ("implemented", "/metrics/implemented/"),
        ("points", "/reputation/points/"),
        ("leaderboard", "/reputation/leaderboard/?period=30d"),
    ],
)
def test_each_public_page_is_kept(client, idea, name, url):
    assert get(client, url)["X-Page-Cache"] == "miss"
    assert get(client, url)["X-Page-Cache"] == "hit"
    # A parameter the view does not read makes no entry of its own (tests/test_pagecache_keys.py).
    assert get(client, url + ("&" if "?" in url else "?") + "utm_source=mail")["X-Page-Cache"] == "hit"


def test_a_vote_replaces_the_kept_pages(client, idea):
    voter = factories.UserFactory()
    get(client, idea.get_absolute_url())
    get(client, "/ideas/?sort=top")
    idea_services.vote_cast(user=voter, idea=idea, value=Vote.Value.UP)
    detail = get(client, idea.get_absolute_url())
    assert detail["X-Page-Cache"] == "miss"
    assert b'data-testid="support">1<' in detail.content
    assert get(client, "/ideas/?sort=top")["X-Page-Cache"] == "miss"


def test_a_change_by_queryset_update_replaces_the_kept_page(client, idea):
    get(client, idea.get_absolute_url())
    Idea.objects.filter(pk=idea.pk).update(title="Parcel lockers at every station")
    response = get(client, idea.get_absolute_url())
    assert b"Parcel lockers at every station" in response.content


def test_a_status_change_and_a_comment_replace_the_kept_page(client, idea):
    triage = factories.TriageFactory()
    get(client, idea.get_absolute_url())
    idea_services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=triage)
    assert b"Shortlisted" in get(client, idea.get_absolute_url()).content
    factories.CommentFactory(idea=idea, body="Also at bus stations, please.")
    assert b"Also at bus stations, please." in get(client, idea.get_absolute_url()).content


def test_renaming_the_author_replaces_the_kept_page(client, idea):
    get(client, idea.get_absolute_url())
    type(idea.author).objects.filter(pk=idea.author_id).update(display_name="Renamed Rita")
    assert b"Renamed Rita" in get(client, idea.get_absolute_url()).content


def test_a_rolled_back_write_keeps_the_page(client, idea):
    get(client, idea.get_absolute_url())
    version = pagecache.content_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Idea.objects.filter(pk=idea.pk).update(title="Never committed")
        raise RuntimeError
    assert pagecache.content_version() == version
    response = get(client, idea.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    assert b"Never committed" not in response.content


def test_one_transaction_moves_the_version_once(idea):
    version = pagecache.content_version()
    with transaction.atomic():
        Idea.objects.filter(pk=idea.pk).update(title="One")
        Idea.objects.filter(pk=idea.pk).update(title="Two")
        factories.CommentFactory(idea=idea)
    assert pagecache.content_version() == version + 1


def test_writes_to_tables_no_public_page_shows_keep_the_pages(client, idea):
    from notifications.models import Notification

    get(client, idea.get_absolute_url())
    Notification.objects.create(recipient=idea.author, kind="idea_received", event_key="x", title="t", url="/")
    assert get(client, idea.get_absolute_url())["X-Page-Cache"] == "hit"


def test_members_are_never_served_a_kept_page(client_for, client, idea, customer):
    get(client, idea.get_absolute_url())
    response = get(client_for(customer), idea.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert b"Sign in</a> to vote" not in response.content


def test_htmx_and_visitors_with_a_session_or_messages_are_not_served_kept_pages(client, idea, settings):
    url = idea.get_absolute_url()
    get(client, url)
    assert "X-Page-Cache" not in get(client, url, HTTP_HX_REQUEST="true")
    client.cookies[CookieStorage.cookie_name] = "anything"
    assert "X-Page-Cache" not in get(client, url)
    del client.cookies[CookieStorage.cookie_name]
    client.cookies[settings.SESSION_COOKIE_NAME] = "anything"
    assert "X-Page-Cache" not in get(client, url)


def test_an_invite_only_challenge_stays_hidden_from_visitors(client, idea):
    from challenges.models import Challenge

    secret = factories.ChallengeFactory(
        title="Secret lab", slug="secret-lab", visibility=Challenge.Visibility.INVITE_ONLY
    )
    factories.IdeaFactory(challenge=secret, title="Hidden idea")
    assert client.get(secret.get_absolute_url()).status_code == 404
    assert b"Hidden idea" not in get(client, "/ideas/").content
    assert b"Hidden idea" not in get(client, "/ideas/").content  # the kept page too


def test_off_when_the_setting_is_zero(client, idea, settings):
    settings.PAGE_CACHE_SECONDS = 0
    assert "X-Page-Cache" not in get(client, idea.get_absolute_url())


def test_a_missing_version_starts_above_any_earlier_one(idea):
    from django.core.cache import cache

    pagecache.content_changed()
    before = pagecache.content_version()
    cache.delete(pagecache.VERSION_KEY)
    assert pagecache.content_version() > before


def test_hiding_a_profile_takes_the_kept_page_away(client, idea):
    author = idea.author
    url = reverse("reputation:profile", args=[author.pk])
    get(client, url)
    assert get(client, url)["X-Page-Cache"] == "hit"
    type(author).objects.filter(pk=author.pk).update(profile_public=False)
    assert client.get(url).status_code == 404
