"""The event types a webhook endpoint may subscribe to (the outbox kinds that carry each one are
mapped in ``webhooks.payloads``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    IDEA_SUBMITTED = "idea.submitted", _("Idea submitted")
    IDEA_STATUS_CHANGED = "idea.status_changed", _("Idea status changed (with its reason)")
    COMMENT_POSTED = "comment.posted", _("Comment posted")
    VOTE_THRESHOLD_REACHED = "idea.vote_threshold_reached", _("Idea reached a vote threshold")
    CHALLENGE_PHASE_CHANGED = "challenge.phase_changed", _("Challenge phase changed")
    WINNER_CHOSEN = "challenge.winner_chosen", _("Winner chosen")
    # Sent only from the admin's "Send a test message" action; not subscribed to.
    TEST = "webhook.test", _("Test message")


SUBSCRIBABLE = [(value, label) for value, label in EventType.choices if value != EventType.TEST]
