"""Mentors as people with a load: a capacity kept per mentor, the load shown where staff assign, no
assignment above it (also when two staff assign at once), the mentor told when the author answers a
revision request, and a "new version" flag on /mentor/ until the mentor opens the idea."""

import pytest
from django.urls import reverse

from challenges.models import Challenge
from ideas.models import Status
from notifications.models import Notification
from reviews import selectors
from reviews.models import Mentor, MentorAssignment
from reviews.services import mentoring as services
from tests import factories
from tests.decisions import expected_for
from tests.test_decisions import run_threads

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("admin:reviews_triageidea_changelist")


@pytest.fixture
def challenge(db):
    return factories.ChallengeFactory(phase=Challenge.Phase.MENTORING)


def shortlisted(challenge, n=1, **kwargs):
    return factories.IdeaFactory.create_batch(n, challenge=challenge, status=Status.SHORTLISTED, **kwargs)


def test_each_mentor_takes_ideas_up_to_their_own_capacity(challenge, triage):
    small = factories.MentorFactory(display_name="Sol Small", mentor_capacity=1)
    big = factories.MentorFactory(display_name="Bea Big", mentor_capacity=2)
    ideas = shortlisted(challenge, 4)
    outcomes = services.mentor_assign(ideas=ideas, mentors=[small, big], assigned_by=triage)
    assert [o.assigned for o in outcomes] == [True, True, True, False]
    loads = dict(selectors.mentors_with_load().values_list("display_name", "load"))
    assert loads == {"Sol Small": 1, "Bea Big": 2}
    assert outcomes[-1].message == "no chosen mentor has room (Sol Small 1 of 1, Bea Big 2 of 2)."
    assert MentorAssignment.objects.filter(ended_at__isnull=True).count() == 3


def test_reassigning_to_a_full_mentor_is_refused_with_the_load(challenge, triage):
    first = factories.MentorFactory(display_name="Fay First")
    full = factories.MentorFactory(display_name="Finn Full", mentor_capacity=1)
    (mine,) = shortlisted(challenge)
    (theirs,) = shortlisted(challenge)
    services.mentor_assign(ideas=[mine], mentors=[first], assigned_by=triage)
    services.mentor_assign(ideas=[theirs], mentors=[full], assigned_by=triage)
    with pytest.raises(services.MentoringNotAllowed, match="Finn Full mentors 1 of 1 ideas already"):
        services.mentor_reassign(idea=mine, mentor=full, assigned_by=triage)
    assert MentorAssignment.objects.get(idea=mine, ended_at__isnull=True).mentor == first


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_staff_assigning_at_once_never_exceed_a_capacity():
    for _ in range(3):
        challenge = factories.ChallengeFactory(phase=Challenge.Phase.MENTORING)
        first, second = factories.TriageFactory(), factories.TriageFactory()
        mentor = factories.MentorFactory(mentor_capacity=1)
        one, two = shortlisted(challenge, 2)
        results = run_threads(
            lambda one=one, mentor=mentor, by=first: services.mentor_assign(
                ideas=[one], mentors=[mentor], assigned_by=by
            ),
            lambda two=two, mentor=mentor, by=second: services.mentor_assign(
                ideas=[two], mentors=[mentor], assigned_by=by
            ),
        )
        assigned = [outcome for kind, outcomes in results if kind == "ok" for outcome in outcomes if outcome.assigned]
        assert len(assigned) == 1
        assert MentorAssignment.objects.filter(mentor=mentor, ended_at__isnull=True).count() == 1


def test_the_assign_page_shows_each_mentors_load_and_capacity(client, challenge, triage):
    busy = factories.MentorFactory(display_name="Bo Busy", mentor_capacity=2)
    factories.MentorFactory(display_name="Fran Free", mentor_capacity=4)
    services.mentor_assign(ideas=shortlisted(challenge, 2), mentors=[busy], assigned_by=triage)
    waiting = shortlisted(challenge, 1)
    client.force_login(triage)
    page = client.post(
        QUEUE_URL, {"action": "assign_mentors", "_selected_action": [i.pk for i in waiting]}
    ).content.decode()
    assert "Bo Busy &lt;" in page and "2 of 2 ideas — full" in page
    assert "0 of 4 ideas" in page

    # Choosing only the full mentor: refused for that idea, with the loads, nothing assigned.
    response = client.post(
        QUEUE_URL,
        {
            "action": "assign_mentors",
            "_selected_action": [i.pk for i in waiting],
            "apply": "Assign mentors",
            "mentors": [busy.pk],
            "expected_status": expected_for(waiting),
        },
        follow=True,
    )
    assert "no chosen mentor has room (Bo Busy 2 of 2)" in response.content.decode()
    assert not MentorAssignment.objects.filter(idea=waiting[0]).exists()


