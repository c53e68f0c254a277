"""Customers at home (issue 17): voting from every list card, the cards' summaries and badges, one
votes query per page, voting closed at an ending, and the page cache keeping no member's vote state."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from challenges.models import Challenge
from core.funnel import ENDED_STATUSES, OPEN_STATUSES
from ideas import rules, services
from ideas.models import Idea, Status, StatusChange, Vote
from tests import factories
from tests.api_clients import error_of, send, token_client

HTMX = {"HTTP_HX_REQUEST": "true"}


def _list_pages(challenge) -> dict[str, str]:
    return {
        "ideas": reverse("ideas:list"),
        "challenge": challenge.get_absolute_url(),
        "home": reverse("home"),
    }


def _answered(idea: Idea, status: str = Status.SHORTLISTED, reason: str = "") -> Idea:
    """The idea as staff answered it (the home page lists those); a duplicate names its target."""
    target = None
    if status == Status.DUPLICATE:
        target = factories.IdeaFactory(challenge=idea.challenge, title="The idea it joined")
    Idea.objects.filter(pk=idea.pk).update(status=status, decided_at=timezone.now(), duplicate_of=target)
    if reason:
        StatusChange.objects.create(idea=idea, from_status=Status.SUBMITTED, to_status=status, reason=reason)
    idea.refresh_from_db()
    return idea


def _cards(content: str) -> list[str]:
    return re.findall(r'<article class="card idea-card".*?</article>', content, flags=re.S)


# --- what each role sees on a card ---


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["ideas", "challenge", "home"])
def test_a_member_gets_vote_buttons_on_every_card(client_for, other_customer, open_challenge, idea, page):
    _answered(idea)  # shortlisted: answered (on the home page) and still open for votes
    content = client_for(other_customer).get(_list_pages(open_challenge)[page]).content.decode()
    [card] = _cards(content)
    assert f'hx-post="{reverse("ideas:vote", args=[idea.pk])}"' in card
    assert 'name="card" value="1"' in card and "▲ Up" in card and "▼ Down" in card
    assert 'data-testid="support">0<' in card


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["ideas", "challenge", "home"])
def test_a_visitor_sees_the_count_and_a_sign_in_link_that_comes_back(client_for, open_challenge, idea, page):
    _answered(idea)
    url = _list_pages(open_challenge)[page]
    factories.VoteFactory(idea=idea)
    Idea.objects.filter(pk=idea.pk).update(votes_up=1)
    [card] = _cards(client_for(None).get(url).content.decode())
    assert 'data-testid="support">1<' in card
    assert "<form" not in card and "csrfmiddlewaretoken" not in card
    sign_in = re.search(r'href="([^"]+)" data-testid="vote-sign-in"', card).group(1)
    assert sign_in.startswith(reverse("account_login") + "?next=")
    assert sign_in.endswith(f"?next={url}")


@pytest.mark.django_db
def test_the_author_sees_why_there_are_no_buttons_on_their_card(client_for, customer, open_challenge, idea):
    [card] = _cards(client_for(customer).get(reverse("ideas:list")).content.decode())
    assert "You cannot vote on your own idea." in card and "<form" not in card


@pytest.mark.django_db
def test_a_card_shows_a_plain_text_summary_and_the_status_badge(client_for, open_challenge, customer):
    factories.IdeaFactory(
        challenge=open_challenge,
        author=customer,
        problem="## Late vans\n\n**Nobody** is home <script>alert(1)</script> when [the van](https://example.com) comes.",
        status=Status.UNDER_REVIEW,
    )
    [card] = _cards(client_for(None).get(reverse("ideas:list")).content.decode())
    summary = re.search(r'<p class="idea-summary" data-testid="idea-summary">(.*?)</p>', card).group(1)
    assert summary == "Late vans Nobody is home when the van comes."
    assert '<span class="badge status-under_review">Under review</span>' in card
    assert "<script>" not in card


# --- voting from a card ---


@pytest.mark.django_db
def test_a_vote_from_a_card_swaps_the_cards_box_in_place_and_undo_takes_it_back(client_for, other_customer, idea):
    client = client_for(other_customer)
    url = reverse("ideas:vote", args=[idea.pk])
    box = client.post(url, {"value": "up", "card": "1", "next": "/ideas/"}, **HTMX).content.decode()
    assert box.lstrip().startswith(f'<div class="vote vote-card" id="vote-{idea.pk}"')
    assert 'data-testid="support">1<' in box and 'class="vote-button chosen" aria-pressed="true">▲ Up' in box
    assert "Undo" in box
    assert Vote.objects.get(idea=idea, user=other_customer).value == Vote.Value.UP
    box = client.post(url, {"value": "withdraw", "card": "1"}, **HTMX).content.decode()
    assert 'data-testid="support">0<' in box and "Undo" not in box
    assert not Vote.objects.filter(idea=idea).exists()


@pytest.mark.django_db
def test_a_vote_from_a_card_without_javascript_comes_back_to_the_list(client_for, other_customer, idea):
    response = client_for(other_customer).post(
        reverse("ideas:vote", args=[idea.pk]), {"value": "down", "card": "1", "next": "/ideas/?sort=top"}
    )
    assert response.status_code == 302 and response.url == "/ideas/?sort=top"
    idea.refresh_from_db()
    assert (idea.votes_up, idea.votes_down) == (0, 1)


@pytest.mark.django_db
def test_a_visitors_vote_from_a_card_asks_them_to_sign_in_and_come_back(client_for, idea):
    response = client_for(None).post(reverse("ideas:vote", args=[idea.pk]), {"value": "up", "next": "/ideas/"})
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=/ideas/"
    box = client_for(None).post(reverse("ideas:vote", args=[idea.pk]), {"value": "up", "card": "1"}, **HTMX)
    assert "Sign in to vote" in box.content.decode() and not Vote.objects.exists()


@pytest.mark.django_db
def test_staff_vote_from_a_card_like_members(client_for, triage, idea):
    box = client_for(triage).post(reverse("ideas:vote", args=[idea.pk]), {"value": "up", "card": "1"}, **HTMX)
    assert 'data-testid="support">1<' in box.content.decode()


# --- one votes query per page ---


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["ideas", "challenge", "home"])
@pytest.mark.parametrize("viewer", ["visitor", "member", "invited member"])
def test_a_list_page_asks_the_same_number_of_queries_for_one_card_or_many(client_for, other_customer, page, viewer):
    private = viewer == "invited member"
    challenge = factories.ChallengeFactory(
        visibility=Challenge.Visibility.INVITE_ONLY if private else Challenge.Visibility.PUBLIC
    )
    challenge.invited_members.add(other_customer)
    client = client_for(None if viewer == "visitor" else other_customer)
    url = _list_pages(challenge)[page]

    def add_ideas(count):
        for _ in range(count):
            idea = _answered(factories.IdeaFactory(challenge=challenge), reason="Shortlisted: a strong fit.")
            factories.VoteFactory(idea=idea, user=other_customer)

    add_ideas(1)
    client.get(url)  # the session and the caches warm
    one = _queries(client, url)
    add_ideas(5)
    many = _queries(client, url)
    content = client.get(url).content.decode()
    assert len(_cards(content)) == 6
    assert many == one
    if viewer != "visitor":
        assert content.count('aria-pressed="true">▲ Up') == 6  # every card knows the member's vote


# --- voting closes when an idea reaches an ending ---


@pytest.mark.django_db
@pytest.mark.parametrize("status", sorted(ENDED_STATUSES))
def test_an_ended_idea_takes_no_new_votes_and_keeps_its_own(client_for, other_customer, triage, idea, status):
    voter = factories.UserFactory()
    services.vote_cast(user=voter, idea=idea, value=Vote.Value.UP)
    _answered(idea, status)
    refusal = rules.vote_refusal(other_customer, idea)
    assert refusal and refusal == rules.vote_refusal(triage, idea)  # staff too
    for user in (other_customer, triage):
        with pytest.raises(services.VoteNotAllowed, match=re.escape(refusal)):
            services.vote_cast(user=user, idea=idea, value=Vote.Value.UP)
    with pytest.raises(services.VoteNotAllowed):
        services.vote_withdraw(user=voter, idea=idea)  # an existing vote stays counted
    idea.refresh_from_db()
    assert (idea.votes_up, Vote.objects.filter(idea=idea).count()) == (1, 1)
    # The API's vote endpoint asks the same rule.
    response = send(token_client(triage), "put", f"/api/v1/ideas/{idea.pk}/vote/", {"value": "up"})
    assert response.status_code == 400 and error_of(response) == {"code": "refused", "message": refusal}
    # The idea's vote box says why.
    if status != Status.WITHDRAWN:  # a withdrawn idea is its author's and staff's alone
        content = client_for(other_customer).get(idea.get_absolute_url()).content.decode()
        assert escape(refusal) in content and 'name="value" value="up"' not in content


@pytest.mark.django_db
@pytest.mark.parametrize("status", sorted(OPEN_STATUSES))
def test_an_open_idea_takes_votes(other_customer, idea, status):
    _answered(idea, status)
    assert rules.vote_refusal(other_customer, idea) is None
    assert services.vote_cast(user=other_customer, idea=idea, value=Vote.Value.UP).votes_up == 1


@pytest.mark.django_db
def test_recently_answered_ideas_show_their_answer_and_no_vote_buttons_once_ended(
    client_for, other_customer, open_challenge
):
    declined = _answered(
        factories.IdeaFactory(challenge=open_challenge, title="Drone drops"), Status.DECLINED, "Not allowed in town."
    )
    merged = _answered(factories.IdeaFactory(challenge=open_challenge, title="Van map"), Status.DUPLICATE, "Merged.")
    shortlisted = _answered(factories.IdeaFactory(challenge=open_challenge, title="Lockers"), reason="A strong fit.")
    cards = {
        re.search(r'<h3><a href="[^"]+">(.*?)</a>', card).group(1): card
        for card in _cards(client_for(other_customer).get(reverse("home")).content.decode())
    }
    assert set(cards) == {declined.title, merged.title, shortlisted.title}
    assert "The team’s answer:</strong> Not allowed in town." in cards["Drone drops"]
    assert "Voting closed" in cards["Drone drops"] and "<form" not in cards["Drone drops"]
    assert "Merged into another idea: its votes moved there." in cards["Van map"]
    assert 'data-testid="support"' not in cards["Van map"] and "<form" not in cards["Van map"]
    assert "The team’s answer:</strong> A strong fit." in cards["Lockers"] and "▲ Up" in cards["Lockers"]


# --- the page cache keeps no member's vote state ---


@pytest.mark.django_db(transaction=True)
def test_the_page_cache_never_serves_a_members_vote_state(client, settings):
    settings.PAGE_CACHE_SECONDS = 300
    from django.test import Client

    idea = factories.IdeaFactory(challenge=factories.ChallengeFactory())
    member, other = factories.UserFactory(), factories.UserFactory()
    services.vote_cast(user=member, idea=idea, value=Vote.Value.UP)
    url = reverse("ideas:list")
    members_client = Client()
    members_client.force_login(member)
    own = members_client.get(url)
    assert 'aria-pressed="true">▲ Up' in own.content.decode() and "X-Page-Cache" not in own
    visitor = Client()
    first, second = visitor.get(url), visitor.get(url)
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    for response in (first, second):
        content = response.content.decode()
        assert "aria-pressed" not in content and "csrfmiddlewaretoken" not in content
        assert 'data-testid="vote-sign-in"' in content
    others_client = Client()
    others_client.force_login(other)
    theirs = others_client.get(url)
    assert "X-Page-Cache" not in theirs
    assert 'aria-pressed="false">▲ Up' in theirs.content.decode()
    assert 'aria-pressed="true"' not in theirs.content.decode()
