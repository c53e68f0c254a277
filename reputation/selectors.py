"""Read queries of the reputation pages: a member's profile and the leaderboards."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from challenges.models import Challenge
from core.funnel import FINAL_ROUND_STATUSES, REACHED_SHORTLIST_STATUSES, Status
from ideas.models import Idea, IdeaQuerySet, Kudos, StatusChange
from ideas.rules import visible_ideas_q

if TYPE_CHECKING:
    from accounts.types import Visitor


# How many of a member's ideas the profile lists (newest first); the funnel counts count them all.
PROFILE_IDEAS_SHOWN = 50
LEADERBOARD_SIZE = 50
LEADERBOARD_MEMBER_FIELDS = (
    "username",
    "email",
    "display_name",
    "is_active",
    "profile_public",
    "erased_at",  # public_name reads it: without it here, every row would load it with a query of its own
    "reputation_total__tier",
)

# The leaderboard periods: their key in the URL → (label, days; None for all time).
PERIODS: dict[str, tuple[str, int | None]] = {
    "30d": ("Last 30 days", 30),
    "90d": ("Last 90 days", 90),
    "365d": ("Last 12 months", 365),
    "all": ("All time", None),
}
PERIOD_DEFAULT = "90d"

# Finalists and winners are counted from the history as well, since "not selected", "in progress"
# and "implemented" do not say whether the idea was a finalist or the winner on the way.


def member_for_profile(*, pk: int) -> User:
    """The member with their totals and the number of kudos their comments received; raises User.DoesNotExist."""
    kudos = (
        Kudos.objects.filter(comment__author_id=OuterRef("pk"))
        .order_by()
        .values("comment__author_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        User.objects.select_related("reputation_total")
        .annotate(kudos_received=Coalesce(Subquery(kudos[:1]), 0))
        .get(pk=pk)
    )


def _profile_ideas(viewer: Visitor, member: User) -> IdeaQuerySet:
    """The member's ideas the viewer may see, never drafts (nor withdrawn ideas: the author took them back)."""
    return Idea.objects.published().filter(visible_ideas_q(viewer), author_id=member.pk)


def profile_ideas(*, viewer: Visitor, member: User, limit: int = PROFILE_IDEAS_SHOWN) -> list[Idea]:
    """The newest of the member's ideas the viewer may see, each with its challenge and its latest answer.

    ``answer_reason`` / ``answer_at``: the reason and date of the status change that put the idea where
    it is now (the idea page shows the same reasons to whoever sees the idea); empty while undecided.
    """
    answer = StatusChange.objects.filter(idea_id=OuterRef("pk"), to_status=OuterRef("status")).order_by(
        "-created_at", "-id"
    )
    return list(
        _profile_ideas(viewer, member)
        .select_related("challenge")
        .by_newest()
        .annotate(
            answer_reason=Subquery(answer.values("reason")[:1]),
            answer_at=Subquery(answer.values("created_at")[:1]),
        )[:limit]
    )


@dataclass(frozen=True)
class FunnelCounts:
    submitted: int
    shortlisted: int
    finalists: int
    winners: int
    implemented: int
    declined: int


def _reached(status: str, *, now_in) -> Q:
    """An idea is at ``status`` or beyond it now, or its history shows it got there."""
    history = StatusChange.objects.filter(idea_id=OuterRef("pk"), to_status=status)
    return Q(status__in=now_in) | Q(Exists(history))


def profile_funnel(*, viewer: Visitor, member: User) -> FunnelCounts:
    """How far the member's ideas (those the viewer may see) went in the funnel, in one aggregate."""
    counts = _profile_ideas(viewer, member).aggregate(
        submitted=Count("pk"),
        shortlisted=Count("pk", filter=_reached(Status.SHORTLISTED, now_in=REACHED_SHORTLIST_STATUSES)),
        finalists=Count("pk", filter=_reached(Status.FINALIST, now_in=FINAL_ROUND_STATUSES)),
        winners=Count("pk", filter=_reached(Status.WINNER, now_in=[Status.WINNER])),
        implemented=Count("pk", filter=Q(status=Status.IMPLEMENTED)),
        declined=Count("pk", filter=Q(status=Status.DECLINED)),
    )
    return FunnelCounts(**counts)


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
