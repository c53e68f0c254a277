"""In-app notifications, each member's email preferences per kind, and the outbox of events.

An event is written to the outbox in the transaction of the change it reports, so it survives a
broker that is down at that moment; the worker turns it into one notification per recipient. The
kinds are registered by the apps that cause them (``notifications.registry``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import registry


class Kind(str):
    """A registered kind's key (``notifications.registry``): ``Kind(key)`` raises ValueError for a key no
    app registered; ``.label`` is the label members read."""

    def __new__(cls, key: str):
        registry.get(key)
        return super().__new__(cls, key)

    @property
    def label(self) -> str:
        return registry.get(self).label


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", _("Email me immediately")
    DAILY = "daily", _("In a daily digest")
    OFF = "off", _("No email")


class OutboxEvent(models.Model):
    """Something happened that members should hear about; processed once by the worker."""

    kind = models.CharField(max_length=40)
    event_key = models.CharField(max_length=200, unique=True)
    payload = models.JSONField(default=dict)
    actor_id = models.BigIntegerField(null=True, blank=True)  # who caused it: never notified of it
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        indexes = [
            models.Index(fields=["created_at"], condition=Q(processed_at__isnull=True), name="outbox_unprocessed"),
        ]

    def __str__(self) -> str:
        return self.event_key


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=registry.kind_choices)
    event_key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    # The recipient's preference for this kind when the notification was made: which email it gets.
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.OFF)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest_at = models.DateTimeField(null=True, blank=True)
    # The send's lease: a worker claims the email (or the digest that carries it) until this time,
    # commits, talks to SMTP with no transaction open, then marks ``emailed_at`` / ``digest_at``.
    # A worker that dies leaves the lease to expire, and the outbox drain queues the send again.
    email_claimed_until = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    # An email that can never be sent (a header with a newline, an invalid address, a template
    # error, too many attempts): marked here with its reason, never tried again, blocks nothing.
    email_failed_at = models.DateTimeField(null=True, blank=True)
    email_failure = models.TextField(blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # The dedupe key: one notification per event per recipient, however often it is processed.
            models.UniqueConstraint(fields=["event_key", "recipient"], name="notification_once_per_event_recipient"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_recent"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            # The drain's question: which immediate emails are still owed (a small set, whatever the table's size).
            models.Index(
                fields=["created_at"],
                condition=Q(delivery="immediately", emailed_at__isnull=True, email_failed_at__isnull=True),
                name="notification_email_owed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}: {self.title}"


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40, choices=registry.kind_choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notificationpreference_one_per_user_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.delivery}"
