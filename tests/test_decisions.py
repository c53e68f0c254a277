"""Decisions that can't cross (issue 15, item 1): every staff form that changes an idea's state carries
the status it was opened with; the services compare it under the idea's row lock and refuse a stale
one, changing nothing (no status change, no outbox event, no email, no points). Races with real
threads against PostgreSQL."""

import threading

import pytest
from django.contrib.admin.sites import site as admin_site
from django.contrib.messages import ERROR, SUCCESS
from django.core import mail
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from ideas import services
from ideas.models import Idea, Status, StatusChange, Vote
from notifications.models import OutboxEvent
from reputation.models import Kind, ReputationEvent, ReputationTotal
from reviews.admin_mentoring import MENTORING_ACTIONS
from reviews.models import MentorAssignment, ReasonTemplate, TriageIdea
from reviews.services import mentoring, winner_choose
from tests import factories
from tests.decisions import expected_for
from tests.test_mentoring import _admin_request

CHANGELIST_URL = reverse("admin:ideas_idea_changelist")
STALE = "This idea changed since you opened it: it is now"


def status_url(idea):
    return reverse("admin:ideas_idea_change_status", args=[idea.pk])


def status_events(idea):
    keys = [f"status_changed:{pk}" for pk in idea.status_changes.values_list("pk", flat=True)]
    return OutboxEvent.objects.filter(kind="status_changed", event_key__in=keys)


