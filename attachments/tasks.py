"""Celery tasks for attachments: thin wrappers that load by id and call a service."""

from celery import shared_task
from django.db import OperationalError

from . import selectors, services


# A storage or database hiccup is transient (bounded retries with backoff); a bug is not retried.
@shared_task(
    autoretry_for=(OperationalError, ConnectionError, TimeoutError),
    max_retries=5,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
)
def make_thumbnail(attachment_id: int) -> bool:
    """Make a picture's thumbnail; safe to run twice. Returns whether the picture has one now."""
    attachment = services.attachment_thumbnail_make(attachment_id=attachment_id)
    return bool(attachment and attachment.thumbnail)


@shared_task
def make_missing_thumbnails() -> int:
    """The safety net (beat): one task per picture whose thumbnail task was lost. Returns how many."""
    ids = selectors.attachments_missing_thumbnails()
    for attachment_id in ids:
        make_thumbnail.apply_async_quietly(args=[attachment_id])
    return len(ids)
