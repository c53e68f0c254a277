"""Read queries of a member's profile (``pages.views.member_profile``): the member with the kudos their
comments received, their ideas the viewer may see, and how far those went in the funnel. They read
the ideas' models and visibility rule, so they live with the ideas, not in reputation (which sits
below ideas); the points and the tier stay in reputation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from core.funnel import FINAL_ROUND_STATUSES, REACHED_SHORTLIST_STATUSES, Status

from .models import Idea, IdeaQuerySet, Kudos, StatusChange
from .rules import visible_ideas_q
from .selectors import coauthored_ideas_q

if TYPE_CHECKING:
    from accounts.types import Visitor


# How many of a member's ideas the profile lists (newest first); the funnel counts count them all.
PROFILE_IDEAS_SHOWN = 50

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
    """The member's ideas the viewer may see, the ones they co-author included; never drafts (nor
    withdrawn ideas: the author took them back)."""
    return (
        Idea.objects.published()
        .filter(visible_ideas_q(viewer))
        .filter(Q(author_id=member.pk) | coauthored_ideas_q(member))
    )


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
        .select_related("challenge", "author")
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


def _reached(status: str, *, now_in: Iterable[str]) -> Q:
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
