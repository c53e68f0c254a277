"""The kept fragments of members' pages (core.fragments, ideas.views_fragments; issue 21).

An idea card is kept once for every viewer, per idea, sort, audience, content version and language;
each viewer's own vote box is filled into it per request. Transactional tests: the content version
moves on when a write commits, as in production.
"""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from core import fragments, pagecache
from ideas.models import Idea
from ideas.views_fragments import CSRF_SLOT
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _caches_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def ideas(open_challenge, customer):
    return [
        factories.IdeaFactory(challenge=open_challenge, author=customer, title=f"Lockers at station {n}")
        for n in range(3)
    ]


def _card_key(idea, *, sort="top", audience="all", language="en", answered=""):
    return f"fragment:{pagecache.content_version()}:{language}:idea-card:card:{idea.pk}:{sort}:{answered}:{audience}"


def _list(client):
    response = client.get(reverse("ideas:list"), {"sort": "top"})
    assert response.status_code == 200
    return response.content.decode()


def _chosen(html: str) -> tuple[int, int]:
    """(up buttons shown as chosen, down buttons shown as chosen)."""
    return (
        html.count('class="vote-button chosen" aria-pressed="true">▲ Up'),
        html.count('class="vote-button chosen" aria-pressed="true">▼ Down'),
    )


def test_the_card_is_kept_and_each_member_sees_their_own_vote(client_for, ideas):
    ann, ben = factories.UserFactory(display_name="Ann"), factories.UserFactory(display_name="Ben")
    factories.VoteFactory(idea=ideas[0], user=ann, value=1)
    factories.VoteFactory(idea=ideas[0], user=ben, value=-1)
    factories.VoteFactory(idea=ideas[1], user=ben, value=1)

    assert _chosen(_list(client_for(ann))) == (1, 0)
    assert cache.get(_card_key(ideas[0])) is not None  # kept by Ann's request
    # Ben's page is made of the cards Ann's request kept, with his own votes in them.
    html = _list(client_for(ben))
    assert _chosen(html) == (1, 1)
    assert html.count('value="withdraw"') == 2
    # The kept vote boxes carry this request's CSRF token, not the slot that stands for it.
    assert CSRF_SLOT not in html and html.count('name="csrfmiddlewaretoken" value="') >= 3
    assert _chosen(_list(client_for(ann))) == (1, 0)
    assert _chosen(_list(client_for(None))) == (0, 0)


def test_a_kept_card_is_served_with_the_viewers_vote_box_in_its_slot(client_for, ideas):
    member = factories.UserFactory()
    factories.VoteFactory(idea=ideas[2], user=member, value=1)
    client = client_for(member)
    _list(client)
    cache.set(_card_key(ideas[2]), f"<article>kept card {fragments.SLOT}</article>", 60)
    html = _list(client)
    assert "<article>kept card " in html  # the kept one, not a new render
    assert fragments.SLOT not in html
    assert _chosen(html) == (1, 0)


def test_a_committed_write_replaces_the_kept_cards(client_for, ideas):
    client = client_for(factories.UserFactory())
    assert "Lockers at station 1" in _list(client)
    Idea.objects.filter(pk=ideas[1].pk).update(title="Parcel boxes at stations")
    html = _list(client)
    assert "Parcel boxes at stations" in html and "Lockers at station 1" not in html
    Idea.objects.filter(pk=ideas[1].pk).update(comments_count=7)
    assert "7 comments" in _list(client)


def test_each_language_has_its_own_cards(client_for, ideas):
    client = client_for(factories.UserFactory())
    _list(client)
    assert cache.get(_card_key(ideas[0])) is not None
    assert cache.get(_card_key(ideas[0], language="de")) is None
    cache.set(_card_key(ideas[0]), f"<article>English card {fragments.SLOT}</article>", 60)
    german = client.get(reverse("ideas:list"), {"sort": "top"}, HTTP_ACCEPT_LANGUAGE="de")
    if german.headers.get("Content-Language") == "de":  # German is offered (settings.LANGUAGES)
        assert "English card" not in german.content.decode()
        assert cache.get(_card_key(ideas[0], language="de")) is not None


def test_names_link_as_each_viewer_may_see_them(client_for, open_challenge):
    hidden = factories.UserFactory(display_name="Hidden Author", profile_public=False)
    idea = factories.IdeaFactory(challenge=open_challenge, author=hidden, title="Lockers")
    profile = reverse("reputation:profile", args=[hidden.pk])
    assert profile not in _list(client_for(factories.UserFactory()))
    # Staff see every profile (their own kept cards), the author their own (never kept).
    assert profile in _list(client_for(factories.TriageFactory()))
    assert cache.get(_card_key(idea, audience="staff")) is not None
    assert profile in _list(client_for(hidden))
    assert profile not in _list(client_for(factories.UserFactory()))


def test_the_authors_own_card_is_never_kept(client_for, customer, ideas):
    _list(client_for(customer))
    assert all(cache.get(_card_key(idea)) is None for idea in ideas)


@pytest.mark.parametrize("name, queries", [("list", 12), ("home", 6), ("challenge", 13)])
def test_query_counts_are_the_same_with_kept_cards(
    client_for, other_customer, open_challenge, ideas, name, queries, django_assert_num_queries
):
    url = {
        "list": reverse("ideas:list") + "?sort=top",
        "home": "/",
        "challenge": open_challenge.get_absolute_url(),
    }[name]
    client = client_for(other_customer)
    with pagecache_off(), django_assert_num_queries(queries):  # no fragment cache: as before issue 21
        assert client.get(url).status_code == 200
    with django_assert_num_queries(queries):  # kept
        assert client.get(url).status_code == 200
    with django_assert_num_queries(queries):  # served from the kept cards
        assert client.get(url).status_code == 200


class pagecache_off:
    def __enter__(self):
        self.seconds, settings.PAGE_CACHE_SECONDS = settings.PAGE_CACHE_SECONDS, 0

    def __exit__(self, *exc):
        settings.PAGE_CACHE_SECONDS = self.seconds


def _comment_key(comment, *, audience="all", language="en"):
    return f"fragment:{pagecache.content_version()}:{language}:comment-head:{comment.pk}:{audience}"


def test_comments_are_kept_and_each_member_sees_their_own_kudos_and_buttons(client_for, idea):
    from ideas.models import Kudos

    writer = factories.UserFactory(display_name="Wren Writer")
    comment = factories.CommentFactory(idea=idea, author=writer, body="Lockers **work** at night")
    ann, ben = factories.UserFactory(), factories.UserFactory()
    Kudos.objects.create(comment=comment, user=ann)

    clients = {}
    for user in (ann, ben, writer):  # signed in first: a sign-in writes the member's row, a new version
        clients[user] = Client()
        clients[user].force_login(user)

    def page(user):
        response = clients[user].get(idea.get_absolute_url())
        assert response.status_code == 200
        return response.content.decode()

    html = page(ann)
    assert "<strong>work</strong>" in html and 'aria-pressed="true"' in html.split('id="kudos-')[1]
    assert cache.get(_comment_key(comment)) is not None
    cache.set(_comment_key(comment), "<p>kept head</p>", 60)
    html = page(ben)
    assert "<p>kept head</p>" in html  # the kept head, with Ben's own buttons
    kudos = html.split('id="kudos-')[1]
    assert 'aria-pressed="false"' in kudos and 'aria-pressed="true"' not in kudos
    # The writer's own comment is rendered whole (their Edit and Remove buttons), never from the kept head.
    html = page(writer)
    assert "<p>kept head</p>" not in html and "Remove my comment" in html
