"""Mentoring: assignment with capacity, reassignment, reviews, the private thread, revision requests.

Who may do what, as a matrix of roles × every mentoring URL (GET and POST), with nothing saved when refused.
"""

import pytest
from django.contrib.admin.sites import site as admin_site
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse

from challenges.models import Challenge
from ideas import services as idea_services
from ideas.models import IdeaVersion, Status, StatusChange
from reviews.admin_mentoring import MENTORING_ACTIONS
from reviews.models import MentorAssignment, Review, RevisionRequest, ThreadMessage, TriageIdea
from reviews.services import mentoring as services
from tests import factories
from tests.decisions import expected_for

pytestmark = pytest.mark.django_db

REVIEW = {
    "review-desirability": "4",
    "review-feasibility": "3",
    "review-viability": "5",
    "review-clarity": "2",
    "review-comments": "Promising.",
    "review-recommendation": "finalist",
}


@pytest.fixture
def mentoring_challenge(db):
    return factories.ChallengeFactory(phase=Challenge.Phase.MENTORING)


@pytest.fixture
def mentored(mentoring_challenge, customer, mentor, triage):
    """An idea in mentoring, assigned to ``mentor``."""
    idea = factories.IdeaFactory(
        challenge=mentoring_challenge, author=customer, status=Status.SHORTLISTED, title="Lockers at stations"
    )
    services.mentor_assign(ideas=[idea], mentors=[mentor], capacity=5, assigned_by=triage)
    idea.refresh_from_db()
    return idea


@pytest.fixture
def other_mentor(db):
    return factories.MentorFactory(display_name="Olga Othermentor")


def _saved_counts():
    return (
        Review.objects.count(),
        ThreadMessage.objects.count(),
        RevisionRequest.objects.count(),
        MentorAssignment.objects.count(),
    )


# --- assignment -------------------------------------------------------------------------------


def test_assign_spreads_ideas_up_to_capacity_and_reports_the_rest(mentoring_challenge, triage):
    mentors = [factories.MentorFactory(), factories.MentorFactory()]
    ideas = factories.IdeaFactory.create_batch(5, challenge=mentoring_challenge, status=Status.SHORTLISTED)
    submitted = factories.IdeaFactory(challenge=mentoring_challenge, status=Status.SUBMITTED)

    outcomes = services.mentor_assign(ideas=[*ideas, submitted], mentors=mentors, capacity=2, assigned_by=triage)

    assigned = [o for o in outcomes if o.assigned]
    reported = [o for o in outcomes if not o.assigned]
    assert len(assigned) == 4
    assert {o.idea.pk for o in reported} == {ideas[4].pk, submitted.pk}
    assert "no chosen mentor has room" in next(o.message for o in reported if o.idea.pk == ideas[4].pk)
    assert "only shortlisted" in next(o.message for o in reported if o.idea.pk == submitted.pk)
    for m in mentors:
        assert MentorAssignment.objects.filter(mentor=m, ended_at__isnull=True).count() == 2
    statuses = dict(TriageIdea.objects.filter(pk__in=[i.pk for i in ideas]).values_list("pk", "status"))
    assert sorted(statuses.values()).count(Status.IN_MENTORING) == 4
    assert statuses[ideas[4].pk] == Status.SHORTLISTED
    change = StatusChange.objects.filter(idea=ideas[0], to_status=Status.IN_MENTORING).get()
    assert "A mentor will help you" in change.reason


def test_assign_counts_existing_assignments_and_skips_mentored_ideas(mentored, mentor, triage, mentoring_challenge):
    fresh = factories.IdeaFactory(challenge=mentoring_challenge, status=Status.SHORTLISTED)
    outcomes = services.mentor_assign(ideas=[mentored, fresh], mentors=[mentor], capacity=1, assigned_by=triage)
    by_idea = {o.idea.pk: o for o in outcomes}
    assert "already has a mentor" in by_idea[mentored.pk].message
    assert "no chosen mentor has room" in by_idea[fresh.pk].message
    assert MentorAssignment.objects.count() == 1


@pytest.mark.parametrize("who", ["customer", "mentor"])
def test_only_triage_assigns(request, who, mentoring_challenge, mentor):
    idea = factories.IdeaFactory(challenge=mentoring_challenge, status=Status.SHORTLISTED)
    with pytest.raises(services.MentoringNotAllowed):
        services.mentor_assign(ideas=[idea], mentors=[mentor], capacity=5, assigned_by=request.getfixturevalue(who))
    assert not MentorAssignment.objects.exists()


