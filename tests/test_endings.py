"""Every idea answered when a challenge ends (issue 15, item 2).

An ending (ideas.models.ENDED_STATUSES) closes the idea's mentoring; a challenge closes only when
every idea in it has an ending. Each path to closing is walked: the scheduler by the dates, staff
moving the phase, the winner choice, and the close page that answers the open ideas all at once.
"""

import datetime

import pytest
from django.contrib.messages import ERROR
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges import services as challenge_services
from challenges.models import Challenge
from challenges.tasks import advance_challenge_phase
from ideas import rules as idea_rules
from ideas import services as idea_services
from ideas.models import ENDED_STATUSES, OPEN_STATUSES, Idea, Status, StatusChange
from reputation.models import Kind, ReputationEvent
from reviews import services
from reviews.models import MentorAssignment, ReasonTemplate, RevisionRequest
from tests import factories

TODAY = datetime.date(2026, 6, 1)


def days(n):
    return TODAY + datetime.timedelta(days=n)


def due_to_close(phase=Challenge.Phase.FINAL):
    """A challenge whose dates say it closed yesterday."""
    return factories.ChallengeFactory(
        phase=phase,
        opens_at=days(-40),
        review_starts_at=days(-30),
        mentoring_starts_at=days(-20),
        final_starts_at=days(-10),
        closes_at=days(-1),
    )


def close_url(challenge):
    return reverse("admin:reviews_challenge_close", args=[challenge.pk])


def results_statuses(client, challenge):
    response = client.get(reverse("challenges:results", args=[challenge.slug]))
    assert response.status_code == 200
    return {idea.status for idea in response.context["results"].ideas}


def mentored_with_open_request(challenge, triage, mentor):
    """An idea in mentoring, its mentor assigned and a revision request open."""
    idea = factories.IdeaFactory(challenge=challenge, status=Status.SHORTLISTED)
    services.mentor_assign(ideas=[idea], mentors=[mentor], capacity=5, assigned_by=triage)
    services.revision_request(idea=idea, mentor=mentor, message="Say how the lockers are cooled.")
    idea.refresh_from_db()
    assert idea.status == Status.IN_MENTORING
    return idea


# --- An ending closes the idea's mentoring ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("ending", [Status.NOT_SELECTED, Status.FINALIST])
def test_an_ending_ends_the_assignment_and_closes_the_revision_request(triage, mentor, ending):
    challenge = factories.ChallengeFactory(phase="mentoring")
    idea = mentored_with_open_request(challenge, triage, mentor)
    idea_services.idea_status_change(idea=idea, to_status=ending, changed_by=triage, reason="Thanks.")
    request = RevisionRequest.objects.get(idea=idea)
    assignment = MentorAssignment.objects.get(idea=idea)
    if ending in ENDED_STATUSES:
        assert request.closed_at is not None and request.answered_at is not None and request.answer_version is None
        assert assignment.ended_at is not None
        idea.refresh_from_db()
        # The author can no longer rewrite it, and closing earned no "revision answered" points.
        assert not idea_rules.can_edit_idea(idea.author, idea)
        with pytest.raises(idea_services.SubmissionNotAllowed):
            idea_services.idea_update(
                idea=idea,
                user=idea.author,
                title="A new title after the end",
                problem=idea.problem,
                solution=idea.solution,
                outcomes=idea.outcomes.all(),
            )
        assert not ReputationEvent.objects.filter(kind=Kind.REVISION_ANSWERED).exists()
    else:  # a finalist is still open: its mentoring goes on
        assert request.closed_at is None and request.answered_at is None
        assert assignment.ended_at is None


