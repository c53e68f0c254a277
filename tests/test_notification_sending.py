"""The send path of every notification email (``notifications.sending``): claimed, sent with no
transaction open, marked; failures that can never succeed marked with their reason; a lost database
connection after the server accepted the message retried, not resent.

Against real PostgreSQL: the claim race runs in real threads, the lost connection is a real
``pg_terminate_backend`` of the sending connection, issued from another connection mid-send.
"""

import datetime
import smtplib
import threading
import uuid

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from notifications import sending, services
from notifications.models import Delivery, Notification
from notifications.tasks import drain_outbox, send_notification_emails
from tests import factories
from tests.celery_worker import REDIS_URL, wait_until
from tests.notification_kinds import Kind


def owed_notification(recipient, **fields) -> Notification:
    return Notification.objects.create(
        recipient=recipient,
        kind=fields.pop("kind", Kind.STATUS_CHANGED),
        event_key=fields.pop("event_key", uuid.uuid4().hex),
        title=fields.pop("title", "“Lockers” is now shortlisted"),
        body="It answers the delivery outcome well.",
        url="/ideas/1/",
        delivery=Delivery.IMMEDIATELY,
        **fields,
    )


# --- a message that can never be sent blocks nothing -------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: the worker tests need a Redis broker")
def test_a_message_that_cannot_be_built_is_marked_failed_and_the_other_199_of_its_batch_go(worker):
    members = [factories.UserFactory() for _ in range(200)]
    notifications = [owed_notification(member) for member in members]
    bad = notifications[57]
    members[57].email = "x@@example.com"  # an address no SMTP server takes: the message can never be sent
    members[57].save(update_fields=["email"])

    result = send_notification_emails.delay([n.pk for n in notifications])

    assert worker.wait_for(result.id) == ("SUCCESS", 199)
    assert len(mail.outbox) == 199
    assert members[57].email not in {address for message in mail.outbox for address in message.to}
    bad.refresh_from_db()
    assert bad.emailed_at is None and bad.email_failed_at is not None
    assert bad.email_failure.startswith("ValueError: Invalid address")
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 199
    # The drain does not queue it again: it blocks no later drain either.
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    again = drain_outbox.delay()
    assert worker.wait_for(again.id) == ("SUCCESS", 0)
    assert len(mail.outbox) == 199


def test_a_title_with_a_newline_is_sent_on_one_line_and_injects_no_header(db):
    """The subject is the title as plain text on one line (``markdown_plain``): no header injection."""
    notification = owed_notification(factories.UserFactory(), title="“Lockers”\nBcc: everyone@example.com")

    assert services.notification_email_send(notification_id=notification.pk) is True

    [email] = mail.outbox
    assert email.subject.endswith("“Lockers” Bcc: everyone@example.com") and email.bcc == []
    assert "\nBcc:" not in email.message().as_string()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"email": "x@@example.com"}, "ValueError: Invalid address"),
        ({"email": "cora@example.com\nBcc: everyone@example.com"}, "BadHeaderError"),
    ],
)
def test_each_kind_of_unsendable_message_is_marked_with_its_reason(db, fields, reason):
    member = factories.UserFactory()
    if "email" in fields:
        member.email = fields.pop("email")
        member.save(update_fields=["email"])
    notification = owed_notification(member, **fields)

    assert services.notification_email_send(notification_id=notification.pk) is False

    notification.refresh_from_db()
    assert notification.email_failure.startswith(reason)
    assert notification.email_failed_at is not None and notification.email_claimed_until is None
    assert mail.outbox == []
    assert services.notification_email_send(notification_id=notification.pk) is False  # never tried again


