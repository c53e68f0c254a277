"""More notifications: the daily overdue digest for triage staff, voters who opt in to status
changes, and followers told of new comments."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ideas import services as idea_services
from ideas.models import IdeaFollow, Status
from notifications import selectors, services
from notifications.models import Delivery, Notification
from reviews import tasks as review_tasks
from reviews.services import overdue
from tests import factories
from tests.notification_kinds import Kind

DAY = datetime.timedelta(days=1)


def notified(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def emails_to(user):
    return [m for m in mail.outbox if user.email in m.to]


# --- overdue digest -------------------------------------------------------------------------------


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def submitted(challenge, at, **fields):
    return factories.IdeaFactory(challenge=challenge, submitted_at=at, **fields)


def test_overdue_is_strictly_after_the_deadline(db, now):
    challenge = factories.ChallengeFactory(answer_within_days=10)
    at_deadline = submitted(challenge, now - 10 * DAY)
    just_past = submitted(challenge, now - 10 * DAY - datetime.timedelta(seconds=1))
    submitted(challenge, now - 9 * DAY)  # not yet due
    submitted(challenge, now - 30 * DAY, decided_at=now - DAY)  # answered
    submitted(challenge, now - 30 * DAY, status=Status.SHORTLISTED)  # decided
    assert [i.pk for i in overdue.overdue_ideas(now=now)] == [just_past.pk]
    assert at_deadline.pk not in {i.pk for i in overdue.overdue_ideas(now=now)}
    # A second later, the one exactly at the deadline is overdue too.
    later = {i.pk for i in overdue.overdue_ideas(now=now + datetime.timedelta(seconds=1))}
    assert later == {at_deadline.pk, just_past.pk}


def test_digest_reaches_active_triage_staff_with_an_email_only(db, now, triage, customer, mentor):
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    factories.TriageFactory(is_active=False)
    factories.TriageFactory(email="")
    factories.UserFactory(is_staff=True)  # staff without the Triage group
    submitted(factories.ChallengeFactory(answer_within_days=3), now - 4 * DAY)
    assert review_tasks.send_overdue_digests() == 2
    recipients = sorted(addr for m in mail.outbox for addr in m.to)
    assert recipients == sorted([triage.email, superuser.email])
    assert notified(Kind.OVERDUE_DIGEST) == sorted([triage.pk, superuser.pk])


def test_digest_lists_overdue_ideas_by_challenge_with_days_and_the_queue_link(db, now, triage):
    lockers = factories.ChallengeFactory(title="Easier deliveries", answer_within_days=10)
    kitchens = factories.ChallengeFactory(title="Better kitchens", answer_within_days=5)
    submitted(lockers, now - 13 * DAY - datetime.timedelta(hours=2), title="Station lockers")
    submitted(kitchens, now - 6 * DAY - datetime.timedelta(hours=1), title="Shared ovens")
    submitted(kitchens, now - 2 * DAY, title="Not due yet")
    assert overdue.overdue_digest_send(user_id=triage.pk, now=now)
    [email] = mail.outbox
    assert "2 ideas overdue" in email.subject
    body = email.body
    assert "Station lockers: 3 days overdue" in body
    assert "Shared ovens: 1 day overdue" in body
    assert "Not due yet" not in body
    assert body.index("Better kitchens") < body.index("Shared ovens") < body.index("Easier deliveries")
    queue = reverse("admin:reviews_triageidea_changelist") + "?overdue=yes"
    assert queue == "/admin/reviews/triageidea/?overdue=yes"
    assert queue in body and queue in email.alternatives[0][0]
    assert "/notifications/unsubscribe/" in body


def test_digest_is_sent_once_per_staff_member_per_day(db, now, triage):
    submitted(factories.ChallengeFactory(answer_within_days=1), now - 2 * DAY)
    assert review_tasks.send_overdue_digests() == 1
    assert review_tasks.send_overdue_digests() == 1  # queued again, but the day's key stops the send
    assert overdue.overdue_digest_send(user_id=triage.pk) is False
    assert len(emails_to(triage)) == 1
    assert Notification.objects.filter(recipient=triage, kind=Kind.OVERDUE_DIGEST).count() == 1
    # The next day: a new digest.
    assert overdue.overdue_digest_send(user_id=triage.pk, now=now + DAY)
    assert len(emails_to(triage)) == 2


def test_nothing_is_sent_when_nothing_is_overdue(db, now, triage):
    submitted(factories.ChallengeFactory(answer_within_days=10), now - 10 * DAY + datetime.timedelta(minutes=1))
    assert review_tasks.send_overdue_digests() == 0
    assert overdue.overdue_digest_send(user_id=triage.pk) is False
    assert mail.outbox == [] and not Notification.objects.exists()


def test_staff_who_turned_the_digest_off_get_none(db, now, triage):
    submitted(factories.ChallengeFactory(answer_within_days=1), now - 2 * DAY)
    services.preference_set(user=triage, kind=Kind.OVERDUE_DIGEST, delivery=Delivery.OFF)
    review_tasks.send_overdue_digests()
    assert mail.outbox == []


def test_only_staff_see_the_overdue_digest_preference(client_for, customer, triage):
    assert Kind.OVERDUE_DIGEST not in selectors.preferences_for(customer)
    assert Kind.OVERDUE_DIGEST in selectors.preferences_for(triage)
    page = client_for(customer).get(reverse("notifications:preferences")).content.decode()
    assert "Tell me when ideas I voted on change status" in page
    assert "overdue" not in page.lower()
    assert (
        "Ideas overdue for a first answer"
        in client_for(triage).get(reverse("notifications:preferences")).content.decode()
    )


# --- voters who asked to hear of status changes -----------------------------------------------------


def test_status_change_reaches_exactly_the_opted_in_voters(django_capture_on_commit_callbacks, idea, triage):
    daily, immediate, silent, default, follows_too = (factories.UserFactory() for _ in range(5))
    for voter in (daily, immediate, silent, default, follows_too):
        factories.VoteFactory(idea=idea, user=voter)
    services.preference_set(user=daily, kind=Kind.VOTED_IDEA_STATUS, delivery=Delivery.DAILY)
    services.preference_set(user=immediate, kind=Kind.VOTED_IDEA_STATUS, delivery=Delivery.IMMEDIATELY)
    services.preference_set(user=silent, kind=Kind.VOTED_IDEA_STATUS, delivery=Delivery.OFF)
    services.preference_set(user=follows_too, kind=Kind.VOTED_IDEA_STATUS, delivery=Delivery.IMMEDIATELY)
    IdeaFollow.objects.create(idea=idea, user=follows_too)
    # The actor voted and opted in too: never told of their own act.
    factories.VoteFactory(idea=idea, user=triage)
    services.preference_set(user=triage, kind=Kind.VOTED_IDEA_STATUS, delivery=Delivery.IMMEDIATELY)
    # Opted in, but voted on another idea only.
    elsewhere = factories.UserFactory()
    factories.VoteFactory(user=elsewhere, idea=factories.IdeaFactory(challenge=idea.challenge))
    services.preference_set(user=elsewhere, kind=Kind.VOTED_IDEA_STATUS, delivery=Delivery.IMMEDIATELY)

    with django_capture_on_commit_callbacks(execute=True):
        idea_services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=triage, reason="Good")

    assert notified(Kind.VOTED_IDEA_STATUS) == sorted([daily.pk, immediate.pk])
    assert follows_too.pk in notified(Kind.STATUS_CHANGED)
    assert Notification.objects.filter(recipient=follows_too).count() == 1
    assert len(emails_to(immediate)) == 1 and "was shortlisted" in emails_to(immediate)[0].subject
    assert emails_to(daily) == [] and emails_to(triage) == [] and emails_to(elsewhere) == []
    assert len(emails_to(follows_too)) == 1


def test_voters_are_not_told_by_default(django_capture_on_commit_callbacks, idea, triage):
    voter = factories.UserFactory()
    factories.VoteFactory(idea=idea, user=voter)
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=triage, reason="Good")
    assert not Notification.objects.filter(recipient=voter).exists()


# --- followers told of new comments -----------------------------------------------------------------


def test_followers_hear_of_new_comments_but_not_of_their_own(django_capture_on_commit_callbacks, idea, customer):
    follower, commenter = factories.UserFactory(), factories.UserFactory()
    IdeaFollow.objects.create(idea=idea, user=follower)
    IdeaFollow.objects.create(idea=idea, user=commenter)
    IdeaFollow.objects.create(idea=idea, user=customer)  # the author keeps "comment on my idea"
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.comment_create(author=commenter, idea=idea, body="Same problem here.")
    assert notified(Kind.COMMENT_ON_FOLLOWED) == [follower.pk]
    assert notified(Kind.COMMENT_ON_IDEA) == [customer.pk]
