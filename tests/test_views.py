"""Every page for each role: anonymous, customer (the author), another customer, triage staff, mentor."""

import pytest
from django.urls import reverse

from challenges.models import Challenge
from ideas.models import Status
from tests import factories

ROLES = ["anonymous", "customer", "other_customer", "triage", "mentor"]


@pytest.fixture
def draft_challenge(db):
    return factories.ChallengeFactory(title="Secret draft challenge", slug="secret-draft", phase=Challenge.Phase.DRAFT)


@pytest.fixture
def invite_only_challenge(other_customer):
    challenge = factories.ChallengeFactory(
        title="Lead users only", slug="lead-users", visibility=Challenge.Visibility.INVITE_ONLY
    )
    challenge.invited_members.add(other_customer)
    return challenge


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_home_lists_open_challenges_and_answered_ideas(as_role, role, idea, draft_challenge, invite_only_challenge):
    idea.status, idea.decided_at = Status.SHORTLISTED, idea.submitted_at
    idea.save()
    response = as_role(role).get(reverse("home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Easier deliveries" in content
    assert "Lockers at stations" in content
    assert "Secret draft challenge" not in content  # not open
    assert ("Lead users only" in content) is (role in {"other_customer", "triage"})


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_challenge_list(as_role, role, open_challenge, draft_challenge, invite_only_challenge):
    response = as_role(role).get(reverse("challenges:list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Easier deliveries" in content
    assert ("Secret draft challenge" in content) is (role == "triage")
    assert ("Lead users only" in content) is (role in {"other_customer", "triage"})


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_challenge_detail_shows_brief_criteria_timeline_and_ideas(as_role, role, idea):
    challenge = idea.challenge
    challenge.criteria.create(name="Pain-point fit", weight=60)
    challenge.criteria.create(name="Profit potential", weight=40)
    response = as_role(role).get(challenge.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "<strong>receiving a delivery</strong>" in content  # Markdown rendered
    assert "We run our own vans" in content
    assert "Pain-point fit" in content and "60%" in content
    assert "A year of free deliveries" in content
    assert "Open for ideas" in content
    assert "Lockers at stations" in content
    if role == "anonymous":
        assert "Sign in to submit" in content
    else:
        assert reverse("challenges:submit", args=[challenge.slug]) in content


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_draft_challenge_exists_only_for_staff(as_role, role, draft_challenge):
    response = as_role(role).get(draft_challenge.get_absolute_url())
    assert response.status_code == (200 if role == "triage" else 404)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_invite_only_challenge_and_its_ideas_exist_only_for_invited(as_role, role, invite_only_challenge, customer):
    private_idea = factories.IdeaFactory(challenge=invite_only_challenge, title="Private locker idea")
    visible = role in {"other_customer", "triage"}
    assert as_role(role).get(invite_only_challenge.get_absolute_url()).status_code == (200 if visible else 404)
    assert as_role(role).get(private_idea.get_absolute_url()).status_code == (200 if visible else 404)
    listed = as_role(role).get(reverse("ideas:list")).content.decode()
    assert ("Private locker idea" in listed) is visible


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_idea_list_filters_and_hides_drafts(as_role, role, idea, customer):
    factories.IdeaFactory(
        challenge=idea.challenge, author=customer, title="My unfinished draft", status=Status.DRAFT, submitted_at=None
    )
    client = as_role(role)
    content = client.get(reverse("ideas:list")).content.decode()
    assert "Lockers at stations" in content
    assert "My unfinished draft" not in content  # drafts never appear in lists, not even the author's
    filtered = client.get(reverse("ideas:list"), {"status": "declined"}).content.decode()
    assert "Lockers at stations" not in filtered
    assert "No ideas match" in filtered


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_idea_detail(as_role, role, idea):
    factories.CommentFactory(idea=idea, body="What about *cold* goods?")
    response = as_role(role).get(idea.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Lockers at stations" in content
    assert "What about <em>cold</em> goods?" in content
    if role == "anonymous":
        assert "to vote" in content and "to comment" in content
    elif role == "customer":
        assert "You cannot vote on your own idea." in content
    else:
        assert 'name="value" value="up"' in content
        assert "Post comment" in content


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_draft_idea_is_private_to_its_author_and_staff(as_role, role, open_challenge, customer):
    draft = factories.IdeaFactory(challenge=open_challenge, author=customer, status=Status.DRAFT, submitted_at=None)
    response = as_role(role).get(draft.get_absolute_url())
    assert response.status_code == (200 if role in {"customer", "triage"} else 404)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_submit_page(as_role, role, open_challenge):
    response = as_role(role).get(reverse("challenges:submit", args=[open_challenge.slug]))
    if role == "anonymous":
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    else:
        assert response.status_code == 200
        assert "Which outcomes does it address?" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("phase", ["review", "mentoring", "final", "closed"])
def test_submit_page_refuses_when_challenge_not_open(client_for, customer, phase):
    challenge = factories.ChallengeFactory(phase=phase)
    response = client_for(customer).get(reverse("challenges:submit", args=[challenge.slug]))
    assert response.status_code == 403
    assert "This challenge is not taking ideas" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_my_ideas_and_profile_need_sign_in(as_role, role, idea):
    for url in (reverse("ideas:mine"), reverse("profile")):
        response = as_role(role).get(url)
        if role == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == 200
    mine = as_role(role).get(reverse("ideas:mine")).content.decode()
    assert ("Lockers at stations" in mine) is (role == "customer")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_admin_is_for_staff_only(as_role, role):
    response = as_role(role).get(reverse("admin:index"))
    assert response.status_code == (200 if role == "triage" else 302)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_account_pages(as_role, role):
    """Visitors get the sign-in, sign-up and password-reset forms; a signed-in member who opens
    sign-in or sign-up is sent home instead, and can still ask for a password reset."""
    client = as_role(role)
    forms = {
        "account_login": ['name="login"', 'name="password"'],
        "account_signup": ['name="email"', 'name="password1"'],
        "account_reset_password": ['name="email"'],
    }
    for name, fields in forms.items():
        response = client.get(reverse(name))
        if role != "anonymous" and name != "account_reset_password":
            assert (response.status_code, response["Location"]) == (302, "/"), name
            continue
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "<form" in html and all(field in html for field in fields), name


@pytest.mark.django_db
def test_healthz(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json()["checks"]["database"]["ok"]


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", [5, 25])
def test_idea_list_query_count_is_constant_in_page_size(
    client_for, other_customer, open_challenge, settings, page_size, django_assert_num_queries
):
    """Fixed queries whatever the page size: user, count, ids, page, outcomes, votes, challenge filter."""
    settings.IDEAS_PER_PAGE = page_size
    for _ in range(page_size):
        idea = factories.IdeaFactory(challenge=open_challenge)
        factories.VoteFactory(idea=idea, user=other_customer)
        factories.CommentFactory(idea=idea)
    client = client_for(other_customer)
    # The session, 8, the header's unread count, the page's ids read first, and the co-authors (one prefetch).
    with django_assert_num_queries(12):
        response = client.get(reverse("ideas:list"), {"sort": "top"})
    assert response.status_code == 200
    # Every card's vote box shows the member's up vote, from the one votes query.
    assert response.content.decode().count('class="vote-button chosen" aria-pressed="true">▲ Up') == page_size


@pytest.mark.django_db
@pytest.mark.parametrize("ideas", [6, 60])
@pytest.mark.parametrize("sort", ["top", "trending", "opportunity", "newest"])
def test_idea_list_query_count_is_constant_in_data_size(
    client_for, other_customer, open_challenge, settings, ideas, sort, django_assert_num_queries
):
    """Six ideas or sixty behind a page of five, in every order, searched or not: the same queries."""
    settings.IDEAS_PER_PAGE = 5
    factories.IdeaFactory.create_batch(ideas, challenge=open_challenge, title="Parcel lockers")
    client = client_for(other_customer)
    with django_assert_num_queries(12):
        assert client.get(reverse("ideas:list"), {"sort": sort, "page": 2}).status_code == 200
    with django_assert_num_queries(12):
        assert client.get(reverse("ideas:list"), {"sort": sort, "q": "lockers"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("comments", [1, 10])
def test_idea_detail_query_count_is_constant(client_for, other_customer, idea, comments, django_assert_num_queries):
    factories.CommentFactory.create_batch(comments, idea=idea)
    client = client_for(other_customer)
    # The session (database sessions), then the page. The comments come in two fixed queries, the top-level ones and all their replies
    # (ideas.selectors.comment_threads_for); the viewer's kudos and flags ride along as EXISTS;
    # one more for the follow card (followers and whether the viewer follows, in one aggregate).
    # The mentoring card adds none for other members (tests/test_mentoring.py counts the author's page);
    # the header's unread-notification count adds one for every signed-in member.
    # The tier badges (the author's and each commenter's) read the tier cached on their totals,
    # selected with them: no query of their own. The idea's files and its comments' files come in one
    # query (attachments.selectors.idea_files); the answers to the challenge's questions and the
    # accepted co-authors, one prefetch each.
    with django_assert_num_queries(14):
        assert client.get(idea.get_absolute_url()).status_code == 200
