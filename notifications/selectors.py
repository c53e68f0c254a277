"""Read queries for notification pages."""

from .models import DEFAULT_DELIVERY, STAFF_KINDS, Kind, Notification, NotificationPreference


def notifications_for(user):
    """The member's notifications, newest first: one query per page, no joins needed."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preferences_for(user) -> dict[str, str]:
    """Every kind the member can get with their delivery for it, the default where they chose nothing.

    Staff-only kinds (the overdue digest) are left out for members who are not triage staff.
    """
    from accounts.rules import is_triage

    kinds = [kind for kind in Kind.values if kind not in STAFF_KINDS or is_triage(user)]
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in kinds}
