"""Celery tasks for ideas: thin wrappers that load by id and call a service."""

import smtplib

from celery import shared_task

from . import notifications


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    max_retries=5,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
)
def notify_author_of_status_change(status_change_id: int) -> bool:
    """Email the author that their idea's status changed; safe to run twice (see the service)."""
    return notifications.status_change_author_notify(status_change_id=status_change_id)
