"""To everyone but its invited members (and triage staff) an invite-only challenge and its ideas do
not exist: 404 on every page and endpoint, exactly as for something that was never there, and
absent from every list, filter, search, count and email.

Roles: anonymous, a member not invited, an invited member, triage staff, and a mentor (mentors are
not invited by their role: until mentor assignments exist, a mentor sees what any member sees).

Not covered here, because no such path exists yet: feeds, and notifications to followers of a
challenge (ChallengeFollow) — the hook for those is ``challenges.services._phase_changed``; when it
is written, a member who is not invited must neither follow (the follow endpoints below already
404) nor be notified.
"""

import re

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse

from challenges import services as challenge_services
from challenges.models import Challenge, ChallengeFollow
from ideas import services as idea_services
from ideas.models import Comment, CommentFlag, IdeaFollow, Kudos, Status, Vote
from tests import factories

ROLES = ["anonymous", "member", "invited", "triage", "mentor"]
SEES_IT = {"invited", "triage"}
MISSING_PK = 987_654_321
MISSING_SLUG = "no-such-challenge"
PRIVATE_TITLES = ["Private locker idea", "Private answered locker"]
PUBLIC_TITLES = ["Lockers at stations", "Locker codes by text"]


@pytest.fixture
def world(db, triage):
    """A public and an invite-only challenge sharing one outcome, each with two published ideas
    mentioning lockers (one answered), and the private one also with an outcome of its own."""
    shared = factories.OutcomeFactory(code="SHARED-01")
    private_only = factories.OutcomeFactory(code="PRIV-01")
    public = factories.ChallengeFactory(title="Easier deliveries", slug="easier", outcomes=[shared])
    private = factories.ChallengeFactory(
        title="Lead users only",
        slug="lead-users",
        visibility=Challenge.Visibility.INVITE_ONLY,
        outcomes=[shared, private_only],
    )
    lead_user = factories.UserFactory(display_name="Lead User")  # the private ideas' author, invited
    invited = factories.UserFactory(display_name="Ivy Invited")
    private.invited_members.add(lead_user, invited)

    def idea(challenge, title, outcomes, answered):
        author = lead_user if challenge is private else factories.UserFactory()
        made = factories.IdeaFactory(challenge=challenge, author=author, title=title, outcomes=outcomes)
        if answered:
            idea_services.idea_status_change(idea=made, to_status=Status.SHORTLISTED, changed_by=triage)
        return made

    ideas = {
        "public": idea(public, "Lockers at stations", [shared], True),
        "public_2": idea(public, "Locker codes by text", [shared], False),
        "private": idea(private, "Private locker idea", [private_only], False),
        "private_answered": idea(private, "Private answered locker", [shared], True),
    }
    comment = factories.CommentFactory(idea=ideas["private"], author=lead_user, body="A private comment")
    mail.outbox.clear()
    return {"public": public, "private": private, "invited": invited, "ideas": ideas, "comment": comment}


@pytest.fixture
def as_role(client_for, customer, triage, mentor, world):
    users = {"anonymous": None, "member": customer, "invited": world["invited"], "triage": triage, "mentor": mentor}
    return lambda role: client_for(users[role])


def assert_absent_exactly_like_a_missing_one(response, missing_response, *, private_id, missing_id):
    """Both 404: never a redirect to sign in, which would say that something is there to sign in for."""
    assert (response.status_code, missing_response.status_code) == (404, 404), (private_id, missing_id)


def text_of(response) -> str:
    return response.content.decode()


def without_csrf(text: str) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", text)


# --- Pages of the challenge and its ideas --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["challenges:detail", "challenges:results", "challenges:submit"])
def test_challenge_pages(as_role, world, role, page):
    client = as_role(role)
    response = client.get(reverse(page, args=[world["private"].slug]))
    if role in SEES_IT:
        assert response.status_code == 200
        assert "Lead users only" in text_of(response)
        return
    missing = client.get(reverse(page, args=[MISSING_SLUG]))
    assert_absent_exactly_like_a_missing_one(
        response, missing, private_id=world["private"].slug, missing_id=MISSING_SLUG
    )
    assert "Lead users only" not in text_of(response)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["private", "private_answered"])