@pytest.mark.django_db
def test_the_winner_cannot_be_rewritten_after_it_won(client_for, triage, mentor):
    """The issue's case: an open revision request let the author rewrite the winner."""
    challenge = factories.ChallengeFactory(phase="mentoring")
    idea = mentored_with_open_request(challenge, triage, mentor)
    idea_services.idea_status_change(idea=idea, to_status=Status.FINALIST, changed_by=triage)
    Challenge.objects.filter(pk=challenge.pk).update(phase=Challenge.Phase.FINAL)
    idea.refresh_from_db()
    services.winner_choose(idea=idea, chosen_by=triage, reason="Cheapest to pilot.")
    assert RevisionRequest.objects.get(idea=idea).closed_at is not None
    assert not MentorAssignment.objects.filter(idea=idea, ended_at__isnull=True).exists()
    response = client_for(idea.author).post(
        reverse("ideas:edit", args=[idea.pk]),
        {"title": "Rewritten after winning", "problem": "p" * 30, "solution": "s" * 30, "action": "save"},
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title != "Rewritten after winning"


# --- Staff move the phase: refused while ideas are open ----------------------------------------


@pytest.mark.django_db
def test_staff_cannot_close_a_challenge_with_open_ideas(client_for, triage):
    challenge = factories.ChallengeFactory(phase=Challenge.Phase.FINAL)
    open_idea = factories.IdeaFactory(challenge=challenge, status=Status.FINALIST)
    factories.IdeaFactory(challenge=challenge, status=Status.DECLINED)
    with pytest.raises(challenge_services.PhaseChangeNotAllowed, match="1 idea of .* still has no ending") as caught:
        challenge_services.challenge_phase_set(challenge=challenge, phase=Challenge.Phase.CLOSED, changed_by=triage)
    assert caught.value.answer_url == close_url(challenge)
    challenge.refresh_from_db()
    assert challenge.phase == Challenge.Phase.FINAL

    # The phase page says so and links to the page that answers them, instead of a "close" button.
    page = client_for(triage).get(reverse("admin:challenges_challenge_phase", args=[challenge.pk]))
    assert 'data-testid="close-refusal"' in page.text and close_url(challenge) in page.text
    assert 'value="closed"' not in page.text
    # A post anyway (an old tab) is refused with the link.
    response = client_for(triage).post(
        reverse("admin:challenges_challenge_phase", args=[challenge.pk]), {"phase": "closed"}, follow=True
    )
    messages = [(m.level, str(m)) for m in response.context["messages"]]
    assert any(
        level == ERROR and "still has no ending" in text and close_url(challenge) in text for level, text in messages
    )
    assert Challenge.objects.get(pk=challenge.pk).phase == Challenge.Phase.FINAL
    assert Idea.objects.get(pk=open_idea.pk).status == Status.FINALIST


# --- The scheduler: results pending, not closed ------------------------------------------------


@pytest.mark.django_db
def test_the_scheduler_stops_at_final_while_ideas_are_open(client_for, triage):
    challenge = due_to_close(phase=Challenge.Phase.MENTORING)
    factories.IdeaFactory(challenge=challenge, status=Status.IN_MENTORING)
    # From mentoring the dates say closed: it moves as far as final, and no further.
    assert advance_challenge_phase(challenge.pk, today=TODAY.isoformat()) == Challenge.Phase.FINAL
    assert advance_challenge_phase(challenge.pk, today=TODAY.isoformat()) is None  # run twice: nothing more
    challenge.refresh_from_db()
    assert challenge.phase == Challenge.Phase.FINAL
    assert challenge_services.challenge_phase_advance_due(today=TODAY) == []
    # Staff see "results pending" on the challenge's page, with the way to answer them.
    page = client_for(triage).get(reverse("admin:challenges_challenge_change", args=[challenge.pk]))
    assert 'data-testid="results-pending"' in page.text and close_url(challenge) in page.text


# --- Every path to closing ---------------------------------------------------------------------


@pytest.mark.django_db
def test_path_winner_choice_then_the_scheduler_closes_it(client_for, triage, mentor, customer):
    challenge = due_to_close()
    finalists = factories.IdeaFactory.create_batch(2, challenge=challenge, status=Status.FINALIST)
    shortlisted = factories.IdeaFactory(challenge=challenge, status=Status.SHORTLISTED)
    unscreened = factories.IdeaFactory(challenge=challenge, status=Status.SUBMITTED)
    mentored = mentored_with_open_request(challenge, triage, mentor)
    draft = factories.IdeaFactory(challenge=challenge, status=Status.DRAFT, submitted_at=None)
    assert advance_challenge_phase(challenge.pk, today=TODAY.isoformat()) is None  # results pending

    page = client_for(triage).get(reverse("reviews:finalists", args=[challenge.slug]))
    assert 'data-testid="open-others"' in page.text and "3 other ideas still open" in page.text
    response = client_for(triage).post(
        reverse("reviews:finalists_choose_winner", args=[challenge.slug]),
        {
            "idea": finalists[0].pk,
            "reason": "Cheapest to pilot.",
            "others_not_selected": "on",
            "others_reason": "Strong, but we chose one to pilot.",
            "expected_status": page.context["comparison"].finalists[0].winner_form["expected_status"].value(),
        },
        follow=True,
    )
    assert "is now the winner" in response.text
    statuses = {i.pk: i.status for i in Idea.objects.filter(challenge=challenge)}
    assert statuses == {
        finalists[0].pk: Status.WINNER,
        finalists[1].pk: Status.NOT_SELECTED,
        shortlisted.pk: Status.NOT_SELECTED,
        unscreened.pk: Status.DECLINED,
        mentored.pk: Status.NOT_SELECTED,
        draft.pk: Status.DRAFT,
    }
    assert RevisionRequest.objects.get(idea=mentored).closed_at is not None
    assert StatusChange.objects.get(idea=unscreened).reason == "Strong, but we chose one to pilot."

    assert advance_challenge_phase(challenge.pk, today=TODAY.isoformat()) == Challenge.Phase.CLOSED
    assert results_statuses(client_for(customer), challenge) <= ENDED_STATUSES


@pytest.mark.django_db
def test_path_the_close_page_answers_every_open_idea_and_closes(
    client_for, triage, mentor, customer, mailoutbox, django_capture_on_commit_callbacks
):
    challenge = due_to_close()
    winner = factories.IdeaFactory(challenge=challenge, status=Status.WINNER)
    others = [
        factories.IdeaFactory(challenge=challenge, status=Status.FINALIST),
        factories.IdeaFactory(challenge=challenge, status=Status.SUBMITTED),
        mentored_with_open_request(challenge, triage, mentor),
    ]
    template = ReasonTemplate.objects.get(to_status=Status.NOT_SELECTED)  # seeded by reviews/0004
    client = client_for(triage)
    page = client.get(close_url(challenge))
    assert page.status_code == 200
    table = page.text[page.text.index('data-testid="open-ideas"') :]
    for idea in others:
        assert idea.title in table
    assert winner.title not in table
    assert template.title in page.text
    opened = page.context["form"]["expected_status"].value()

    # Without a reason: nothing changes.
    response = client.post(close_url(challenge), {"apply": "1", "expected_status": opened, "reason": " "})
    assert response.status_code == 200 and "Give the authors a reason" in response.text
    assert Challenge.objects.get(pk=challenge.pk).phase == Challenge.Phase.FINAL

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            close_url(challenge),
            {"apply": "1", "expected_status": opened, "reason_template": str(template.pk)},
            follow=True,
        )
    assert "is closed; 3 ideas answered" in response.text
    challenge.refresh_from_db()
    assert challenge.phase == Challenge.Phase.CLOSED
    assert [Idea.objects.get(pk=i.pk).status for i in others] == [
        Status.NOT_SELECTED,
        Status.DECLINED,
        Status.NOT_SELECTED,
    ]
    assert StatusChange.objects.get(idea=others[0], to_status=Status.NOT_SELECTED).reason == template.text
    authors = {idea.author.email for idea in others}
    assert authors <= {address for m in mailoutbox for address in m.to}  # each author told
    assert results_statuses(client_for(customer), challenge) <= ENDED_STATUSES
    assert not Idea.objects.filter(challenge=challenge, status__in=OPEN_STATUSES).exists()


