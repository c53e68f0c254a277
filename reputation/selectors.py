"""Read queries of the reputation pages: the leaderboards. (A member's profile reads their ideas:
its queries are in ``ideas.selectors_profile``, its view in ``pages``.)"""

from __future__ import annotations

import datetime

from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.rules import STAFF_FIELDS
from challenges.models import Challenge

LEADERBOARD_SIZE = 50
LEADERBOARD_MEMBER_FIELDS = (
    "username",
    "email",
    "display_name",
    "is_active",
    "profile_public",
    "erased_at",  # public_name reads it: without it here, every row would load it with a query of its own
    *STAFF_FIELDS,  # the badge: staff wear "Team" (accounts.rules.is_staff_member reads them)
    "reputation_total__tier",
)

# The leaderboard periods: their key in the URL → (label, days; None for all time).
PERIODS: dict[str, tuple[str | Promise, int | None]] = {
    "30d": (_("Last 30 days"), 30),
    "90d": (_("Last 90 days"), 90),
    "365d": (_("Last 12 months"), 365),
    "all": (_("All time"), None),
}
PERIOD_DEFAULT = "90d"


def period_start(period: str, *, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When a leaderboard period starts (None: all time)."""
    days = PERIODS[period][1]
    if days is None:
        return None
    return (now or timezone.now()) - datetime.timedelta(days=days)


def leaderboard(
    *, since: datetime.datetime | None, challenge: Challenge | None = None, limit: int = LEADERBOARD_SIZE
) -> list:
    """The active members with the most points from events since ``since`` (in ``challenge``), best first.

    One query: the events are joined and summed per member (the event filters sit in the join, so the
    created_at / (challenge, created_at) indexes serve them), with the member's totals selected for the
    tier badge. Each member has ``period_points`` and ``reached_at`` (their last event in the period,
    when they reached that sum). Ties go to whoever reached the sum first, then to the lower id.
    """
    events = Q()
    if since is not None:
        events &= Q(reputation_events__created_at__gte=since)
    if challenge is not None:
        events &= Q(reputation_events__challenge_id=challenge.pk)
    members = (
        User.objects.filter(events, is_active=True)
        .annotate(period_points=Sum("reputation_events__points"), reached_at=Max("reputation_events__created_at"))
        .filter(period_points__gt=0)
        .select_related("reputation_total")
        # What a row shows ({% member %}: the public name, whether the viewer may open the profile, the tier).
        .only(*LEADERBOARD_MEMBER_FIELDS)
        .order_by("-period_points", "reached_at", "pk")
    )
    return list(members[:limit])
