"""In-app notifications, each member's email preferences per kind, and the outbox of events.

An event is written to the outbox in the transaction of the change it reports, so it survives a
broker that is down at that moment; the worker turns it into one notification per recipient.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    IDEA_RECEIVED = "idea_received", "Idea received"
    STATUS_CHANGED = "status_changed", "Status of an idea changed"
    MY_IDEA_STATUS = "my_idea_status", "Decision on my idea"
    COMMENT_ON_IDEA = "comment_on_idea", "Comment on my idea"
    COMMENT_REPLY = "comment_reply", "Reply to my comment"
    MENTOR_MESSAGE = "mentor_message", "Mentor message"
    REVISION_REQUEST = "revision_request", "Revision request"
    KUDOS_RECEIVED = "kudos_received", "Kudos received"
    PHASE_CHANGED = "phase_changed", "Challenge phase changed"
    RESULTS_ANNOUNCED = "results_announced", "Challenge results announced"
    VOTED_IDEA_STATUS = "voted_idea_status", "Tell me when ideas I voted on change status"
    COMMENT_ON_FOLLOWED = "comment_on_followed", "Comment on an idea I follow"
    OVERDUE_DIGEST = "overdue_digest", "Ideas overdue for a first answer (triage staff)"
    CHALLENGE_INVITATION = "challenge_invitation", "Invitation to an invite-only challenge"


# Kinds only triage staff receive: the preferences page shows them to staff alone.
STAFF_KINDS = frozenset({Kind.OVERDUE_DIGEST})


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", "Email me immediately"
    DAILY = "daily", "In a daily digest"
    OFF = "off", "No email"


# What a member gets until they choose: what answers them personally comes at once, the rest daily.
DEFAULT_DELIVERY: dict[str, str] = {
    Kind.IDEA_RECEIVED: Delivery.IMMEDIATELY,
    Kind.STATUS_CHANGED: Delivery.IMMEDIATELY,
    Kind.MY_IDEA_STATUS: Delivery.IMMEDIATELY,
    Kind.COMMENT_ON_IDEA: Delivery.DAILY,
    Kind.COMMENT_REPLY: Delivery.IMMEDIATELY,
    Kind.MENTOR_MESSAGE: Delivery.IMMEDIATELY,
    Kind.REVISION_REQUEST: Delivery.IMMEDIATELY,
    Kind.KUDOS_RECEIVED: Delivery.DAILY,
    Kind.PHASE_CHANGED: Delivery.DAILY,
    Kind.RESULTS_ANNOUNCED: Delivery.IMMEDIATELY,
    # Voters hear of status changes only if they ask: a vote is not a subscription.
    Kind.VOTED_IDEA_STATUS: Delivery.OFF,
    Kind.COMMENT_ON_FOLLOWED: Delivery.DAILY,
    # The overdue digest is itself the daily email; "off" stops it.
    Kind.OVERDUE_DIGEST: Delivery.DAILY,
    Kind.CHALLENGE_INVITATION: Delivery.IMMEDIATELY,
}


class OutboxEvent(models.Model):
    """Something happened that members should hear about; processed once by the worker."""

    kind = models.CharField(max_length=40)
    event_key = models.CharField(max_length=200, unique=True)
    payload = models.JSONField(default=dict)
    actor_id = models.BigIntegerField(null=True, blank=True)  # who caused it: never notified of it
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], condition=Q(processed_at__isnull=True), name="outbox_unprocessed"),
        ]

    def __str__(self) -> str:
        return self.event_key


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=Kind.choices)
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
    kind = models.CharField(max_length=40, choices=Kind.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notificationpreference_one_per_user_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.delivery}"
