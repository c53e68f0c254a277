"""Notifications: who gets what, preferences, unsubscribe, once-only processing and sending, the outbox."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import TRIAGE_GROUP
from challenges import services as challenge_services
from challenges.models import Challenge, ChallengeFollow
from ideaportal.celery import app
from ideas import notification_kinds as idea_kinds
from ideas import services as idea_services
from ideas.models import IdeaFollow, Status
from notifications import services, tasks
from notifications.models import Delivery, Notification, NotificationPreference, OutboxEvent
from reviews.services import mentoring
from tests import factories
from tests.notification_kinds import Kind


def notified(kind=None):
    """{recipient_id, ...} of the notifications made so far (of one kind)."""
    rows = Notification.objects.all() if kind is None else Notification.objects.filter(kind=kind)
    return sorted(rows.values_list("recipient_id", flat=True))


def emails_to(user):
    return [m for m in mail.outbox if user.email in m.to]


@pytest.fixture
def follower(idea):
    user = factories.UserFactory(display_name="Fay Follower")
    IdeaFollow.objects.create(idea=idea, user=user)
    return user


# --- each kind reaches exactly the right people -------------------------------------------------


def test_idea_received_acknowledges_the_author_at_once(django_capture_on_commit_callbacks, customer, open_challenge):
    outcome = factories.OutcomeFactory()
    open_challenge.outcomes.add(outcome)
    with django_capture_on_commit_callbacks(execute=True):
        idea = idea_services.idea_create(
            author=customer,
            challenge=open_challenge,
            title="Lockers",
            problem="p" * 20,
            solution="s" * 20,
            outcomes=[outcome],
        )
    assert notified(Kind.IDEA_RECEIVED) == [customer.pk]
    [email] = emails_to(customer)
    assert "We received your idea" in email.subject
    assert email.alternatives and "unsubscribe" in email.body.lower()
    assert idea.get_absolute_url() in email.body


def test_a_draft_is_acknowledged_when_submitted(django_capture_on_commit_callbacks, customer, open_challenge):
    idea = factories.IdeaFactory(challenge=open_challenge, author=customer, status=Status.DRAFT, submitted_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.idea_submit(idea=idea, user=customer)
    assert notified(Kind.IDEA_RECEIVED) == [customer.pk]


def test_status_change_reaches_followers_and_the_author_not_the_actor(
    django_capture_on_commit_callbacks, idea, customer, follower, triage
):
    IdeaFollow.objects.get_or_create(idea=idea, user=customer)
    IdeaFollow.objects.create(idea=idea, user=triage)  # the actor follows too: not told of their own act
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=triage, reason="Good")
    assert notified(Kind.STATUS_CHANGED) == [follower.pk]
    # The author hears of the decision on their own idea under its own kind, through the same outbox:
    # one email, not two (following their own idea adds nothing), with its unsubscribe link.
    assert notified(Kind.MY_IDEA_STATUS) == [customer.pk]
    assert len(emails_to(customer)) == 1
    assert len(emails_to(follower)) == 1
    assert emails_to(triage) == []


def test_followers_who_cannot_see_an_invite_only_idea_are_not_told(
    django_capture_on_commit_callbacks, customer, triage
):
    challenge = factories.ChallengeFactory(visibility=Challenge.Visibility.INVITE_ONLY)
    challenge.invited_members.add(customer)
    idea = factories.IdeaFactory(challenge=challenge, author=customer)
    invited, outsider = factories.UserFactory(), factories.UserFactory()
    challenge.invited_members.add(invited)
    for user in (invited, outsider):  # the outsider followed before losing access
        IdeaFollow.objects.create(idea=idea, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.idea_status_change(idea=idea, to_status=Status.SHORTLISTED, changed_by=triage, reason="Good")
    assert notified(Kind.STATUS_CHANGED) == [invited.pk]
    assert notified(Kind.MY_IDEA_STATUS) == [customer.pk]


def test_comment_and_reply_reach_the_idea_author_and_the_replied_to(
    django_capture_on_commit_callbacks, idea, customer, other_customer
):
    third = factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        top = idea_services.comment_create(author=other_customer, idea=idea, body="Nice")
    assert notified(Kind.COMMENT_ON_IDEA) == [customer.pk]
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.comment_create(author=third, idea=idea, body="Agreed", parent=top)
    assert notified(Kind.COMMENT_REPLY) == [other_customer.pk]
    assert notified(Kind.COMMENT_ON_IDEA) == [customer.pk, customer.pk]
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):  # the author comments on their own idea: nobody
        idea_services.comment_create(author=customer, idea=idea, body="Thanks all")
    assert notified() == []


def test_kudos_reaches_the_comment_author_once(django_capture_on_commit_callbacks, idea, customer, other_customer):
    comment = factories.CommentFactory(idea=idea, author=other_customer)
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.kudos_give(user=customer, comment=comment)
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.kudos_take_back(user=customer, comment=comment)
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.kudos_give(user=customer, comment=comment)
    assert notified(Kind.KUDOS_RECEIVED) == [other_customer.pk]
    assert emails_to(other_customer) == []  # kudos default to the daily digest


@pytest.fixture
def mentored(customer, mentor, triage):
    challenge = factories.ChallengeFactory(phase=Challenge.Phase.MENTORING)
    idea = factories.IdeaFactory(challenge=challenge, author=customer, status=Status.SHORTLISTED)
    mentoring.mentor_assign(ideas=[idea], mentors=[mentor], capacity=5, assigned_by=triage)
    idea.refresh_from_db()
    return idea


def test_mentor_message_and_revision_request_reach_the_other_side(
    django_capture_on_commit_callbacks, mentored, customer, mentor
):
    with django_capture_on_commit_callbacks(execute=True):
        mentoring.thread_post(idea=mentored, user=mentor, body="Tell me more")
    assert notified(Kind.MENTOR_MESSAGE) == [customer.pk]
    with django_capture_on_commit_callbacks(execute=True):
        mentoring.thread_post(idea=mentored, user=customer, body="Here is more")
    assert notified(Kind.MENTOR_MESSAGE) == sorted([customer.pk, mentor.pk])
    with django_capture_on_commit_callbacks(execute=True):
        mentoring.revision_request(idea=mentored, mentor=mentor, message="Add costs")
    assert notified(Kind.REVISION_REQUEST) == [customer.pk]
    assert len(emails_to(customer)) == 2  # message and revision request: immediately by default


def test_phase_change_reaches_followers_who_may_see_the_challenge(django_capture_on_commit_callbacks, triage):
    Group.objects.get_or_create(name=TRIAGE_GROUP)
    challenge = factories.ChallengeFactory(visibility=Challenge.Visibility.INVITE_ONLY)
    invited, outsider = factories.UserFactory(), factories.UserFactory()
    challenge.invited_members.add(invited)
    for user in (invited, outsider, triage):
        ChallengeFollow.objects.create(challenge=challenge, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        challenge_services.challenge_phase_set(challenge=challenge, phase=Challenge.Phase.CLOSED, changed_by=triage)
    assert notified(Kind.RESULTS_ANNOUNCED) == [invited.pk]


# --- preferences ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delivery", "immediate_emails", "digest_emails"),
    [(Delivery.IMMEDIATELY, 1, 0), (Delivery.DAILY, 0, 1), (Delivery.OFF, 0, 0)],
)
def test_preferences_decide_the_email(
    django_capture_on_commit_callbacks, idea, customer, other_customer, delivery, immediate_emails, digest_emails
):
    services.preference_set(user=customer, kind=Kind.COMMENT_ON_IDEA, delivery=delivery)
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.comment_create(author=other_customer, idea=idea, body="Nice")
    assert len(emails_to(customer)) == immediate_emails
    assert notified(Kind.COMMENT_ON_IDEA) == [customer.pk]  # in-app always
    mail.outbox.clear()
    tasks.send_daily_digests()
    tasks.send_daily_digests()  # twice: the second finds nothing
    assert len(emails_to(customer)) == digest_emails
    if digest_emails:
        assert "digest" in mail.outbox[0].subject.lower()
        assert "/notifications/unsubscribe/" in mail.outbox[0].body


# --- unsubscribe ---------------------------------------------------------------------------------


def test_unsubscribe_works_without_sign_in_and_only_on_post(client, customer):
    url = reverse(
        "notifications:unsubscribe", args=[services.unsubscribe_token(user_id=customer.pk, kind=Kind.COMMENT_REPLY)]
    )
    response = client.get(url)
    assert response.status_code == 200 and b"Unsubscribe" in response.content
    assert not NotificationPreference.objects.exists()  # a mail scanner's GET changes nothing
    response = client.post(url)
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=customer, kind=Kind.COMMENT_REPLY).delivery == Delivery.OFF


def test_a_tampered_unsubscribe_token_fails(client, customer):
    token = services.unsubscribe_token(user_id=customer.pk, kind=Kind.COMMENT_REPLY)
    tampered = token.replace(token[2], "x" if token[2] != "x" else "y", 1)
    for bad in (tampered, "nonsense"):
        response = client.post(reverse("notifications:unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert b"not valid" in response.content
    assert not NotificationPreference.objects.exists()


def test_the_email_unsubscribe_link_turns_that_kind_off(django_capture_on_commit_callbacks, client, idea, customer):
    with django_capture_on_commit_callbacks(execute=True):
        idea_kinds.idea_received(idea)
    [email] = emails_to(customer)
    path = email.body.split(services.settings.SITE_URL.rstrip("/"))[-1].split()[0]
    assert client.post(path).status_code == 200
    assert services.delivery_for(customer.pk, Kind.IDEA_RECEIVED) == Delivery.OFF


# --- once only ----------------------------------------------------------------------------------


def test_the_same_event_processed_twice_creates_and_sends_once(idea, customer, other_customer):
    comment = factories.CommentFactory(idea=idea, author=other_customer)
    services.preference_set(user=customer, kind=Kind.COMMENT_ON_IDEA, delivery=Delivery.IMMEDIATELY)
    event = idea_kinds.comment_posted(comment)  # on_commit never runs here: the test drives the tasks
    tasks.process_outbox_event(event.pk)
    OutboxEvent.objects.filter(pk=event.pk).update(processed_at=None)  # as if redelivered before it was marked
    tasks.process_outbox_event(event.pk)
    [notification] = Notification.objects.all()
    tasks.send_notification_email(notification.pk)
    tasks.send_notification_email(notification.pk)
    assert len(emails_to(customer)) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.django_db(transaction=True)
def test_outbox_is_drained_when_the_broker_was_down_at_event_time(client, caplog):
    author, commenter = factories.UserFactory(), factories.UserFactory()
    idea = factories.IdeaFactory(author=author)
    NotificationPreference.objects.create(user=author, kind=Kind.COMMENT_ON_IDEA, delivery=Delivery.IMMEDIATELY)
    keys = ("broker_url", "broker_connection_timeout", "broker_connection_retry", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys} | {"task_always_eager": app.conf.task_always_eager}
    app.conf.update(
        task_always_eager=False,
        broker_url="redis://127.0.0.1:1/0",  # nothing listens there: the broker is "down"
        broker_connection_timeout=1,
        broker_connection_retry=False,
        broker_transport_options={"max_retries": 0},
    )
    app._pool = app.amqp._producer_pool = None  # the pools would reuse a connection to the real broker
    try:
        client.force_login(commenter)
        response = client.post(reverse("ideas:comment", args=[idea.pk]), {"body": "I would use this"})
    finally:
        app.conf.update(saved)
        app._pool = app.amqp._producer_pool = None
    assert response.status_code == 302
    assert "the outbox drain will retry" in caplog.text  # the request tried, failed, and carried on
    event = OutboxEvent.objects.get(kind=Kind.COMMENT_ON_IDEA)
    assert event.processed_at is None and not Notification.objects.exists()

    tasks.drain_outbox()  # too young: the request may still be queueing it
    assert not Notification.objects.exists()
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    tasks.drain_outbox()
    tasks.drain_outbox()
    assert notified(Kind.COMMENT_ON_IDEA) == [author.pk]
    assert len(emails_to(author)) == 1


# --- pages ---------------------------------------------------------------------------------------


def make_notifications(user, n, **fields):
    Notification.objects.bulk_create(
        Notification(recipient=user, kind=Kind.KUDOS_RECEIVED, event_key=f"k{i}", title=f"Kudos {i}", **fields)
        for i in range(n)
    )


def test_unread_count_in_the_header(client_for, customer, django_assert_max_num_queries):
    make_notifications(customer, 3)
    response = client_for(customer).get(reverse("notifications:preferences"))
    html = response.content.decode()
    assert "3 unread notifications</span>" in html and '<span class="notif-count" aria-hidden="true">3</span>' in html
    assert "Notifications (3)" not in html


def test_visitors_get_no_count_and_no_query(client, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("notifications:unsubscribe", args=["bad"]))
    assert b"Notifications (" not in response.content
    assert not any("notifications_notification" in q["sql"] for q in queries.captured_queries)


def test_list_newest_first_with_fixed_queries_and_mark_read(
    client_for, customer, other_customer, django_assert_max_num_queries
):
    make_notifications(customer, 30)
    make_notifications(other_customer, 2)
    client = client_for(customer)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("notifications:list"))
    page = response.context["page"]
    assert len(page.object_list) == 20 and page.object_list[0].title == "Kudos 29"
    assert "Unread" in response.content.decode()
    first = page.object_list[0]
    client.post(reverse("notifications:read", args=[first.pk]))
    first.refresh_from_db()
    assert first.read_at is not None
    other = Notification.objects.filter(recipient=other_customer).first()
    client.post(reverse("notifications:read", args=[other.pk]))  # not theirs: nothing
    other.refresh_from_db()
    assert other.read_at is None
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=customer, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other_customer, read_at__isnull=True).count() == 2


def test_preferences_form_saves(client_for, customer):
    client = client_for(customer)
    data = dict.fromkeys(Kind.values, Delivery.DAILY) | {Kind.COMMENT_REPLY: Delivery.OFF}
    assert client.post(reverse("notifications:preferences"), data).status_code == 302
    assert services.delivery_for(customer.pk, Kind.COMMENT_REPLY) == Delivery.OFF
    assert services.delivery_for(customer.pk, Kind.IDEA_RECEIVED) == Delivery.DAILY
    assert client_for(None).get(reverse("notifications:list")).status_code == 302
