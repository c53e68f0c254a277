"""Read queries for notification pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import registry
from .models import Notification, NotificationPreference

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import User


def notifications_for(user: User) -> QuerySet[Notification]:
    """The member's notifications, newest first: one query per page, no joins needed."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


# How many notifications the header's menu shows; the rest are on the notifications page.
MENU_SIZE = 6


def latest_for(user: User, *, limit: int = MENU_SIZE) -> list[Notification]:
    """The member's newest notifications for the header's menu: one query (the recent-first index)."""
    return list(notifications_for(user)[:limit])


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preferences_for(user: User) -> dict[str, str]:
    """Every kind the member is offered with their delivery for it, the default where they chose nothing.

    A kind offered to some members only (the triage staff's overdue digest) is left out for the others.
    """
    kinds = [kind for kind in registry.kinds() if kind.offered_to is None or kind.offered_to(user)]
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind.key: chosen.get(kind.key, kind.default_delivery) for kind in kinds}