def test_assign_refuses_non_mentors(mentoring_challenge, triage, other_customer):
    idea = factories.IdeaFactory(challenge=mentoring_challenge, status=Status.SHORTLISTED)
    with pytest.raises(services.MentoringNotAllowed, match="Mentor group"):
        services.mentor_assign(ideas=[idea], mentors=[other_customer], capacity=5, assigned_by=triage)
    assert not MentorAssignment.objects.exists()


def test_reassign_ends_the_current_assignment_and_the_old_mentor_loses_access(
    client_for, mentored, mentor, other_mentor, triage
):
    services.mentor_reassign(idea=mentored, mentor=other_mentor, assigned_by=triage)
    assert MentorAssignment.objects.get(idea=mentored, ended_at__isnull=True).mentor == other_mentor
    assert MentorAssignment.objects.filter(idea=mentored, mentor=mentor, ended_at__isnull=False).exists()
    assert client_for(mentor).get(reverse("reviews:mentor_idea", args=[mentored.pk])).status_code == 404
    assert client_for(other_mentor).get(reverse("reviews:mentor_idea", args=[mentored.pk])).status_code == 200
    with pytest.raises(services.MentoringNotAllowed, match="already mentors"):
        services.mentor_reassign(idea=mentored, mentor=other_mentor, assigned_by=triage)


def _admin_request(user, data):
    request = RequestFactory().post("/admin/reviews/triageidea/", data)
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_admin_assign_action_shows_the_page_then_assigns_with_capacity(triage, mentoring_challenge):
    mentors = [factories.MentorFactory(), factories.MentorFactory()]
    ideas = factories.IdeaFactory.create_batch(5, challenge=mentoring_challenge, status=Status.SHORTLISTED)
    assign = next(a for a in MENTORING_ACTIONS if a.__name__ == "assign_mentors")
    modeladmin = admin_site._registry[TriageIdea]
    queryset = TriageIdea.objects.filter(pk__in=[i.pk for i in ideas])

    page = assign(modeladmin, _admin_request(triage, {"action": "assign_mentors"}), queryset)
    page.render()
    assert page.status_code == 200 and b"Capacity per mentor" in page.content
    assert not MentorAssignment.objects.exists()

    data = {
        "action": "assign_mentors",
        "apply": "1",
        "mentors": [m.pk for m in mentors],
        "capacity": "2",
        "expected_status": expected_for(ideas),
    }
    request = _admin_request(triage, data)
    assert assign(modeladmin, request, queryset) is None
    texts = [str(m) for m in request._messages]
    assert MentorAssignment.objects.count() == 4
    assert any("4 ideas assigned" in t for t in texts)
    assert any("was not assigned" in t and "no chosen mentor has room" in t for t in texts)


def test_admin_reassign_action(triage, mentored, other_mentor):
    reassign = next(a for a in MENTORING_ACTIONS if a.__name__ == "reassign_mentor")
    modeladmin = admin_site._registry[TriageIdea]
    current = MentorAssignment.objects.get(idea=mentored, ended_at__isnull=True)
    data = {
        "action": "reassign_mentor",
        "apply": "1",
        "mentor": other_mentor.pk,
        "expected_status": expected_for(mentored),
        "expected_assignments": f"{mentored.pk}:{current.pk}",
    }
    request = _admin_request(triage, data)
    assert reassign(modeladmin, request, TriageIdea.objects.filter(pk=mentored.pk)) is None
    assert MentorAssignment.objects.get(idea=mentored, ended_at__isnull=True).mentor == other_mentor


def test_admin_actions_refuse_non_triage(customer, mentored):
    from django.core.exceptions import PermissionDenied

    modeladmin = admin_site._registry[TriageIdea]
    for action in MENTORING_ACTIONS:
        with pytest.raises(PermissionDenied):
            action(modeladmin, _admin_request(customer, {"apply": "1"}), TriageIdea.objects.all())


# --- reviews ----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, 6, -1])
def test_review_scores_outside_1_to_5_are_refused(mentored, mentor, bad):
    with pytest.raises(services.MentoringNotAllowed, match="1 to 5"):
        services.review_save(idea=mentored, mentor=mentor, desirability=bad, feasibility=3, viability=3, clarity=3)
    assert not Review.objects.exists()


