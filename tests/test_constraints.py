"""The database itself refuses what must never be stored, whatever the code above it does."""

import pytest
from django.db import IntegrityError, transaction

from challenges.models import Challenge, SelectionCriterion
from ideas.models import Status, StatusChange, Vote
from scoring.models import Rating, Respondent
from tests import factories


def refused(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


@pytest.mark.django_db
def test_a_second_vote_by_the_same_user_fails_at_the_database(idea, other_customer):
    Vote.objects.create(idea=idea, user=other_customer, value=Vote.Value.UP)
    assert refused(lambda: Vote.objects.create(idea=idea, user=other_customer, value=Vote.Value.DOWN))
    assert Vote.objects.filter(idea=idea).count() == 1


@pytest.mark.django_db
def test_a_vote_is_up_or_down(idea, other_customer):
    assert refused(lambda: Vote.objects.create(idea=idea, user=other_customer, value=2))


@pytest.mark.django_db
@pytest.mark.parametrize("importance,satisfaction", [(0, 3), (6, 3), (3, 0), (3, 6)])
def test_ratings_are_1_to_5(importance, satisfaction):
    respondent = Respondent.objects.create(key="r-1")
    outcome = factories.OutcomeFactory()
    assert refused(
        lambda: Rating.objects.create(
            respondent=respondent,
            outcome=outcome,
            wave=factories.round_of(outcome),
            importance=importance,
            satisfaction=satisfaction,
        )
    )


@pytest.mark.django_db
def test_one_rating_per_respondent_per_outcome():
    respondent = Respondent.objects.create(key="r-1")
    outcome = factories.OutcomeFactory()
    wave = factories.round_of(outcome)
    Rating.objects.create(respondent=respondent, outcome=outcome, wave=wave, importance=5, satisfaction=1)
    assert refused(
        lambda: Rating.objects.create(respondent=respondent, outcome=outcome, wave=wave, importance=4, satisfaction=2)
    )


@pytest.mark.django_db
def test_duplicate_status_and_duplicate_of_go_together(idea, open_challenge):
    other = factories.IdeaFactory(challenge=open_challenge)
    assert refused(lambda: type(idea).objects.filter(pk=idea.pk).update(status=Status.DUPLICATE))
    assert refused(lambda: type(idea).objects.filter(pk=idea.pk).update(duplicate_of=other))
    assert refused(lambda: type(idea).objects.filter(pk=idea.pk).update(status=Status.DUPLICATE, duplicate_of=idea))


@pytest.mark.django_db
def test_unknown_status_and_submitted_without_date_are_refused(idea):
    assert refused(lambda: type(idea).objects.filter(pk=idea.pk).update(status="maybe"))
    assert refused(lambda: type(idea).objects.filter(pk=idea.pk).update(submitted_at=None))


@pytest.mark.django_db
def test_a_status_change_changes_the_status(idea, triage):
    assert refused(
        lambda: StatusChange.objects.create(
            idea=idea, from_status="submitted", to_status="submitted", changed_by=triage
        )
    )


@pytest.mark.django_db
def test_challenge_phase_dates_follow_the_phases(open_challenge):
    open_challenge.review_starts_at = open_challenge.opens_at.replace(year=open_challenge.opens_at.year - 1)
    assert refused(open_challenge.save)
    assert refused(lambda: Challenge.objects.filter(pk=open_challenge.pk).update(phase="someday"))


@pytest.mark.django_db
def test_criterion_weights_are_1_to_100(open_challenge):
    assert refused(lambda: SelectionCriterion.objects.create(challenge=open_challenge, name="Fit", weight=0))
    assert refused(lambda: SelectionCriterion.objects.create(challenge=open_challenge, name="Fit", weight=101))


@pytest.mark.django_db
def test_member_emails_are_unique_ignoring_case(customer):
    assert refused(lambda: factories.UserFactory(username="copy", email=customer.email.upper()))