class RefusingBackend(LocmemBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such user")})


def test_a_recipient_the_server_refuses_is_marked_failed(db, settings):
    settings.EMAIL_BACKEND = "tests.test_notification_sending.RefusingBackend"
    notification = owed_notification(factories.UserFactory())
    assert services.notification_email_send(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.email_failure.startswith("SMTPRecipientsRefused")


def test_the_failed_emails_are_listed_with_their_reason_in_the_admin(admin_client):
    failed = owed_notification(factories.UserFactory(email="x@@example.com"), title="Two lines")
    sent = owed_notification(factories.UserFactory(), title="All fine")
    services.notification_email_send(notification_id=failed.pk)
    services.notification_email_send(notification_id=sent.pk)

    response = admin_client.get(reverse("admin:notifications_notification_changelist") + "?email=failed")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Invalid address" in page and "Two" in page and "All fine" not in page


# --- transient failures, retries and the lease ------------------------------------------------------


class FailingOnceBackend(LocmemBackend):
    calls = 0
    message_ids: list[str] = []

    def send_messages(self, messages):
        type(self).calls += 1
        type(self).message_ids += [message.extra_headers["Message-ID"] for message in messages]
        if type(self).calls == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_a_transient_smtp_error_gives_the_claim_back_and_the_retry_sends_the_same_message_id(db, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.EMAIL_BACKEND = "tests.test_notification_sending.FailingOnceBackend"
    FailingOnceBackend.calls, FailingOnceBackend.message_ids = 0, []
    notification = owed_notification(factories.UserFactory())

    with pytest.raises(smtplib.SMTPServerDisconnected):  # the task's retry policy takes it from here
        services.notification_email_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.email_claimed_until is None and notification.email_attempts == 0
    assert notification.email_failed_at is None and notification.emailed_at is None

    assert services.notification_email_send(notification_id=notification.pk) is True
    [email] = mail.outbox
    # The same Message-ID on both attempts, derived from the notification and the site's host.
    assert FailingOnceBackend.message_ids == [f"<notification-{notification.pk}@127.0.0.1>"] * 2
    assert email.extra_headers["Message-ID"] == FailingOnceBackend.message_ids[0]
    assert services.notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_a_claimed_email_is_left_alone_until_its_lease_runs_out(db):
    notification = owed_notification(factories.UserFactory())
    assert sending.claim(notification.pk) is True  # another worker, mid-send
    assert services.notification_email_send(notification_id=notification.pk) is False
    assert mail.outbox == []
    Notification.objects.filter(pk=notification.pk).update(
        email_claimed_until=timezone.now() - datetime.timedelta(seconds=1)  # that worker died
    )
    assert services.notification_email_send(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


def test_a_message_whose_sends_keep_dying_is_given_up_after_a_bound(db):
    notification = owed_notification(
        factories.UserFactory(),
        email_attempts=sending.MAX_EMAIL_ATTEMPTS,
        email_claimed_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert services.notification_email_send(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.email_failure.startswith("Gave up after")
    assert mail.outbox == []


def test_the_drain_queues_unclaimed_and_expired_emails_never_held_failed_or_sent(db):
    member = factories.UserFactory()
    now = timezone.now()
    fresh = owed_notification(member)
    expired = owed_notification(member, email_claimed_until=now - datetime.timedelta(seconds=1), email_attempts=1)
    held = owed_notification(member, email_claimed_until=now + datetime.timedelta(minutes=5), email_attempts=1)
    failed = owed_notification(member, email_failed_at=now, email_failure="BadHeaderError: …")
    owed_notification(member, emailed_at=now)
    Notification.objects.update(created_at=now - datetime.timedelta(minutes=2))

    assert services.queue_immediate_emails(older_than=now - datetime.timedelta(minutes=1)) == 2

    # Tasks run inline here: the two were sent and marked, the held and the failed left alone.
    assert len(mail.outbox) == 2
    assert set(Notification.objects.filter(pk__in=[fresh.pk, expired.pk]).values_list("emailed_at", flat=True)) != {
        None
    }
    for untouched in (held, failed):
        untouched.refresh_from_db()
        assert untouched.emailed_at is None


@pytest.mark.django_db(transaction=True)
def test_eight_threads_sending_one_email_send_it_once():
    notification = owed_notification(factories.UserFactory())
    barrier, results, errors = threading.Barrier(8), [], []

    def send():
        try:
            barrier.wait()
            results.append(services.notification_email_send(notification_id=notification.pk))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [False] * 7 + [True]
    assert len(mail.outbox) == 1


# --- the database connection lost after the server accepted the message -----------------------------


class ConnectionCuttingBackend(LocmemBackend):
    """Accepts the message, then has another connection ``pg_terminate_backend`` the sender's."""

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        victim = connection.connection.info.backend_pid
        done = threading.Event()

        def terminate():
            try:
                with connections["default"].cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [victim])
            finally:
                connections.close_all()
                done.set()

        threading.Thread(target=terminate).start()
        done.wait(timeout=10)
        wait_until(lambda: not _backend_alive(victim), "the sending connection to be terminated")
        return sent


def _backend_alive(pid: int) -> bool:
    result = []

    def ask():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                result.append(cursor.fetchone()[0])
        finally:
            connections.close_all()

    thread = threading.Thread(target=ask)
    thread.start()
    thread.join()
    return bool(result and result[0])


@pytest.mark.postgresql  # pg_terminate_backend
@pytest.mark.django_db(transaction=True)
def test_a_connection_terminated_after_the_server_accepted_is_retried_and_the_email_is_not_sent_again(settings):
    """The old send held its transaction through SMTP: this lost the mark and the retry sent twice."""
    settings.EMAIL_BACKEND = "tests.test_notification_sending.ConnectionCuttingBackend"
    notification = owed_notification(factories.UserFactory())

    assert services.notification_email_send(notification_id=notification.pk) is True

    notification.refresh_from_db()
    assert notification.emailed_at is not None and notification.email_claimed_until is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