def test_idea_pages(as_role, world, role, which):
    idea = world["ideas"][which]
    client = as_role(role)
    response = client.get(reverse("ideas:detail", args=[idea.pk]))
    if role in SEES_IT:
        assert response.status_code == 200 and idea.title in text_of(response)
    else:
        missing = client.get(reverse("ideas:detail", args=[MISSING_PK]))
        assert_absent_exactly_like_a_missing_one(response, missing, private_id=idea.pk, missing_id=MISSING_PK)


# Every POST endpoint on an idea or its comments that exists now: (url name, target, data).
POSTS = [
    ("ideas:vote", "idea", {"value": "up"}),
    ("ideas:comment", "idea", {"body": "Sneaky comment"}),
    ("ideas:follow", "idea", {"action": "follow"}),
    ("ideas:kudos", "comment", {"value": "give"}),
    ("ideas:comment_flag", "comment", {"reason": "spam"}),
]


def _written():
    return (
        Vote.objects.count(),
        Comment.objects.count(),
        IdeaFollow.objects.count(),
        Kudos.objects.count(),
        CommentFlag.objects.count(),
        ChallengeFollow.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "member", "mentor"])
@pytest.mark.parametrize(("name", "target", "data"), POSTS)
def test_posts_on_its_ideas_and_comments_are_404_and_save_nothing(as_role, world, role, name, target, data):
    try:
        reverse(name, args=[1])
    except NoReverseMatch:
        pytest.fail(f"{name} is missing: a security test fails, never skips, when its route is gone")
    obj = world["ideas"]["private"] if target == "idea" else world["comment"]
    client = as_role(role)
    before = _written()
    response = client.post(reverse(name, args=[obj.pk]), data)
    missing = client.post(reverse(name, args=[MISSING_PK]), data)
    assert_absent_exactly_like_a_missing_one(response, missing, private_id=obj.pk, missing_id=MISSING_PK)
    assert _written() == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "member", "mentor"])
def test_following_the_challenge_is_404_and_saves_nothing(as_role, world, role):
    try:
        url = reverse("ideas:challenge_follow", args=[world["private"].slug])
    except NoReverseMatch:
        pytest.fail("ideas:challenge_follow is missing: a security test fails, never skips, when its route is gone")
    client = as_role(role)
    response = client.post(url, {"action": "follow"})
    missing = client.post(reverse("ideas:challenge_follow", args=[MISSING_SLUG]), {"action": "follow"})
    assert_absent_exactly_like_a_missing_one(
        response, missing, private_id=world["private"].slug, missing_id=MISSING_SLUG
    )
    assert not ChallengeFollow.objects.exists()


@pytest.mark.django_db
def test_the_invited_may_vote_and_comment(as_role, world):
    idea = world["ideas"]["private"]
    client = as_role("invited")
    client.post(reverse("ideas:vote", args=[idea.pk]), {"value": "up"})
    client.post(reverse("ideas:comment", args=[idea.pk]), {"body": "Count me in."})
    assert Vote.objects.filter(idea=idea, user=world["invited"]).exists()
    assert Comment.objects.filter(idea=idea, author=world["invited"]).exists()


# --- Lists, filters, search, counts ---------------------------------------------------------------


def _shows_private(text: str) -> set[str]:
    return {title for title in PRIVATE_TITLES if title in text}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_challenge_list_and_its_card_counts(as_role, world, role):
    response = as_role(role).get(reverse("challenges:list"))
    text = text_of(response)
    assert ("Lead users only" in text) is (role in SEES_IT)
    counts = {challenge.slug: challenge.idea_count for challenge in response.context["challenges"]}
    assert counts["easier"] == 2
    assert counts.get("lead-users") == (2 if role in SEES_IT else None)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_home_open_challenges_and_recently_answered_ideas(as_role, world, role):
    response = as_role(role).get(reverse("home"))
    text = text_of(response)
    assert ("Lead users only" in text) is (role in SEES_IT)
    assert ("Private answered locker" in text) is (role in SEES_IT)
    assert "Lockers at stations" in text
    assert [c.slug for c in response.context["open_challenges"]].count("lead-users") == int(role in SEES_IT)
    for challenge in response.context["open_challenges"]:
        assert challenge.idea_count == 2


