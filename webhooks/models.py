"""Webhook endpoints that staff register, and the log of what was sent to them.

One ``WebhookDelivery`` per (endpoint, outbox event): the unique constraint keeps a second processing
of an event from sending it twice. Its body is built once, when the event is processed, so retries
and replays send the same bytes under the same ``webhook-id``. Every HTTP attempt is a
``WebhookAttempt`` row: status, response body (truncated), duration and error.
"""

from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .events import EventType
from .signing import secret_generate


class Format(models.TextChoices):
    STANDARD = "standard", _("Standard Webhooks JSON")
    SLACK = "slack", _("Slack message (incoming webhook)")
    TEAMS = "teams", _("Microsoft Teams message (workflow webhook, Adaptive Card)")


class WebhookEndpoint(models.Model):
    name = models.CharField(max_length=100, help_text="For staff: where this sends to, e.g. “#ideas on Slack”.")
    url = models.URLField(
        "URL",
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="An http or https address; a redirect is not followed.",
    )
    secret = models.CharField(
        max_length=100,
        default=secret_generate,
        help_text="Signs every request (Standard Webhooks: whsec_ and base64). The receiver verifies with it.",
    )
    event_types = models.JSONField(default=list, help_text="The events sent to this endpoint.", verbose_name="events")
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.STANDARD)
    include_invite_only = models.BooleanField(
        "include invite-only challenges",
        default=False,
        help_text="Also send events of invite-only challenges. Only for an endpoint whose readers may see them.",
    )
    active = models.BooleanField(
        default=True, help_text="Turned off by the portal after repeated failures; turn it on again to resume."
    )
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event_type: str) -> bool:
        return event_type in (self.event_types or [])

    def event_type_labels(self) -> list[str]:
        return [str(EventType(value).label) for value in self.event_types or [] if value in EventType.values]


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed (retries used up)")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_key = models.CharField(max_length=200)  # the outbox event's key
    event_type = models.CharField(max_length=60, choices=EventType.choices)
    message_id = models.CharField(max_length=60, unique=True)  # the webhook-id header
    body = models.TextField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    # Failed attempts since the delivery was created or replayed: the index into the retry schedule.
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker sending it holds it until then (no transaction is open during the HTTP call).
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_key"], name="webhookdelivery_once_per_endpoint_event"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="webhookdelivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} → {self.endpoint}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    succeeded = models.BooleanField(default=False)
    replay = models.BooleanField(default=False, help_text="Queued by staff from the admin.")

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.status_code or self.error} in {self.duration_ms} ms"