@pytest.mark.parametrize("bad", ["0", "6"])
def test_review_form_refuses_out_of_range(client_for, mentored, mentor, bad):
    response = client_for(mentor).post(
        reverse("reviews:mentor_review", args=[mentored.pk]), {**REVIEW, "review-clarity": bad}
    )
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_review_is_one_per_mentor_and_updates(mentored, mentor):
    services.review_save(idea=mentored, mentor=mentor, desirability=1, feasibility=2, viability=3, clarity=4)
    review = services.review_save(
        idea=mentored, mentor=mentor, desirability=5, feasibility=5, viability=5, clarity=5, recommendation="finalist"
    )
    assert Review.objects.count() == 1
    assert (review.mean, review.recommendation) == (5, "finalist")


# --- revision round trip ------------------------------------------------------------------------


def test_revision_round_trip_creates_a_version_and_answers_the_request(client_for, mentored, mentor, customer):
    request = services.revision_request(idea=mentored, mentor=mentor, message="Say who pays for the lockers.")
    assert request.version_before.number == 1  # the text before versions were kept became version 1
    with pytest.raises(services.MentoringNotAllowed, match="already open"):
        services.revision_request(idea=mentored, mentor=mentor, message="And again.")

    client = client_for(customer)
    page = client.get(mentored.get_absolute_url())
    assert b"Say who pays for the lockers." in page.content
    assert reverse("ideas:edit", args=[mentored.pk]).encode() in page.content
    outcome = mentored.outcomes.first()
    response = client.post(
        reverse("ideas:edit", args=[mentored.pk]),
        {
            "title": mentored.title,
            "problem": mentored.problem,
            "solution": "Lockers at stations, paid for by the rail operator.",
            "outcomes": [outcome.pk],
            "action": "save",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.answered_at is not None
    assert request.answer_version.number == 2
    assert IdeaVersion.objects.filter(idea=mentored).count() == 2
    mentored.refresh_from_db()
    assert mentored.status == Status.IN_MENTORING
    # Answered: the author can no longer edit.
    assert client.get(reverse("ideas:edit", args=[mentored.pk])).status_code == 302
    with pytest.raises(idea_services.IdeaError):
        idea_services.idea_update(
            idea=mentored, user=customer, title="x", problem="y", solution="z", outcomes=[outcome]
        )

    mentor_client = client_for(mentor)
    detail = mentor_client.get(reverse("reviews:mentor_idea", args=[mentored.pk])).content.decode()
    compare_url = reverse("reviews:mentor_compare", args=[mentored.pk]) + "?old=1&amp;new=2"
    assert compare_url in detail
    compare = mentor_client.get(reverse("reviews:mentor_compare", args=[mentored.pk]), {"old": 1, "new": 2})
    assert compare.status_code == 200
    assert b"<ins>" in compare.content and b"rail operator" in compare.content
    versions = client_for(customer).get(reverse("ideas:versions", args=[mentored.pk]), {"old": 1, "new": 2})
    assert versions.status_code == 200


def test_thread_post_and_who_may(mentored, mentor, customer, triage, other_customer, other_mentor):
    for user in (customer, mentor, triage):
        services.thread_post(idea=mentored, user=user, body=f"Hello from {user.public_name}")
    for user in (other_customer, other_mentor):
        with pytest.raises(services.MentoringNotAllowed):
            services.thread_post(idea=mentored, user=user, body="Let me in")
    with pytest.raises(services.MentoringNotAllowed, match="Write a message"):
        services.thread_post(idea=mentored, user=customer, body="   ")
    assert ThreadMessage.objects.count() == 3


def test_mentor_list_shows_state_and_no_screening_score(client_for, mentored, mentor):
    TriageIdea.objects.filter(pk=mentored.pk).update(screening_score=4.321)
    services.revision_request(idea=mentored, mentor=mentor, message="More detail please.")
    content = client_for(mentor).get(reverse("reviews:mentor_ideas")).content.decode()
    assert "Lockers at stations" in content and "awaiting the author" in content and "Not yet" in content
    detail = client_for(mentor).get(reverse("reviews:mentor_idea", args=[mentored.pk])).content.decode()
    assert "4.32" not in content and "4.3" not in detail


# --- the permission matrix ------------------------------------------------------------------------

ROLES = ["author", "other_customer", "assigned_mentor", "other_mentor", "triage", "anonymous"]


def _user(request, role):
    return {
        "author": lambda: request.getfixturevalue("customer"),
        "other_customer": lambda: request.getfixturevalue("other_customer"),
        "assigned_mentor": lambda: request.getfixturevalue("mentor"),
        "other_mentor": lambda: request.getfixturevalue("other_mentor"),
        "triage": lambda: request.getfixturevalue("triage"),
        "anonymous": lambda: None,
    }[role]()


# url name, method, data, {role: expected status}; anonymous is always sent to sign in (302).
MATRIX = [
    ("mentor_ideas", "get", None, {"assigned_mentor": 200, "other_mentor": 200}),
    ("mentor_idea", "get", None, {"assigned_mentor": 200}),
    ("mentor_review", "post", REVIEW, {"assigned_mentor": 302}),
    ("mentor_revision", "post", {"revision-message": "Revise it."}, {"assigned_mentor": 302}),
    ("mentor_compare", "get", {"old": 1, "new": 2}, {"assigned_mentor": 200}),
    ("idea_thread", "get", None, {"author": 200, "assigned_mentor": 200, "triage": 200}),
    ("idea_thread", "post", {"thread-body": "Hi"}, {"author": 302, "assigned_mentor": 302, "triage": 302}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "data", "allowed"), MATRIX, ids=[f"{m[0]}-{m[1]}" for m in MATRIX])
def test_permission_matrix(request, client_for, mentored, customer, role, name, method, data, allowed):
    # Two versions, so the comparison exists for whoever may see it.
    IdeaVersion.objects.create(idea=mentored, number=1, title="a", problem="b", solution="c", saved_by=customer)
    IdeaVersion.objects.create(idea=mentored, number=2, title="a", problem="b!", solution="c", saved_by=customer)
    user = _user(request, role)
    client = client_for(user)
    url = reverse(f"reviews:{name}") if name == "mentor_ideas" else reverse(f"reviews:{name}", args=[mentored.pk])
    before = _saved_counts()
    response = getattr(client, method)(url, data or {})
    expected = 302 if role == "anonymous" else allowed.get(role, 404)
    assert response.status_code == expected, response.content[:500]
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]
    if expected != 302 or role == "anonymous":
        assert _saved_counts() == before


@pytest.mark.parametrize("role", ROLES)
def test_idea_page_shows_mentoring_only_to_author_mentor_and_staff(request, client_for, mentored, mentor, role):
    services.thread_post(idea=mentored, user=mentor, body="A private word about pricing.")
    services.revision_request(idea=mentored, mentor=mentor, message="Please add the costs.")
    content = client_for(_user(request, role)).get(mentored.get_absolute_url()).content.decode()
    shown = role in {"author", "assigned_mentor", "triage"}
    assert ("A private word about pricing." in content) is shown
    assert ("Please add the costs." in content) is shown
    assert ("Edit your idea" in content) is (role == "author")


def test_past_mentor_loses_access_to_the_thread(client_for, mentored, mentor, other_mentor, triage):
    services.mentor_reassign(idea=mentored, mentor=other_mentor, assigned_by=triage)
    client = client_for(mentor)
    assert client.get(reverse("reviews:idea_thread", args=[mentored.pk])).status_code == 404
    assert client.post(reverse("reviews:idea_thread", args=[mentored.pk]), {"thread-body": "Hi"}).status_code == 404
    with pytest.raises(services.MentoringNotAllowed):
        services.review_save(idea=mentored, mentor=mentor, desirability=3, feasibility=3, viability=3, clarity=3)
    assert not ThreadMessage.objects.exists() and not Review.objects.exists()


@pytest.mark.parametrize("messages", [1, 5, 25])
def test_idea_detail_query_count_for_the_author(client_for, mentored, customer, messages, django_assert_num_queries):
    """The mentoring card adds a fixed number of queries, whatever the thread's length."""
    for _ in range(messages):
        services.thread_post(idea=mentored, user=customer, body="Another thought.")
    client = client_for(customer)
    # The public page's queries (tests/test_views.py; the session is read from the database), no query
    # for the author's open-revision check (can_edit reads Idea.revision_requested_at), the mentoring card's assignment, revision requests and thread (reviews.selectors.mentoring_panel_for)
    # and the author's reputation badge (reputation.services.standing_for): the same for 1 or 25 messages.
    with django_assert_num_queries(QUERIES_FOR_THE_AUTHORS_PAGE_WITH_MENTORING):
        assert client.get(mentored.get_absolute_url()).status_code == 200


# 14 before the idea kept its own revision flag; +1 the idea's files (attachments, one query), +2 the
# answers to the challenge's questions and the co-authors (one prefetch each).
QUERIES_FOR_THE_AUTHORS_PAGE_WITH_MENTORING = 16