def run_threads(*targets, timeout=60):
    """Start each target in its own thread (own connection) behind a barrier, so they go at once."""
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)

    def run(index, target):
        try:
            barrier.wait(timeout=timeout)
            results[index] = ("ok", target())
        except Exception as error:  # noqa: BLE001 - returned and asserted by the test
            results[index] = ("error", error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting"
    return results


# --- The race of the issue: shortlist and decline from the same opened page -------------------


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_staff_deciding_at_once_end_with_one_decision():
    """Five rounds of two real threads: shortlist vs decline, both opened on "submitted"."""
    first, second = factories.TriageFactory(), factories.TriageFactory()
    for _ in range(5):
        idea = factories.IdeaFactory()
        mail.outbox.clear()

        def shortlist(idea=idea):
            return services.idea_status_change(
                idea=idea, to_status=Status.SHORTLISTED, changed_by=first, expected_status=Status.SUBMITTED
            )

        def decline(idea=idea):
            return services.idea_status_change(
                idea=idea,
                to_status=Status.DECLINED,
                changed_by=second,
                reason="Outside what we deliver.",
                expected_status=Status.SUBMITTED,
            )

        results = run_threads(shortlist, decline)
        applied = [value for outcome, value in results if outcome == "ok"]
        refused = [value for outcome, value in results if outcome == "error"]
        assert len(applied) == 1 and len(refused) == 1, results
        assert isinstance(refused[0], services.StaleDecision)
        idea.refresh_from_db()
        assert str(refused[0]) == f"{STALE} {idea.get_status_display().lower()}."
        assert applied[0].to_status == idea.status
        assert StatusChange.objects.filter(idea=idea).count() == 1
        # The author hears of one decision: one outbox event, one email.
        assert status_events(idea).count() == 1
        assert [m.to for m in mail.outbox] == [[idea.author.email]]
        # And their points match the decision that stood.
        kinds = set(ReputationEvent.objects.filter(user=idea.author).values_list("kind", flat=True))
        points = ReputationTotal.objects.filter(user=idea.author).values_list("points", flat=True).first() or 0
        if idea.status == Status.SHORTLISTED:
            assert kinds == {Kind.IDEA_SHORTLISTED} and points == 20
        else:
            assert kinds == set() and points == 0


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_change_status_pages_posted_at_once(triage):
    """The same race through HTTP: two staff post the idea's change-status page opened on "submitted"."""
    other = factories.TriageFactory()
    idea = factories.IdeaFactory()
    opened = expected_for(idea)

    def post(user, data):
        client = Client()
        client.force_login(user)
        return client.post(status_url(idea), {**data, "apply": "1", "expected_status": opened}, follow=True)

    results = run_threads(
        lambda: post(triage, {"to_status": "shortlisted", "reason": "Strong fit."}),
        lambda: post(other, {"to_status": "declined", "reason": "Not for us."}),
    )
    assert all(outcome == "ok" for outcome, _ in results), results
    assert StatusChange.objects.filter(idea=idea).count() == 1
    idea.refresh_from_db()
    # The pages as sent back (response.context is not thread-safe: the test client collects the
    # contexts of every template rendered in the process while it waits).
    texts = [response.text for _, response in results]
    assert sorted(response.redirect_chain != [] for _, response in results) == [False, True]
    label = idea.get_status_display().lower()
    assert sum(f"“{idea.title}” was not changed: {STALE} {label}." in t for t in texts) == 1
    assert sum(f"1 idea now {label}: “{idea.title}”." in t for t in texts) == 1


# --- A stale page, one step at a time ---------------------------------------------------------


@pytest.mark.django_db
def test_a_page_opened_before_someone_else_decided_changes_nothing(client_for, triage, mailoutbox):
    idea = factories.IdeaFactory()
    page = client_for(triage).get(status_url(idea))
    opened = page.context["form"]["expected_status"].value()
    assert opened == f"{idea.pk}:submitted"
    assert f'name="expected_status" value="{opened}"' in page.text
    services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=factories.TriageFactory())
    changes, events, points = StatusChange.objects.count(), OutboxEvent.objects.count(), ReputationEvent.objects.count()
    mailoutbox.clear()

    response = client_for(triage).post(
        status_url(idea), {"to_status": "declined", "reason": "Not for us.", "apply": "1", "expected_status": opened}
    )
    assert response.status_code == 200
    messages = [(m.level, str(m)) for m in response.context["messages"]]
    assert (ERROR, f"Idea #{idea.pk} “{idea.title}” was not changed: {STALE} shortlisted.") in messages
    idea.refresh_from_db()
    assert idea.status == Status.SHORTLISTED
    assert (StatusChange.objects.count(), OutboxEvent.objects.count(), ReputationEvent.objects.count()) == (
        changes,
        events,
        points,
    )
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_form_without_the_opened_state_is_refused(client_for, triage):
    idea = factories.IdeaFactory()
    response = client_for(triage).post(status_url(idea), {"to_status": "shortlisted", "reason": "", "apply": "1"})
    assert response.status_code == 200
    assert "This page is out of date" in response.text
    idea.refresh_from_db()
    assert idea.status == Status.SUBMITTED and not StatusChange.objects.exists()


@pytest.mark.django_db
def test_the_bulk_action_reports_stale_ideas_one_by_one_and_applies_the_others(client_for, triage):
    challenge = factories.ChallengeFactory()
    ideas = [factories.IdeaFactory(challenge=challenge, title=f"Idea {n}") for n in range(3)]
    page = client_for(triage).post(
        CHANGELIST_URL, {"action": "change_status", "_selected_action": [i.pk for i in ideas], "index": 0}
    )
    opened = page.context["form"]["expected_status"].value()
    # Meanwhile another staff member shortlists the middle one.
    services.idea_status_change(idea=ideas[1], to_status=Status.SHORTLISTED, changed_by=factories.TriageFactory())
    response = client_for(triage).post(
        CHANGELIST_URL,
        {
            "action": "change_status",
            "_selected_action": [i.pk for i in ideas],
            "apply": "Change status",
            "to_status": "declined",
            "reason": "Outside what we deliver.",
            "expected_status": opened,
        },
        follow=True,
    )
    messages = [(m.level, str(m)) for m in response.context["messages"]]
    assert (ERROR, f"Idea #{ideas[1].pk} “Idea 1” was not changed: {STALE} shortlisted.") in messages
    assert (SUCCESS, "2 ideas now declined: “Idea 0”, “Idea 2”.") in messages
    assert [Idea.objects.get(pk=i.pk).status for i in ideas] == [Status.DECLINED, Status.SHORTLISTED, Status.DECLINED]