# (query, ideas a role that does not see the challenge finds, ideas a role that sees it finds). A
# challenge or outcome the role may not see is left out, as one that does not exist: the list falls
# back to every challenge (or outcome) the role sees, with a note that says so.
IDEA_LIST_QUERIES = [
    ({}, 2, 4),
    ({"q": "locker"}, 2, 4),
    ({"q": "Private"}, 0, 2),
    ({"challenge": "easier"}, 2, 2),
    ({"challenge": "lead-users"}, 2, 2),
    ({"outcome": "SHARED-01"}, 2, 3),
    ({"outcome": "PRIV-01"}, 2, 1),
    ({"status": "shortlisted"}, 1, 2),
    ({"status": "submitted"}, 1, 2),
    ({"phase": "open"}, 2, 4),
    ({"sort": "top"}, 2, 4),
    ({"sort": "newest"}, 2, 4),
    ({"sort": "trending"}, 2, 4),
    ({"sort": "opportunity"}, 2, 4),
    ({"challenge": "lead-users", "q": "locker", "status": "submitted", "outcome": "PRIV-01"}, 1, 1),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("query", "outsider_count", "insider_count"), IDEA_LIST_QUERIES)
def test_idea_list_with_every_filter(as_role, world, role, query, outsider_count, insider_count):
    response = as_role(role).get(reverse("ideas:list"), query)
    assert response.status_code == 200
    text = text_of(response)
    count = response.context["page"].paginator.count
    shown = f"{count} idea{'s' if count != 1 else ''}"
    assert shown in text  # the count on the page is the paginator's
    if role in SEES_IT:
        assert count == insider_count
    else:
        assert count == outsider_count
        assert _shows_private(text) == set()
        # Not even among the filter's choices (the query itself is echoed in links, which is no leak).
        assert "Lead users only" not in text and 'value="lead-users"' not in text
        assert 'value="PRIV-01"' not in text


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "member", "mentor"])
def test_filtering_by_the_hidden_challenge_answers_as_for_one_that_does_not_exist(as_role, world, role):
    client = as_role(role)
    hidden = client.get(reverse("ideas:list"), {"challenge": "lead-users"})
    missing = client.get(reverse("ideas:list"), {"challenge": MISSING_SLUG})
    assert hidden.context["page"].paginator.count == missing.context["page"].paginator.count
    assert without_csrf(text_of(hidden)).replace("lead-users", "X") == without_csrf(text_of(missing)).replace(
        MISSING_SLUG, "X"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_similar_ideas(as_role, world, role):
    try:
        url = reverse("ideas:similar")
    except NoReverseMatch:
        pytest.fail("ideas:similar is missing: a security test fails, never skips, when its route is gone")
    client = as_role(role)
    in_private = client.get(url, {"challenge": "lead-users", "title": "Private locker idea"})
    if role in SEES_IT:
        assert in_private.status_code == 200 and "Private locker idea" in text_of(in_private)
    else:
        missing = client.get(url, {"challenge": MISSING_SLUG, "title": "Private locker idea"})
        assert in_private.status_code == missing.status_code == 404
    in_public = client.get(url, {"challenge": "easier", "title": "Private locker idea"})
    assert in_public.status_code == 200
    assert _shows_private(text_of(in_public)) == set()


# --- Emails ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_invitation_email_goes_to_the_invited_only(world, triage, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        challenge_services.challenge_invite_emails(
            challenge=world["private"], emails=["ana@example.com", "bo@example.org"], invited_by=triage
        )
    assert sorted(message.to for message in mail.outbox) == [["ana@example.com"], ["bo@example.org"]]
    for message in mail.outbox:
        assert message.cc == [] and message.bcc == []
    everyone_else = {customer.email, triage.email, world["invited"].email}
    assert not everyone_else & {address for message in mail.outbox for address in message.recipients()}


@pytest.mark.django_db
def test_a_decision_on_a_private_idea_is_emailed_to_its_author_only(world, triage, django_capture_on_commit_callbacks):
    idea = world["ideas"]["private"]
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.idea_status_change(
            idea=idea, to_status=Status.DECLINED, changed_by=triage, reason="Not for this year."
        )
    assert [message.to for message in mail.outbox] == [[idea.author.email]]
    assert world["private"].invited_members.filter(pk=idea.author.pk).exists()


# --- Every URL under the challenge and its ideas ------------------------------------------------------

