"""Celery tasks for webhooks: thin wrappers that load by id and call a service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError, InterfaceError), max_retries=3, retry_backoff=True, retry_jitter=True)
def send_webhook_delivery(delivery_id: int, replay: bool = False) -> str:
    """One attempt of a delivery; safe to run twice (claimed with a lease, then recorded)."""
    return services.delivery_attempt(delivery_id=delivery_id, replay=replay)


@shared_task
def send_due_deliveries() -> int:
    """Beat, every minute: queue one attempt per pending delivery whose time has come (a long retry
    wait, a lost queueing, a lease that ran out, an endpoint turned on again)."""
    ids = services.deliveries_due_ids()
    for delivery_id in ids:
        send_webhook_delivery.delay_quietly(delivery_id)
    return len(ids)