@pytest.mark.django_db
def test_a_stale_merge_moves_nothing(triage, other_customer):
    challenge = factories.ChallengeFactory()
    duplicate, original = factories.IdeaFactory(challenge=challenge), factories.IdeaFactory(challenge=challenge)
    services.vote_cast(user=other_customer, idea=duplicate, value=Vote.Value.UP)
    services.idea_status_change(idea=duplicate, to_status=Status.SHORTLISTED, changed_by=triage)
    with pytest.raises(services.StaleDecision, match="it is now shortlisted"):
        services.idea_status_change(
            idea=duplicate,
            to_status=Status.DUPLICATE,
            changed_by=triage,
            reason="Same as the original.",
            duplicate_of=original,
            expected_status=Status.SUBMITTED,
        )
    duplicate.refresh_from_db()
    assert duplicate.status == Status.SHORTLISTED and duplicate.duplicate_of is None
    assert Vote.objects.get(user=other_customer).idea_id == duplicate.pk


# --- Mentors: assign and reassign -------------------------------------------------------------


@pytest.mark.django_db
def test_assigning_mentors_reports_a_stale_idea_and_assigns_the_others(triage):
    challenge = factories.ChallengeFactory(phase="mentoring")
    ideas = factories.IdeaFactory.create_batch(3, challenge=challenge, status=Status.SHORTLISTED)
    opened = expected_for(ideas)
    services.idea_status_change(idea=ideas[0], to_status=Status.DECLINED, changed_by=triage, reason="No.")
    assign = next(a for a in MENTORING_ACTIONS if a.__name__ == "assign_mentors")
    data = {
        "action": "assign_mentors",
        "apply": "1",
        "mentors": [factories.MentorFactory().pk],
        "capacity": "5",
        "expected_status": opened,
    }
    request = _admin_request(triage, data)
    assign(admin_site._registry[TriageIdea], request, TriageIdea.objects.filter(pk__in=[i.pk for i in ideas]))
    texts = [str(m) for m in request._messages]
    assert any(f"Idea #{ideas[0].pk}" in t and f"{STALE} declined." in t for t in texts), texts
    assert set(MentorAssignment.objects.values_list("idea_id", flat=True)) == {ideas[1].pk, ideas[2].pk}


@pytest.mark.django_db
def test_reassigning_a_mentor_from_a_stale_page_is_refused(triage):
    idea = factories.IdeaFactory(challenge=factories.ChallengeFactory(phase="mentoring"), status=Status.SHORTLISTED)
    first, second = factories.MentorFactory(), factories.MentorFactory()
    mentoring.mentor_assign(ideas=[idea], mentors=[first], capacity=5, assigned_by=triage)
    with pytest.raises(mentoring.MentoringNotAllowed, match=f"{STALE} in mentoring"):
        mentoring.mentor_reassign(idea=idea, mentor=second, assigned_by=triage, expected_status=Status.SHORTLISTED)
    assert MentorAssignment.objects.get(idea=idea, ended_at__isnull=True).mentor == first


# --- Reason templates: written for a status, refused with another -----------------------------


@pytest.mark.django_db
def test_the_service_refuses_a_reason_template_written_for_another_status(triage):
    idea = factories.IdeaFactory()
    template = ReasonTemplate.objects.create(
        to_status=Status.DECLINED, title="Exists already", text="This already exists in our app."
    )
    assert template.statuses == {Status.DECLINED}
    with pytest.raises(services.TransitionNotAllowed, match="written for “declined”, not for “shortlisted”"):
        services.idea_status_change(
            idea=idea, to_status=Status.SHORTLISTED, changed_by=triage, reason=template.text, reason_template=template
        )
    assert not StatusChange.objects.exists()
    change = services.idea_status_change(
        idea=idea, to_status=Status.DECLINED, changed_by=triage, reason=template.text, reason_template=template
    )
    assert change.reason == "This already exists in our app."


