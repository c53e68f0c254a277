"""The API per role: a visitor, the author (customer), another customer, a mentor and triage staff
read and change through the API exactly what the pages let them, no more.

Reads are compared with the pages themselves: for every idea and challenge, the API answers 404
where the page does, and its lists hold the same ideas and challenges as the list pages.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from challenges.models import Challenge
from ideas.models import Comment, Idea, Status, Vote
from ideas.rules import can_view_idea, vote_refusal
from notifications.models import Notification
from tests import factories
from tests.api_clients import anonymous_client, error_of, send, token_client

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "customer", "other_customer", "mentor", "triage"]


@pytest.fixture
def world(customer, other_customer, mentor, triage, open_challenge):
    """Ideas in every state the pages treat differently, and an API client per role."""
    invite_only = factories.ChallengeFactory(slug="secret", visibility=Challenge.Visibility.INVITE_ONLY)
    invite_only.invited_members.add(other_customer)
    draft_challenge = factories.ChallengeFactory(slug="unannounced", phase=Challenge.Phase.DRAFT)
    ideas = {
        "public": factories.IdeaFactory(challenge=open_challenge, author=customer, title="Lockers at stations"),
        "draft": factories.IdeaFactory(
            challenge=open_challenge, author=customer, status=Status.DRAFT, submitted_at=None
        ),
        "withdrawn": factories.IdeaFactory(challenge=open_challenge, author=customer, status=Status.WITHDRAWN),
        "invite_only": factories.IdeaFactory(challenge=invite_only, author=other_customer),
        "draft_challenge": factories.IdeaFactory(challenge=draft_challenge),
    }
    users = {
        "anonymous": None,
        "customer": customer,
        "other_customer": other_customer,
        "mentor": mentor,
        "triage": triage,
    }

    def api(role):
        user = users[role]
        if user is None:
            return anonymous_client()
        return token_client(user, scopes=["read", "write", "staff"] if role == "triage" else ["read", "write"])

    return {"ideas": ideas, "users": users, "api": api, "challenges": [open_challenge, invite_only, draft_challenge]}


@pytest.mark.parametrize("role", ROLES)
def test_each_idea_exists_in_the_api_exactly_where_its_page_does(world, client_for, role):
    api = world["api"](role)
    page_client = client_for(world["users"][role])
    for name, idea in world["ideas"].items():
        page = page_client.get(f"/ideas/{idea.pk}/").status_code
        detail = api.get(f"/api/v1/ideas/{idea.pk}/").status_code
        comments = api.get(f"/api/v1/ideas/{idea.pk}/comments/").status_code
        assert page in (200, 404), (name, page)
        assert detail == page and comments == page, (role, name, page, detail, comments)


@pytest.mark.parametrize("role", ROLES)
def test_the_idea_list_holds_what_the_list_page_holds(world, client_for, role):
    page = client_for(world["users"][role]).get("/ideas/")
    on_page = {idea.pk for idea in page.context["page"].object_list}
    listed = {row["id"] for row in world["api"](role).get("/api/v1/ideas/").json()["results"]}
    assert listed == on_page
    assert world["ideas"]["draft"].pk not in listed and world["ideas"]["withdrawn"].pk not in listed


@pytest.mark.parametrize("role", ROLES)
def test_challenges_exist_in_the_api_exactly_where_their_pages_do(world, client_for, role):
    api = world["api"](role)
    page_client = client_for(world["users"][role])
    listed = {row["slug"] for row in api.get("/api/v1/challenges/").json()["results"]}
    on_page = {challenge.slug for challenge in page_client.get("/challenges/").context["challenges"]}
    assert listed == on_page
    for challenge in world["challenges"]:
        page = page_client.get(f"/challenges/{challenge.slug}/").status_code
        assert api.get(f"/api/v1/challenges/{challenge.slug}/").status_code == page, (role, challenge.slug)


def test_the_author_sees_their_draft_and_withdrawn_ideas_in_mine(world):
    mine = {row["id"] for row in world["api"]("customer").get("/api/v1/ideas/mine/").json()["results"]}
    assert mine == {world["ideas"][name].pk for name in ("public", "draft", "withdrawn")}
    assert world["api"]("anonymous").get("/api/v1/ideas/mine/").status_code == 401


@pytest.mark.parametrize("role", ["anonymous", "customer", "other_customer", "mentor"])
def test_screening_data_never_reaches_anyone_but_staff(world, role):
    idea = world["ideas"]["public"]
    Idea.objects.filter(pk=idea.pk).update(screening_score=4.37, screenings_count=2)
    api = world["api"](role)
    for url in (
        f"/api/v1/ideas/{idea.pk}/",
        "/api/v1/ideas/",
        "/api/v1/ideas/mine/",
        f"/api/v1/ideas/{idea.pk}/comments/",
    ):
        body = api.get(url).content.decode()
        assert "screening" not in body and "4.37" not in body, url
    response = api.get(f"/api/v1/ideas/{idea.pk}/screenings/")
    assert response.status_code == (401 if role == "anonymous" else 403)
    assert "4.37" not in response.content.decode()


# --- writes ---

VOTE_ON_PUBLIC = {"anonymous": 401, "customer": 400, "other_customer": 200, "mentor": 200, "triage": 200}


@pytest.mark.parametrize("role", ROLES)
def test_voting_follows_the_pages_rules(world, role):
    idea = world["ideas"]["public"]
    response = send(world["api"](role), "put", f"/api/v1/ideas/{idea.pk}/vote/", {"value": "up"})
    assert response.status_code == VOTE_ON_PUBLIC[role]
    idea.refresh_from_db()
    assert idea.votes_up == Vote.objects.filter(idea=idea).count() == (1 if response.status_code == 200 else 0)
    if role == "customer":
        assert error_of(response) == {"code": "refused", "message": "You cannot vote on your own idea."}
    # The other ideas: counted exactly where the page's rule lets the role vote (triage staff see the
    # invite-only challenge); refused otherwise, and an idea the role may not see is a 404.
    user = world["users"][role] or AnonymousUser()
    for name in ("draft", "invite_only", "draft_challenge", "withdrawn"):
        other = world["ideas"][name]
        status = send(world["api"](role), "put", f"/api/v1/ideas/{other.pk}/vote/", {"value": "up"}).status_code
        if not user.is_authenticated:
            assert status == 401
        elif not can_view_idea(user, other):
            assert status == 404, (name, status)
        else:
            assert status == (200 if vote_refusal(user, other) is None else 400), (name, status)
        assert Vote.objects.filter(idea=other).count() == (1 if status == 200 else 0)


def test_a_vote_is_changed_and_taken_back(world):
    idea = world["ideas"]["public"]
    api = world["api"]("other_customer")
    assert send(api, "put", f"/api/v1/ideas/{idea.pk}/vote/", {"value": "up"}).json()["votes_up"] == 1
    changed = send(api, "put", f"/api/v1/ideas/{idea.pk}/vote/", {"value": "down"}).json()
    assert changed == {"my_vote": "down", "votes_up": 0, "votes_down": 1}
    assert api.get(f"/api/v1/ideas/{idea.pk}/").json()["my_vote"] == "down"
    assert send(api, "delete", f"/api/v1/ideas/{idea.pk}/vote/").json() == {
        "my_vote": None,
        "votes_up": 0,
        "votes_down": 0,
    }
    assert not Vote.objects.exists()


EDIT_PUBLIC = {"anonymous": 401, "customer": 200, "other_customer": 400, "mentor": 400, "triage": 400}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_author_edits_submits_and_withdraws(world, role):
    idea = world["ideas"]["public"]
    api = world["api"](role)
    response = send(api, "patch", f"/api/v1/ideas/{idea.pk}/", {"title": "Lockers at every station"})
    assert response.status_code == EDIT_PUBLIC[role]
    idea.refresh_from_db()
    assert (idea.title == "Lockers at every station") == (role == "customer")
    draft = world["ideas"]["draft"]
    submitted = send(api, "post", f"/api/v1/ideas/{draft.pk}/submit/").status_code
    assert submitted == {"anonymous": 401, "customer": 200, "triage": 400}.get(role, 404)
    draft.refresh_from_db()
    assert (draft.status == Status.SUBMITTED) == (role == "customer")
    withdrawn = send(api, "post", f"/api/v1/ideas/{idea.pk}/withdraw/", {"reason": "Changed my mind."}).status_code
    assert withdrawn == {"anonymous": 401, "customer": 200}.get(role, 400)
    idea.refresh_from_db()
    assert (idea.status == Status.WITHDRAWN) == (role == "customer")


def test_a_member_creates_a_draft_then_submits_it(world, open_challenge):
    api = world["api"]("other_customer")
    codes = list(open_challenge.outcomes.values_list("code", flat=True))
    body = {
        "challenge": open_challenge.slug,
        "title": "Evening delivery slots",
        "problem": "Most of us work until six and miss the van every time.",
        "solution": "Offer a slot from seven to ten in the evening, twice a week.",
        "outcomes": codes[:1],
    }
    created = send(api, "post", "/api/v1/ideas/", body, headers={"Idempotency-Key": "k-1"})
    assert created.status_code == 201
    idea = created.json()
    assert idea["status"] == "draft" and idea["can_edit"] and idea["outcomes"] == codes[:1]
    assert world["api"]("customer").get(f"/api/v1/ideas/{idea['id']}/").status_code == 404
    again = send(api, "post", "/api/v1/ideas/", body, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 200 and again.json()["id"] == idea["id"]
    assert Idea.objects.filter(title="Evening delivery slots").count() == 1
    assert send(api, "post", f"/api/v1/ideas/{idea['id']}/submit/").json()["status"] == "submitted"


def test_an_idea_for_a_challenge_the_member_may_not_see_does_not_exist(world):
    api = world["api"]("customer")
    body = {
        "challenge": "secret",
        "title": "A secret idea",
        "problem": "Something nobody outside should know about.",
        "solution": "Something nobody outside should read about.",
        "outcomes": ["OUT-000"],
    }
    assert send(api, "post", "/api/v1/ideas/", body).status_code == 404
    assert not Idea.objects.filter(title="A secret idea").exists()


COMMENT_ON_INVITE_ONLY = {"anonymous": 401, "customer": 404, "other_customer": 201, "mentor": 404, "triage": 201}


@pytest.mark.parametrize("role", ROLES)
def test_comments_follow_the_pages_rules(world, role):
    idea = world["ideas"]["invite_only"]
    response = send(world["api"](role), "post", f"/api/v1/ideas/{idea.pk}/comments/", {"body": "Worth trying."})
    assert response.status_code == COMMENT_ON_INVITE_ONLY[role]
    assert Comment.objects.filter(idea=idea).count() == (1 if response.status_code == 201 else 0)
    idea.refresh_from_db()
    assert idea.comments_count == Comment.objects.filter(idea=idea).count()


def test_only_the_author_edits_and_removes_a_comment_and_the_words_go_with_it(world):
    idea = world["ideas"]["public"]
    comment = factories.CommentFactory(idea=idea, author=world["users"]["other_customer"], body="First thoughts")
    reply = send(
        world["api"]("customer"),
        "post",
        f"/api/v1/ideas/{idea.pk}/comments/",
        {"body": "Thanks!", "parent": comment.pk},
    )
    assert reply.status_code == 201 and reply.json()["parent"] == comment.pk
    for role in ("customer", "mentor", "triage"):
        response = send(world["api"](role), "patch", f"/api/v1/comments/{comment.pk}/", {"body": "Hijacked"})
        assert response.status_code == 400 and error_of(response)["message"] == "Only its author can edit a comment."
        assert send(world["api"](role), "delete", f"/api/v1/comments/{comment.pk}/").status_code == 400
    author = world["api"]("other_customer")
    assert (
        send(author, "patch", f"/api/v1/comments/{comment.pk}/", {"body": "Second thoughts"}).json()["body"]
        == "Second thoughts"
    )
    assert send(author, "delete", f"/api/v1/comments/{comment.pk}/").status_code == 204
    rows = world["api"]("anonymous").get(f"/api/v1/ideas/{idea.pk}/comments/").json()["results"]
    assert rows[0]["state"] == "removed" and rows[0]["body"] is None and rows[0]["author"] is None
    assert "Second thoughts" not in str(rows)


def test_follows_of_ideas_and_challenges(world, open_challenge):
    api = world["api"]("other_customer")
    idea = world["ideas"]["public"]
    assert send(api, "put", f"/api/v1/ideas/{idea.pk}/follow/").json()["following"] is True
    assert send(api, "delete", f"/api/v1/ideas/{idea.pk}/follow/").json()["following"] is False
    assert send(api, "put", f"/api/v1/challenges/{open_challenge.slug}/follow/").json() == {
        "following": True,
        "followers": 1,
    }
    assert send(world["api"]("customer"), "put", "/api/v1/challenges/secret/follow/").status_code == 404
    assert send(world["api"]("anonymous"), "put", f"/api/v1/ideas/{idea.pk}/follow/").status_code == 401


def test_notifications_are_the_members_own(world):
    customer, other = world["users"]["customer"], world["users"]["other_customer"]
    mine = Notification.objects.create(recipient=customer, kind="idea_received", event_key="a", title="Yours", url="/")
    theirs = Notification.objects.create(recipient=other, kind="idea_received", event_key="b", title="Theirs", url="/")
    api = world["api"]("customer")
    assert [row["title"] for row in api.get("/api/v1/notifications/").json()["results"]] == ["Yours"]
    assert send(api, "post", f"/api/v1/notifications/{theirs.pk}/read/").json() == {"count": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert send(api, "post", f"/api/v1/notifications/{mine.pk}/read/").json() == {"count": 1}
    Notification.objects.create(recipient=customer, kind="idea_received", event_key="c", title="More", url="/")
    assert send(api, "post", "/api/v1/notifications/read-all/").json() == {"count": 1}
    assert not Notification.objects.filter(recipient=customer, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1


# --- staff ---

STAFF_ONLY = {"anonymous": 401, "customer": 403, "other_customer": 403, "mentor": 403}


@pytest.mark.parametrize("role", ROLES)
def test_status_changes_are_for_triage_staff(world, role):
    idea = world["ideas"]["public"]
    body = {"to_status": "declined", "expected_status": "submitted", "reason": "We already do this."}
    response = send(world["api"](role), "post", f"/api/v1/ideas/{idea.pk}/status/", body)
    assert response.status_code == STAFF_ONLY.get(role, 201)
    idea.refresh_from_db()
    assert (idea.status == Status.DECLINED) == (role == "triage")
    if role == "triage":
        history = world["api"]("anonymous").get(f"/api/v1/ideas/{idea.pk}/").json()["history"]
        assert history[0]["reason"] == "We already do this."


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ["/api/v1/metrics/", "/api/v1/opportunity-scores/"])
def test_metrics_and_opportunity_scores_are_for_triage_staff(world, role, url):
    assert world["api"](role).get(url).status_code == STAFF_ONLY.get(role, 200)


def test_a_screener_saves_a_scorecard_and_reads_the_score(world):
    idea = world["ideas"]["public"]
    api = world["api"]("triage")
    criteria = [factories_criterion(idea.challenge, name, weight) for name, weight in (("Fit", 60), ("Cost", 40))]
    body = {
        "scores": [
            {"criterion": criteria[0].pk, "score": 5, "note": "Spot on"},
            {"criterion": criteria[1].pk, "score": 3},
        ],
        "notes": "Promising",
    }
    saved = send(api, "put", f"/api/v1/ideas/{idea.pk}/screenings/", body)
    assert saved.status_code == 200
    assert saved.json()["screening_score"] == pytest.approx(4.2)
    assert saved.json()["screenings"][0]["notes"] == "Promising"
    missing = send(api, "put", f"/api/v1/ideas/{idea.pk}/screenings/", {"scores": body["scores"][:1]})
    assert missing.status_code == 400 and "missing: Cost" in error_of(missing)["message"]
    mentor = send(world["api"]("mentor"), "put", f"/api/v1/ideas/{idea.pk}/screenings/", body)
    assert mentor.status_code == 403


def factories_criterion(challenge, name, weight):
    from challenges.models import SelectionCriterion

    return SelectionCriterion.objects.create(challenge=challenge, name=name, weight=weight)


def test_a_decision_on_a_status_the_idea_has_left_is_a_conflict(world):
    idea = world["ideas"]["public"]
    api = world["api"]("triage")
    first = send(
        api, "post", f"/api/v1/ideas/{idea.pk}/status/", {"to_status": "shortlisted", "expected_status": "submitted"}
    )
    assert first.status_code == 201
    stale = send(
        api,
        "post",
        f"/api/v1/ideas/{idea.pk}/status/",
        {"to_status": "declined", "expected_status": "submitted", "reason": "No."},
    )
    assert stale.status_code == 409
    assert error_of(stale) == {
        "code": "stale",
        "message": "This idea changed since you opened it: it is now shortlisted.",
    }
    idea.refresh_from_db()
    assert idea.status == Status.SHORTLISTED and idea.decided_at <= timezone.now()


def test_a_challenges_scores_are_shown_as_on_its_page(world, open_challenge):
    from scoring.models import OutcomeScore

    outcome = open_challenge.outcomes.first()
    OutcomeScore.objects.create(
        wave=factories.round_of(outcome), current=True,
        outcome=outcome, respondents=40, important_count=30, satisfied_count=10, importance=7.5, satisfaction=2.5,
        opportunity=12.5, importance_low=7, importance_high=8, satisfaction_low=2, satisfaction_high=3,
        classification="underserved", computed_at=timezone.now(),
    )  # fmt: skip
    url = f"/api/v1/challenges/{open_challenge.slug}/"
    assert world["api"]("customer").get(url).json()["scores"] is None
    assert world["api"]("triage").get(url).json()["scores"][0] == {
        "outcome": outcome.code, "respondents": 40, "importance": 7.5, "satisfaction": 2.5, "opportunity": 12.5,
        "classification": "underserved",
    }  # fmt: skip
    Challenge.objects.filter(pk=open_challenge.pk).update(publish_scores=True)
    assert world["api"]("anonymous").get(url).json()["scores"][0]["opportunity"] == 12.5