# (method, url name, what it is about, data): every route that takes a challenge's slug, an idea's id
# or a comment's id, as a visitor would open it or send its form.
EVERY_URL = [
    ("get", "challenges:detail", "challenge", None),
    ("get", "challenges:results", "challenge", None),
    ("get", "challenges:submit", "challenge", None),
    ("post", "challenges:submit", "challenge", {"title": "Sneaky idea", "action": "draft"}),
    ("get", "ideas:challenge_follow", "challenge", None),
    ("post", "ideas:challenge_follow", "challenge", {"action": "follow"}),
    ("get", "reviews:finalists", "challenge", None),
    ("post", "reviews:finalists_choose_winner", "challenge", {"winner": "1"}),
    ("get", "ideas:detail", "idea", None),
    ("get", "ideas:edit", "idea", None),
    ("post", "ideas:edit", "idea", {"title": "Changed", "action": "save"}),
    ("get", "ideas:versions", "idea", None),
    ("get", "ideas:withdraw", "idea", None),
    ("post", "ideas:withdraw", "idea", {"reason": "Changed my mind"}),
    ("post", "ideas:vote", "idea", {"value": "up"}),
    ("post", "ideas:comment", "idea", {"body": "Sneaky comment"}),
    ("get", "ideas:follow", "idea", None),
    ("post", "ideas:follow", "idea", {"action": "follow"}),
    ("get", "reviews:mentor_idea", "idea", None),
    ("post", "reviews:mentor_review", "idea", {"recommendation": "finalist"}),
    ("post", "reviews:mentor_revision", "idea", {"message": "More please"}),
    ("get", "reviews:mentor_compare", "idea", None),
    ("get", "reviews:idea_thread", "idea", None),
    ("post", "reviews:idea_thread", "idea", {"body": "Psst"}),
    ("get", "ideas:comment_edit", "comment", None),
    ("post", "ideas:comment_edit", "comment", {"body": "Edited"}),
    ("post", "ideas:comment_remove", "comment", {}),
    ("post", "ideas:comment_flag", "comment", {"reason": "spam"}),
    ("post", "ideas:kudos", "comment", {"value": "give"}),
    ("post", "ideas:comment_hide", "comment", {"reason": "Off topic"}),
    ("post", "ideas:comment_unhide", "comment", {}),
]
MISSING = {"challenge": MISSING_SLUG, "idea": MISSING_PK, "comment": MISSING_PK}


def _private_target(world, kind):
    return {"challenge": world["private"].slug, "idea": world["ideas"]["private"].pk, "comment": world["comment"].pk}[
        kind
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "member", "mentor"])
@pytest.mark.parametrize(("method", "name", "kind", "data"), EVERY_URL, ids=lambda v: v if isinstance(v, str) else "")
def test_every_url_of_the_hidden_challenge_is_404_never_a_sign_in(as_role, world, role, method, name, kind, data):
    client = as_role(role)
    send = getattr(client, method)
    before = _written()
    private = send(reverse(name, args=[_private_target(world, kind)]), data or {})
    missing = send(reverse(name, args=[MISSING[kind]]), data or {})
    assert (private.status_code, missing.status_code) == (404, 404)
    assert "Lead users only" not in text_of(private) and "Private locker idea" not in text_of(private)
    assert _written() == before


# The pages a visitor signs in for: of a public challenge or idea, sign-in comes back to the page.
SIGN_IN_FOR = [
    ("challenges:submit", "challenge"),
    ("ideas:edit", "idea"),
    ("ideas:withdraw", "idea"),
    ("reviews:idea_thread", "idea"),
    ("reviews:mentor_idea", "idea"),
    ("ideas:comment_edit", "comment"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kind"), SIGN_IN_FOR)
def test_a_visitor_signs_in_for_what_is_public(client, world, name, kind):
    public_comment = factories.CommentFactory(idea=world["ideas"]["public"], body="A public comment")
    target = {"challenge": world["public"].slug, "idea": world["ideas"]["public"].pk, "comment": public_comment.pk}
    url = reverse(name, args=[target[kind]])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.django_db
def test_a_visitor_who_comments_on_a_public_idea_signs_in_and_comes_back_to_it(client, world):
    idea = world["ideas"]["public"]
    response = client.post(reverse("ideas:comment", args=[idea.pk]), {"body": "Hello"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={idea.get_absolute_url()}"
    assert not Comment.objects.filter(body="Hello").exists()
