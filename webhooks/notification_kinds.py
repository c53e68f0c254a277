"""The notification webhooks cause: an endpoint turned off after repeated failures, for the staff
who manage webhooks (superusers and staff with the permission to change endpoints), who can turn it
on again from the link.

Registered from ``WebhooksConfig.ready()``; ``endpoint_disabled`` is called by the delivery service
in the transaction that turns the endpoint off.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.rules import ADMINISTRATORS_Q, STAFF_Q, is_staff_member
from notifications.models import Delivery, OutboxEvent
from notifications.registry import STAFF, Draft, NotificationKind, register
from notifications.services import notify_event

from .models import WebhookEndpoint

WEBHOOK_DISABLED = "webhook_disabled"


def endpoint_disabled(endpoint: WebhookEndpoint) -> OutboxEvent:
    return notify_event(
        kind=WEBHOOK_DISABLED,
        payload={"endpoint_id": endpoint.pk},
        event_key=f"webhook_disabled:{endpoint.pk}:{endpoint.disabled_at.isoformat()}",
    )


MANAGE_PERMISSION = ("webhooks", "change_webhookendpoint")


def can_manage_webhooks(user) -> bool:
    return is_staff_member(user) and user.has_perm(".".join(MANAGE_PERMISSION))


def _webhook_managers():
    """Active staff who may change endpoints: superusers, or the permission given directly or by a group."""
    app_label, codename = MANAGE_PERMISSION
    permission = Q(content_type__app_label=app_label, codename=codename)
    granted = Q(user_permissions__in=Permission.objects.filter(permission)) | Q(
        groups__permissions__in=Permission.objects.filter(permission)
    )
    users = get_user_model().objects.filter(STAFF_Q, is_active=True)
    return users.filter(ADMINISTRATORS_Q | granted).distinct().order_by("pk")


def _drafts_webhook_disabled(payload) -> list[Draft]:
    endpoint = WebhookEndpoint.objects.filter(pk=payload["endpoint_id"]).first()
    if endpoint is None:
        return []
    url = reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    title = _("Webhook “%(name)s” was turned off") % {"name": endpoint.name}
    body = _(
        "%(reason)s Nothing more is sent to it until it is turned on again; "
        "deliveries waiting for it are kept and sent then."
    ) % {"reason": endpoint.disabled_reason}
    return [Draft(user, WEBHOOK_DISABLED, title, body, url) for user in _webhook_managers()]


def register_kinds() -> None:
    register(
        NotificationKind(
            WEBHOOK_DISABLED,
            gettext_lazy("A webhook was turned off after failures (staff who manage webhooks)"),
            Delivery.IMMEDIATELY,
            order=140,
            recipients=_drafts_webhook_disabled,
            offered_to=can_manage_webhooks,
            group=STAFF,
        )
    )
