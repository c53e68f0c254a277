"""Celery tasks for reviews: thin wrappers that load by id and call a service."""

from celery import shared_task
from django.utils import timezone

from notifications.tasks import NOTIFICATION_EMAIL_TASK_OPTIONS

from .services import overdue


@shared_task(**NOTIFICATION_EMAIL_TASK_OPTIONS)
def send_overdue_digest(user_id: int) -> bool:
    """One triage staff member's overdue digest; safe to run twice (keyed on a dated notification row)."""
    return overdue.overdue_digest_send(user_id=user_id)


@shared_task
def send_overdue_digests() -> int:
    """Beat, daily: when any idea is overdue for a first answer, one digest task per triage staff member."""
    if not overdue.overdue_ideas(now=timezone.now()).exists():
        return 0
    ids = overdue.overdue_digest_recipient_ids()
    for user_id in ids:
        send_overdue_digest.delay(user_id)
    return len(ids)