def test_triage_staff_set_a_capacity_on_the_mentors_page(client, triage, customer):
    mentor = factories.MentorFactory(display_name="Mo Mentor")
    client.force_login(triage)
    url = reverse("admin:reviews_mentor_changelist")
    page = client.get(url)
    assert page.status_code == 200 and "Mo Mentor" in page.content.decode()
    assert customer.public_name not in page.content.decode()  # members of the Mentor group only
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(mentor.pk),
        "form-0-mentor_capacity": "0",
        "_save": "Save",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "between 1 and 50" in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.mentor_capacity == 5
    client.post(url, {**data, "form-0-mentor_capacity": "8"})
    assert Mentor.objects.get(pk=mentor.pk).mentor_capacity == 8
    client.force_login(factories.MentorFactory())
    assert client.get(url).status_code in (302, 403)


def _answer_revision(client_for, idea, author, capture):
    outcome = idea.outcomes.first() or idea.challenge.outcomes.first()
    if not idea.outcomes.exists():
        idea.outcomes.add(outcome)
    with capture(execute=True):
        response = client_for(author).post(
            reverse("ideas:edit", args=[idea.pk]),
            {
                "title": idea.title,
                "problem": idea.problem,
                "solution": "Now with who pays for it.",
                "outcomes": [outcome.pk],
                "action": "save",
            },
        )
    assert response.status_code == 302


def test_the_mentor_hears_of_an_answered_revision_and_sees_a_new_version_until_opening_it(
    client_for, challenge, customer, triage, django_assert_num_queries, django_capture_on_commit_callbacks
):
    mentor = factories.MentorFactory(display_name="Mo Mentor")
    (idea,) = shortlisted(challenge, author=customer)
    idea.outcomes.add(*challenge.outcomes.all()[:1])
    services.mentor_assign(ideas=[idea], mentors=[mentor], assigned_by=triage)
    services.revision_request(idea=idea, mentor=mentor, message="Say who pays.")
    mentor_list = reverse("reviews:mentor_ideas")
    assert "new version" not in client_for(mentor).get(mentor_list).content.decode()

    _answer_revision(client_for, idea, customer, django_capture_on_commit_callbacks)
    told = Notification.objects.filter(kind="revision_answered")
    assert [n.recipient for n in told] == [mentor]
    assert "new version" in told[0].title and told[0].url == reverse("reviews:mentor_idea", args=[idea.pk])
    assert not Notification.objects.filter(kind="revision_answered", recipient=customer).exists()

    client = client_for(mentor)
    assert '<span class="badge new-version"' in client.get(mentor_list).content.decode()
    client.get(reverse("reviews:mentor_idea", args=[idea.pk]))
    assert '<span class="badge new-version"' not in client.get(mentor_list).content.decode()

    # The list's queries do not grow with its rows.
    others = shortlisted(challenge, 4)
    factories.MentorFactory()  # spare mentor, not used
    mentor.mentor_capacity = 10
    mentor.save(update_fields=["mentor_capacity"])
    with django_assert_num_queries(5):  # the same for 1 row and for 5
        client.get(mentor_list)
    services.mentor_assign(ideas=others, mentors=[mentor], assigned_by=triage)
    with django_assert_num_queries(5):  # the same for 1 row and for 5
        client.get(mentor_list)


def test_a_former_mentor_is_not_told(client_for, challenge, customer, triage, django_capture_on_commit_callbacks):
    first, second = factories.MentorFactory(), factories.MentorFactory()
    (idea,) = shortlisted(challenge, author=customer)
    idea.outcomes.add(*challenge.outcomes.all()[:1])
    services.mentor_assign(ideas=[idea], mentors=[first], assigned_by=triage)
    services.revision_request(idea=idea, mentor=first, message="Costs?")
    services.mentor_reassign(idea=idea, mentor=second, assigned_by=triage)
    _answer_revision(client_for, idea, customer, django_capture_on_commit_callbacks)
    assert [n.recipient for n in Notification.objects.filter(kind="revision_answered")] == [second]


def test_the_queue_rows_carry_the_current_mentor(challenge, triage):
    mentor = factories.MentorFactory(display_name="Mo Mentor")
    (mentored,) = shortlisted(challenge)
    (waiting,) = shortlisted(challenge)
    services.mentor_assign(ideas=[mentored], mentors=[mentor], assigned_by=triage)
    from django.utils import timezone

    rows = {i.pk: i for i in selectors.triage_queue(now=timezone.now()).filter(pk__in=[mentored.pk, waiting.pk])}
    assert (rows[mentored.pk].current_mentor_name, rows[mentored.pk].current_mentor_id) == ("Mo Mentor", mentor.pk)
    assert rows[waiting.pk].current_mentor_name is None
