"""Following ideas and challenges: the services (idempotent, only what the member may see, safe in a
race), and the POST views per role, in place with htmx and as plain forms."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from challenges import services as challenge_services
from challenges.models import Challenge, ChallengeFollow
from ideas import services
from ideas.models import IdeaFollow, Status
from tests import factories
from tests.browser import CHROMIUM, expect, screenshot_on_failure

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def invite_only_challenge(customer):
    challenge = factories.ChallengeFactory(
        title="Lead users only", slug="lead-users", visibility=Challenge.Visibility.INVITE_ONLY
    )
    challenge.invited_members.add(customer)
    return challenge


@pytest.fixture
def private_idea(invite_only_challenge, customer):
    return factories.IdeaFactory(challenge=invite_only_challenge, author=customer, title="Drone drop")


@pytest.fixture
def draft(open_challenge, customer):
    return factories.IdeaFactory(challenge=open_challenge, author=customer, status=Status.DRAFT, submitted_at=None)


def follow_url(idea) -> str:
    return reverse("ideas:follow", args=[idea.pk])


def challenge_follow_url(challenge) -> str:
    return reverse("ideas:challenge_follow", args=[challenge.slug])


# --- services ---


@pytest.mark.django_db
def test_following_an_idea_twice_keeps_one_follow_and_unfollowing_twice_is_quiet(idea, other_customer):
    first = services.idea_follow(user=other_customer, idea=idea)
    assert services.idea_follow(user=other_customer, idea=idea) == first
    assert IdeaFollow.objects.filter(idea=idea, user=other_customer).count() == 1
    services.idea_unfollow(user=other_customer, idea=idea)
    services.idea_unfollow(user=other_customer, idea=idea)
    assert not IdeaFollow.objects.filter(idea=idea, user=other_customer).exists()


@pytest.mark.django_db
def test_following_a_challenge_twice_keeps_one_follow(open_challenge, customer):
    challenge_services.challenge_follow(user=customer, challenge=open_challenge)
    challenge_services.challenge_follow(user=customer, challenge=open_challenge)
    assert ChallengeFollow.objects.filter(challenge=open_challenge, user=customer).count() == 1
    challenge_services.challenge_unfollow(user=customer, challenge=open_challenge)
    challenge_services.challenge_unfollow(user=customer, challenge=open_challenge)
    assert not ChallengeFollow.objects.exists()


@pytest.mark.django_db
def test_members_follow_only_what_they_may_see(private_idea, invite_only_challenge, draft, customer, other_customer):
    from django.contrib.auth.models import AnonymousUser

    for user, message in [(other_customer, "not open to you"), (AnonymousUser(), "Sign in")]:
        for idea in (private_idea, draft):
            with pytest.raises(services.FollowNotAllowed, match=message):
                services.idea_follow(user=user, idea=idea)
        with pytest.raises(challenge_services.FollowNotAllowed, match=message):
            challenge_services.challenge_follow(user=user, challenge=invite_only_challenge)
    assert not IdeaFollow.objects.exists() and not ChallengeFollow.objects.exists()
    # The author and the invited member may.
    services.idea_follow(user=customer, idea=draft)
    services.idea_follow(user=customer, idea=private_idea)
    challenge_services.challenge_follow(user=customer, challenge=invite_only_challenge)


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql  # concurrent writers: SQLite serialises them
def test_members_following_at_the_same_moment_end_with_one_follow_each_and_no_error(idea, other_customer):
    """Threads with their own connections race on get_or_create: the unique constraint decides."""
    barrier = threading.Barrier(4)
    errors = []

    def follow():
        try:
            barrier.wait()
            services.idea_follow(user=other_customer, idea=idea)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=follow) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert IdeaFollow.objects.filter(idea=idea, user=other_customer).count() == 1


# --- views, per role ---


@pytest.mark.django_db
def test_a_visitor_is_sent_to_sign_in_and_follows_nothing(client_for, idea, open_challenge):
    client = client_for(None)
    response = client.post(follow_url(idea), {"action": "follow"})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    response = client.post(follow_url(idea), {"action": "follow"}, **HTMX)
    assert response.status_code == 200
    assert "Sign in</a> to follow this idea" in response.content.decode()
    response = client.post(challenge_follow_url(open_challenge), {"action": "follow"})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not IdeaFollow.objects.exists() and not ChallengeFollow.objects.exists()
    detail = client.get(idea.get_absolute_url()).content.decode()
    assert "to follow this idea" in detail


@pytest.mark.django_db
def test_a_customer_follows_and_unfollows_an_idea_with_a_plain_form(client_for, other_customer, idea):
    client = client_for(other_customer)
    response = client.post(follow_url(idea), {"action": "follow", "next": "/ideas/?sort=top"})
    assert response.status_code == 302 and response["Location"] == "/ideas/?sort=top"
    assert IdeaFollow.objects.filter(idea=idea, user=other_customer).exists()
    response = client.post(follow_url(idea), {"action": "unfollow", "next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain[-1][0] == idea.get_absolute_url()
    assert "You no longer follow this idea." in response.content.decode()
    assert not IdeaFollow.objects.exists()


@pytest.mark.django_db
def test_htmx_swaps_the_card_in_place(client_for, other_customer, customer, idea):
    IdeaFollow.objects.create(idea=idea, user=customer)
    client = client_for(other_customer)
    card = client.post(follow_url(idea), {"action": "follow"}, **HTMX).content.decode()
    assert f'id="follow-idea-{idea.pk}"' in card and "<html" not in card
    assert 'data-testid="following"' in card and 'value="unfollow"' in card
    assert "2 followers" in card
    card = client.post(follow_url(idea), {"action": "unfollow"}, **HTMX).content.decode()
    assert 'data-testid="following"' not in card and 'value="follow"' in card and "1 follower" in card
    # A page that did not render the card loads it with htmx; a plain GET goes back to the idea.
    assert 'data-testid="following"' not in client.get(follow_url(idea), **HTMX).content.decode()
    assert client.get(follow_url(idea))["Location"] == idea.get_absolute_url()


@pytest.mark.django_db
def test_the_idea_and_challenge_pages_carry_the_follow_cards(client_for, other_customer, idea):
    client = client_for(other_customer)
    assert follow_url(idea) in client.get(idea.get_absolute_url()).content.decode()
    page = client.get(idea.challenge.get_absolute_url()).content.decode()
    assert challenge_follow_url(idea.challenge) in page


@pytest.mark.django_db
def test_a_customer_follows_a_challenge_in_place(client_for, customer, open_challenge):
    client = client_for(customer)
    card = client.post(challenge_follow_url(open_challenge), {"action": "follow"}, **HTMX).content.decode()
    assert 'data-testid="following"' in card and "1 follower" in card
    assert ChallengeFollow.objects.filter(challenge=open_challenge, user=customer).exists()
    response = client.post(challenge_follow_url(open_challenge), {"action": "unfollow"})
    assert response.status_code == 302 and response["Location"] == open_challenge.get_absolute_url()
    assert not ChallengeFollow.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "other_customer"])
@pytest.mark.parametrize("htmx", [False, True])
def test_an_idea_or_challenge_the_member_may_not_see_is_a_404(
    client_for, other_customer, private_idea, draft, invite_only_challenge, role, htmx
):
    client = client_for(other_customer if role == "other_customer" else None)
    headers = HTMX if htmx else {}
    for idea in (private_idea, draft):
        assert client.post(follow_url(idea), {"action": "follow"}, **headers).status_code == 404
        assert client.get(follow_url(idea), **headers).status_code == 404
    draft_challenge = factories.ChallengeFactory(phase=Challenge.Phase.DRAFT)
    for challenge in (invite_only_challenge, draft_challenge):
        assert client.post(challenge_follow_url(challenge), {"action": "follow"}, **headers).status_code == 404
    assert client.post(reverse("ideas:follow", args=[999999]), {"action": "follow"}).status_code == 404
    assert not IdeaFollow.objects.exists() and not ChallengeFollow.objects.exists()


@pytest.mark.django_db
def test_the_invited_author_follows_their_private_idea(client_for, customer, private_idea, invite_only_challenge):
    client = client_for(customer)
    assert client.post(follow_url(private_idea), {"action": "follow"}).status_code == 302
    assert client.post(challenge_follow_url(invite_only_challenge), {"action": "follow"}).status_code == 302
    assert IdeaFollow.objects.filter(user=customer).count() == 1
    assert ChallengeFollow.objects.filter(user=customer).count() == 1


@pytest.mark.django_db
def test_an_unknown_action_changes_nothing(client_for, other_customer, idea):
    client = client_for(other_customer)
    assert client.post(follow_url(idea), {"action": "shout"}).status_code == 400
    assert client.post(follow_url(idea)).status_code == 400
    assert client.put(follow_url(idea)).status_code == 405
    assert not IdeaFollow.objects.exists()


# --- in a real browser: the htmx toggle ---


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
def test_following_in_the_browser_swaps_the_card_without_a_page_load(page, tmp_path):
    reader = factories.UserFactory(display_name="Rita Reader")
    idea = factories.IdeaFactory(title="Lockers at stations")
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(reader.email)
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("navigation", name="Main")).to_contain_text("Rita Reader")

        page.goto(idea.get_absolute_url())
        expect(page.get_by_test_id("followers")).to_have_text("0 followers")
        page.evaluate("window.notReloaded = true")
        page.get_by_role("button", name="Follow", exact=True).click()
        expect(page.get_by_test_id("following")).to_have_text("Following")
        expect(page.get_by_test_id("followers")).to_have_text("1 follower")
        page.get_by_role("button", name="Unfollow").click()
        expect(page.get_by_role("button", name="Follow", exact=True)).to_be_visible()
        assert page.evaluate("window.notReloaded === true"), "following reloaded the page"
    assert not IdeaFollow.objects.filter(user=reader).exists()
