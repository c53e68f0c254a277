"""Celery tasks for notifications: thin wrappers that load by id and call a service."""

import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from core.email import EMAIL_TASK_OPTIONS

from . import services

OUTBOX_GRACE = datetime.timedelta(minutes=1)  # younger events are still on their way from the request

# The email tasks retry transient SMTP errors (the shared policy) and a database that stayed away
# longer than the sends' own retries (``notifications.sending.db_retry``). Safe: every send is claimed
# and marked on its row, so a retried task never sends what went out.
NOTIFICATION_EMAIL_TASK_OPTIONS = EMAIL_TASK_OPTIONS | {
    "autoretry_for": (*EMAIL_TASK_OPTIONS["autoretry_for"], OperationalError, InterfaceError)
}


@shared_task(autoretry_for=(OperationalError,), max_retries=3, retry_backoff=True, retry_jitter=True)
def process_outbox_event(event_id: int) -> int:
    """Turn an outbox event into notifications; safe to run twice (see the service)."""
    return services.outbox_event_process(event_id=event_id)


@shared_task(**NOTIFICATION_EMAIL_TASK_OPTIONS)
def send_notification_email(notification_id: int) -> bool:
    """Email one notification; safe to run twice (claimed, then marked ``emailed_at``)."""
    return services.notification_email_send(notification_id=notification_id)


@shared_task(**NOTIFICATION_EMAIL_TASK_OPTIONS)
def send_notification_emails(notification_ids: list[int]) -> int:
    """Email a batch of notifications; a retry resends none already sent, and one bad message stops none."""
    return services.notification_emails_send(notification_ids=notification_ids)


@shared_task
def drain_outbox() -> int:
    """Beat: queue events the request could not (broker down), emails whose queueing was lost, and
    emails whose worker died mid-send (their lease ran out)."""
    older_than = timezone.now() - OUTBOX_GRACE
    ids = services.outbox_pending_ids(older_than=older_than)
    for event_id in ids:
        process_outbox_event.delay(event_id)
    return len(ids) + services.queue_immediate_emails(older_than=older_than)


@shared_task(**NOTIFICATION_EMAIL_TASK_OPTIONS)
def send_digest(user_id: int) -> int:
    """One member's daily digest; safe to run twice (claimed, then marked ``Notification.digest_at``)."""
    return services.digest_send(user_id=user_id)


@shared_task
def send_daily_digests() -> int:
    """Beat, daily: fan out one digest task per member with daily notifications waiting."""
    ids = services.digest_user_ids()
    for user_id in ids:
        send_digest.delay(user_id)
    return len(ids)
