"""The notification webhooks cause: an endpoint turned off after repeated failures (triage staff).

Registered from ``WebhooksConfig.ready()``; ``endpoint_disabled`` is called by the delivery service
in the transaction that turns the endpoint off.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from accounts.models import TRIAGE_GROUP
from accounts.rules import is_triage
from notifications.models import Delivery, OutboxEvent
from notifications.registry import Draft, NotificationKind, register
from notifications.services import notify_event

from .models import WebhookEndpoint

WEBHOOK_DISABLED = "webhook_disabled"


def endpoint_disabled(endpoint: WebhookEndpoint) -> OutboxEvent:
    return notify_event(
        kind=WEBHOOK_DISABLED,
        payload={"endpoint_id": endpoint.pk},
        event_key=f"webhook_disabled:{endpoint.pk}:{endpoint.disabled_at.isoformat()}",
    )


def _triage_staff():
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(Q(is_superuser=True) | Q(is_staff=True, groups__name=TRIAGE_GROUP)).distinct().order_by("pk")


def _drafts_webhook_disabled(payload) -> list[Draft]:
    endpoint = WebhookEndpoint.objects.filter(pk=payload["endpoint_id"]).first()
    if endpoint is None:
        return []
    url = reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    title = f"Webhook “{endpoint.name}” was turned off"
    body = (
        f"{endpoint.disabled_reason} Nothing more is sent to it until it is turned on again; "
        "deliveries waiting for it are kept and sent then."
    )
    return [Draft(user, WEBHOOK_DISABLED, title, body, url) for user in _triage_staff()]


def register_kinds() -> None:
    register(
        NotificationKind(
            WEBHOOK_DISABLED,
            "A webhook was turned off after failures (triage staff)",
            Delivery.IMMEDIATELY,
            order=140,
            recipients=_drafts_webhook_disabled,
            offered_to=is_triage,
        )
    )