@pytest.mark.django_db
def test_the_status_page_offers_only_the_templates_of_the_statuses_on_offer(client_for, triage):
    idea = factories.IdeaFactory(status=Status.IN_PROGRESS)
    ReasonTemplate.objects.create(to_status=Status.DECLINED, title="Exists", text="Exists already.")
    ReasonTemplate.objects.create(to_status=Status.IMPLEMENTED, title="Shipped", text="Shipped in May.")
    form = client_for(triage).get(status_url(idea)).context["form"]
    assert [t.title for t in form.reason_templates] == ["Shipped"]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_staff_choosing_different_winners_at_once_end_with_one_winner():
    challenge = factories.ChallengeFactory(phase="final")
    finalists = factories.IdeaFactory.create_batch(3, challenge=challenge, status=Status.FINALIST)
    opened = {idea.pk: Status.FINALIST for idea in finalists}
    first, second = factories.TriageFactory(), factories.TriageFactory()

    def choose(user, idea):
        return lambda: winner_choose(
            idea=Idea.objects.select_related("challenge").get(pk=idea.pk),
            chosen_by=user,
            reason="Cheapest to pilot.",
            others_reason="Strong, but we pilot one.",
            expected_status=Status.FINALIST,
            expected_statuses=opened,
        )

    results = run_threads(choose(first, finalists[0]), choose(second, finalists[1]))
    refused = [value for outcome, value in results if outcome == "error"]
    assert len(refused) == 1 and isinstance(refused[0], services.StaleDecision), results
    assert str(refused[0]) == f"{STALE} not selected."
    statuses = sorted(Idea.objects.filter(challenge=challenge).values_list("status", flat=True))
    assert statuses == sorted([Status.WINNER, Status.NOT_SELECTED, Status.NOT_SELECTED])
    assert StatusChange.objects.filter(to_status=Status.WINNER).count() == 1


@pytest.mark.django_db
def test_a_template_written_for_several_statuses_is_offered_and_accepted_for_each(client_for, triage):
    ReasonTemplate.objects.update(is_active=False)
    template = ReasonTemplate.objects.create(
        to_status=Status.NOT_SELECTED, also_for=[Status.DECLINED], title="Ended", text="The challenge ended."
    )
    assert template.statuses == {Status.NOT_SELECTED, Status.DECLINED}
    idea = factories.IdeaFactory()  # submitted: shortlisted, declined or duplicate on offer
    page = client_for(triage).get(status_url(idea))
    assert [t.title for t in page.context["form"].reason_templates] == ["Ended"]
    assert {"id": str(template.pk), "statuses": ["declined", "not_selected"], "text": "The challenge ended."} in (
        page.context["form"].reason_templates_data()
    )
    refused = client_for(triage).post(
        status_url(idea),
        {
            "to_status": "shortlisted",
            "reason_template": str(template.pk),
            "apply": "1",
            "expected_status": expected_for(idea),
        },
    )
    assert "reason_template" in refused.context["form"].errors
    accepted = client_for(triage).post(
        status_url(idea),
        {
            "to_status": "declined",
            "reason_template": str(template.pk),
            "apply": "1",
            "expected_status": expected_for(idea),
        },
    )
    assert accepted.status_code == 302
    assert StatusChange.objects.get(idea=idea).reason == "The challenge ended."