@pytest.mark.django_db
def test_the_close_page_is_all_or_nothing_when_an_idea_changed_since_it_was_opened(client_for, triage):
    challenge = factories.ChallengeFactory(phase=Challenge.Phase.FINAL)
    ideas = factories.IdeaFactory.create_batch(3, challenge=challenge, status=Status.SHORTLISTED)
    client = client_for(triage)
    opened = client.get(close_url(challenge)).context["form"]["expected_status"].value()
    # Another staff member moves one on meanwhile.
    idea_services.idea_status_change(idea=ideas[2], to_status=Status.IN_MENTORING, changed_by=triage)
    response = client.post(
        close_url(challenge), {"apply": "1", "expected_status": opened, "reason": "Thanks."}, follow=True
    )
    assert "Nothing was changed" in response.text and "it is now in mentoring" in response.text
    assert Challenge.objects.get(pk=challenge.pk).phase == Challenge.Phase.FINAL
    assert [Idea.objects.get(pk=i.pk).status for i in ideas] == [
        Status.SHORTLISTED,
        Status.SHORTLISTED,
        Status.IN_MENTORING,
    ]
    assert not StatusChange.objects.filter(to_status=Status.NOT_SELECTED).exists()
    # An idea that was not on the page (it arrived since) is refused the same way.
    fresh = client.get(close_url(challenge)).context["form"]["expected_status"].value()
    late = factories.IdeaFactory(challenge=challenge, status=Status.SUBMITTED)
    response = client.post(
        close_url(challenge), {"apply": "1", "expected_status": fresh, "reason": "Thanks."}, follow=True
    )
    assert "Nothing was changed" in response.text and f"“{late.title}” was not on the page you opened" in response.text
    assert Challenge.objects.get(pk=challenge.pk).phase == Challenge.Phase.FINAL


