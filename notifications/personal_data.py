"""What the notifications app holds about a member (their notifications and preferences) and how
long it keeps its logs (registered with core.personal_data from NotificationsConfig.ready())."""

from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils.translation import gettext_lazy as _

from accounts.models import FORMER_MEMBER
from core.personal_data import Former, RetentionRule, Section, delete_in_batches, register, register_retention

from .models import Delivery, Notification, NotificationPreference, OutboxEvent


def export_notifications(member) -> dict:
    rows = Notification.objects.filter(recipient=member).order_by("created_at", "pk")
    preferences = NotificationPreference.objects.filter(user=member).order_by("kind")
    return {
        "notifications": [
            {
                "kind": n.kind,
                "title": n.title,
                "body": n.body,
                "url": n.url,
                "created_at": n.created_at,
                "read_at": n.read_at,
                "emailed_at": n.emailed_at,
            }
            for n in rows
        ],
        "preferences": [{"kind": p.kind, "delivery": p.get_delivery_display()} for p in preferences],
    }


def erase(member, former: Former) -> None:
    """The member's notifications and preferences go; other members' notifications that named them
    ("Cora replied to your comment") now say "Former member"."""
    Notification.objects.filter(recipient=member).delete()
    NotificationPreference.objects.filter(user=member).delete()
    if former.name:
        Notification.objects.filter(Q(title__contains=former.name) | Q(body__contains=former.name)).update(
            title=Replace("title", Value(former.name), Value(FORMER_MEMBER)),
            body=Replace("body", Value(former.name), Value(FORMER_MEMBER)),
        )


def _email_still_owed() -> Q:
    return Q(delivery=Delivery.IMMEDIATELY, emailed_at__isnull=True, email_failed_at__isnull=True) | Q(
        delivery=Delivery.DAILY, digest_at__isnull=True, email_failed_at__isnull=True
    )


def purge_notifications(cutoff) -> int:
    """Notifications older than the cutoff, read or not, except those whose email is still owed."""
    return delete_in_batches(Notification.objects.filter(created_at__lt=cutoff).exclude(_email_still_owed()))


def purge_outbox(cutoff) -> int:
    """Outbox events processed before the cutoff (an unprocessed one is work still to do: kept)."""
    return delete_in_batches(OutboxEvent.objects.filter(processed_at__lt=cutoff))


def register_sections() -> None:
    register(
        Section(
            key="notifications",
            label=_("Your notifications and notification preferences"),
            export=export_notifications,
            erase=erase,
            order=50,
        )
    )
    register_retention(
        RetentionRule(
            key="notifications",
            label=_("Notifications (in-app and their emails)"),
            setting="NOTIFICATION_RETENTION_DAYS",
            default_days=365,
            purge=purge_notifications,
        )
    )
    register_retention(
        RetentionRule(
            key="outbox",
            label=_("Processed outbox events"),
            setting="OUTBOX_RETENTION_DAYS",
            default_days=30,
            purge=purge_outbox,
        )
    )