@pytest.mark.django_db
def test_staff_record_every_status_a_template_was_written_for(client_for, triage):
    response = client_for(triage).post(
        reverse("admin:reviews_reasontemplate_add"),
        {
            "to_status": "not_selected",
            "also_for": ["declined", "not_selected"],
            "title": "Ended without it",
            "text": "The challenge ended.",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    template = ReasonTemplate.objects.get(title="Ended without it")
    assert template.also_for == ["declined"]  # its own status is not repeated


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_staff_reassigning_the_same_idea_at_once_end_with_one_new_mentor():
    """Both pages showed the idea in mentoring with its first mentor: the second reassignment is refused."""
    triage = factories.TriageFactory()
    idea = factories.IdeaFactory(challenge=factories.ChallengeFactory(phase="mentoring"), status=Status.SHORTLISTED)
    first, second, third = (factories.MentorFactory() for _ in range(3))
    mentoring.mentor_assign(ideas=[idea], mentors=[first], capacity=5, assigned_by=triage)
    shown = MentorAssignment.objects.get(idea=idea, ended_at__isnull=True).pk

    def reassign(mentor):
        return lambda: mentoring.mentor_reassign(
            idea=idea,
            mentor=mentor,
            assigned_by=triage,
            expected_status=Status.IN_MENTORING,
            expected_assignment_id=shown,
        )

    results = run_threads(reassign(second), reassign(third))
    refused = [value for outcome, value in results if outcome == "error"]
    assert len(refused) == 1 and isinstance(refused[0], mentoring.MentoringNotAllowed), results
    current = MentorAssignment.objects.get(idea=idea, ended_at__isnull=True)
    assert current.mentor in (second, third)
    assert str(refused[0]) == f"{STALE} mentored by {current.mentor.public_name}."
    assert MentorAssignment.objects.filter(idea=idea).count() == 2


@pytest.mark.django_db
def test_the_reassign_page_carries_each_ideas_current_mentor(triage):
    idea = factories.IdeaFactory(challenge=factories.ChallengeFactory(phase="mentoring"), status=Status.SHORTLISTED)
    first, second = factories.MentorFactory(), factories.MentorFactory()
    mentoring.mentor_assign(ideas=[idea], mentors=[first], capacity=5, assigned_by=triage)
    reassign = next(a for a in MENTORING_ACTIONS if a.__name__ == "reassign_mentor")
    page = reassign(
        admin_site._registry[TriageIdea],
        _admin_request(triage, {"action": "reassign_mentor"}),
        TriageIdea.objects.filter(pk=idea.pk),
    )
    page.render()
    shown = MentorAssignment.objects.get(idea=idea).pk
    assert f'name="expected_assignments" value="{idea.pk}:{shown}"'.encode() in page.content
    # Someone else reassigns it first; the page, sent now, is refused for that idea.
    mentoring.mentor_reassign(idea=idea, mentor=second, assigned_by=triage)
    data = {
        "action": "reassign_mentor",
        "apply": "1",
        "mentor": factories.MentorFactory().pk,
        "expected_status": f"{idea.pk}:in_mentoring",
        "expected_assignments": f"{idea.pk}:{shown}",
    }
    request = _admin_request(triage, data)
    reassign(admin_site._registry[TriageIdea], request, TriageIdea.objects.filter(pk=idea.pk))
    texts = [str(m) for m in request._messages]
    assert any(f"{STALE} mentored by {second.public_name}." in t for t in texts), texts
    assert MentorAssignment.objects.get(idea=idea, ended_at__isnull=True).mentor == second


@pytest.mark.django_db
def test_a_stale_page_is_told_what_the_idea_is_now_even_for_a_step_no_longer_offered(client_for, triage):
    """Opened on "submitted", sent after someone shortlisted it: "shortlisted" is no longer a step from
    there, but the answer is still that the idea changed, not a form error."""
    idea = factories.IdeaFactory()
    opened = expected_for(idea)
    services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=factories.TriageFactory())
    response = client_for(triage).post(
        status_url(idea), {"to_status": "shortlisted", "reason": "", "apply": "1", "expected_status": opened}
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [f"Idea #{idea.pk} “{idea.title}” was not changed: {STALE} shortlisted."]
    assert StatusChange.objects.filter(idea=idea).count() == 1
