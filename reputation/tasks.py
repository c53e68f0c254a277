"""Celery tasks for reputation: thin wrappers around the services."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError,), max_retries=3, retry_backoff=True, retry_backoff_max=60)
def rebuild_reputation() -> int:
    """Recompute every total from the ledger; safe to run twice (it overwrites)."""
    return services.reputation_rebuild()