@pytest.mark.django_db
def test_path_answered_one_by_one_then_staff_close_it(client_for, triage, customer):
    challenge = factories.ChallengeFactory(phase=Challenge.Phase.FINAL)
    finalist = factories.IdeaFactory(challenge=challenge, status=Status.FINALIST)
    submitted = factories.IdeaFactory(challenge=challenge, status=Status.SUBMITTED)
    idea_services.idea_status_change(
        idea=finalist, to_status=Status.NOT_SELECTED, changed_by=triage, reason="x", expected_status=Status.FINALIST
    )
    with pytest.raises(challenge_services.PhaseChangeNotAllowed):
        challenge_services.challenge_phase_set(challenge=challenge, phase=Challenge.Phase.CLOSED, changed_by=triage)
    idea_services.idea_status_change(idea=submitted, to_status=Status.DECLINED, changed_by=triage, reason="y")
    change = challenge_services.challenge_phase_set(
        challenge=challenge, phase=Challenge.Phase.CLOSED, changed_by=triage
    )
    assert change.to_phase == Challenge.Phase.CLOSED
    assert results_statuses(client_for(customer), challenge) <= ENDED_STATUSES


@pytest.mark.django_db
def test_the_close_page_is_for_triage_staff_only(client_for, customer, mentor):
    challenge = factories.ChallengeFactory(phase=Challenge.Phase.FINAL)
    factories.IdeaFactory(challenge=challenge, status=Status.FINALIST)
    for user in (customer, mentor):
        response = client_for(user).post(close_url(challenge), {"apply": "1", "reason": "x"})
        assert response.status_code in (302, 403)
    assert Challenge.objects.get(pk=challenge.pk).phase == Challenge.Phase.FINAL


@pytest.mark.django_db
def test_closing_with_nothing_open_needs_no_reason(client_for, triage):
    challenge = factories.ChallengeFactory(phase=Challenge.Phase.FINAL)
    factories.IdeaFactory(challenge=challenge, status=Status.WINNER)
    response = client_for(triage).post(close_url(challenge), {"apply": "1"}, follow=True)
    assert "is closed." in response.text
    assert Challenge.objects.get(pk=challenge.pk).phase == Challenge.Phase.CLOSED


@pytest.mark.django_db
def test_a_template_not_written_for_declined_cannot_answer_an_unscreened_idea(client_for, triage):
    challenge = factories.ChallengeFactory(phase=Challenge.Phase.FINAL)
    factories.IdeaFactory(challenge=challenge, status=Status.FINALIST)
    unscreened = factories.IdeaFactory(challenge=challenge, status=Status.SUBMITTED)
    only_not_selected = ReasonTemplate.objects.create(
        to_status=Status.NOT_SELECTED, title="Not chosen", text="Another idea was chosen."
    )
    client = client_for(triage)
    opened = client.get(close_url(challenge)).context["form"]["expected_status"].value()
    response = client.post(
        close_url(challenge),
        {"apply": "1", "expected_status": opened, "reason_template": str(only_not_selected.pk)},
        follow=True,
    )
    assert "Nothing was changed" in response.text and "written for “not selected”, not for “declined”" in response.text
    assert Idea.objects.get(pk=unscreened.pk).status == Status.SUBMITTED
    assert Challenge.objects.get(pk=challenge.pk).phase == Challenge.Phase.FINAL
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
def test_the_close_page_reads_a_fixed_number_of_queries_whatever_the_open_ideas(client_for, triage):
    challenge = factories.ChallengeFactory(phase=Challenge.Phase.FINAL)
    client = client_for(triage)
    counts = []
    for batch in (2, 20):
        factories.IdeaFactory.create_batch(batch, challenge=challenge, status=Status.SHORTLISTED)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(close_url(challenge)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
