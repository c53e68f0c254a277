"""How long the webhooks' delivery log is kept (registered with core.personal_data from
WebhooksConfig.ready()). Deliveries hold no member's name or address (webhooks/payloads.py), so a
member's erasure has nothing to take out here; the log is kept for the retention period only."""

from django.db.models import Q

from core.personal_data import RetentionRule, delete_in_batches, register_retention

from .models import WebhookDelivery


def purge_deliveries(cutoff) -> int:
    """Deliveries created before the cutoff that are finished (delivered, or failed for good), with
    their attempts (cascade); a pending one is work still to do and is kept."""
    finished = Q(state=WebhookDelivery.State.DELIVERED) | Q(state=WebhookDelivery.State.FAILED)
    return delete_in_batches(WebhookDelivery.objects.filter(finished, created_at__lt=cutoff))


def register_rules() -> None:
    register_retention(
        RetentionRule(
            key="webhook_deliveries",
            label="Webhook deliveries and their attempts (the delivery log)",
            setting="WEBHOOK_DELIVERY_RETENTION_DAYS",
            default_days=90,
            purge=purge_deliveries,
        )
    )
