"""Read queries for challenge pages, the phase scheduler and invitations."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.rules import TRIAGE_STAFF_Q, is_triage
from core.funnel import UNPUBLISHED_STATUSES

from .models import Challenge, ChallengeFollow, ChallengeInvitation
from .phases import RUNNING_PHASES

if TYPE_CHECKING:
    from accounts.types import Visitor


# The date field on which each phase starts (drafts have none: staff open them by hand).
PHASE_START_FIELDS: dict[str, str] = {
    Challenge.Phase.OPEN: "opens_at",
    Challenge.Phase.REVIEW: "review_starts_at",
    Challenge.Phase.MENTORING: "mentoring_starts_at",
    Challenge.Phase.FINAL: "final_starts_at",
    Challenge.Phase.CLOSED: "closes_at",
}


def phase_index(phase: str) -> int:
    return Challenge.PHASE_ORDER.index(phase)


def phase_after(phase: str) -> str | None:
    """The phase that follows, or None after closed."""
    index = phase_index(phase) + 1
    return Challenge.PHASE_ORDER[index] if index < len(Challenge.PHASE_ORDER) else None


def phase_by_dates(challenge: Challenge, *, today: datetime.date, start: str | None = None) -> str:
    """The furthest phase after ``start`` (the current phase) whose start date is today or earlier; else ``start``.

    A phase starts on its date (the timeline says "from 3 May"), so on that day the challenge is in it.
    A phase without a date does not hold the others back: if the final's date passed and mentoring
    has none, the challenge goes straight to the final. Never earlier than ``start``.
    """
    reached = start = start or challenge.phase
    for phase in Challenge.PHASE_ORDER[phase_index(start) + 1 :]:
        starts = getattr(challenge, PHASE_START_FIELDS[phase])
        if starts is not None and starts <= today:
            reached = phase
    return reached


def challenge_ids_phase_due(*, today: datetime.date) -> list[int]:
    """Ids of the non-draft challenges whose dates say they have reached a later phase: the SQL twin of
    ``phase_by_dates(challenge) != challenge.phase``, one indexed query."""
    due = Q()
    order = Challenge.PHASE_ORDER
    for index, current in enumerate(order):
        if current not in RUNNING_PHASES:
            continue
        for later in order[index + 1 :]:
            due |= Q(phase=current, **{f"{PHASE_START_FIELDS[later]}__lte": today})
    return list(Challenge.objects.filter(due).order_by("pk").values_list("pk", flat=True))


def challenge_visible_to(user: Visitor) -> QuerySet[Challenge]:
    """The challenges a user may see: the SQL twin of ``rules.can_view_challenge``."""
    challenges = Challenge.objects.all()
    if is_triage(user):
        return challenges
    visible = Q(visibility=Challenge.Visibility.PUBLIC)
    if user.is_authenticated:
        invited = Challenge.invited_members.through.objects.filter(challenge_id=OuterRef("pk"), user_id=user.pk)
        visible |= Q(Exists(invited))
    return challenges.listed().filter(visible)


# Ideas a list counts: published ones (not drafts, not withdrawn), as ``IdeaQuerySet.published``.
_PUBLISHED_IDEA = ~Q(ideas__status__in=UNPUBLISHED_STATUSES)


def challenge_list_for(user: Visitor) -> QuerySet[Challenge]:
    """Challenges the user may see, with the number of published ideas each has."""
    return challenge_visible_to(user).annotate(idea_count=Count("ideas", filter=_PUBLISHED_IDEA))


def challenge_open_list_for(user: Visitor) -> QuerySet[Challenge]:
    return challenge_list_for(user).filter(phase=Challenge.Phase.OPEN)


def challenge_detail(*, slug: str) -> Challenge:
    """The challenge with what its page shows; raises Challenge.DoesNotExist."""
    return Challenge.objects.prefetch_related("criteria", "outcomes__job").get(slug=slug)


# --- Invitations ------------------------------------------------------------------------------


def challenge_invitation_by_token(*, token: str) -> ChallengeInvitation | None:
    """The invitation with this secret, with its challenge; None for an unknown token."""
    return ChallengeInvitation.objects.select_related("challenge").filter(token=token).first()


def challenge_follow_state(user: Visitor, challenge: Challenge) -> dict:
    """{"following": bool, "followers": int} for the challenge's follow card, in one query."""
    follows = ChallengeFollow.objects.filter(challenge=challenge)
    if not user.is_authenticated:
        return {"following": False, "followers": follows.count()}
    counts = follows.aggregate(followers=Count("pk"), following=Count("pk", filter=Q(user_id=user.pk)))
    return {"following": bool(counts["following"]), "followers": counts["followers"]}


# Who took part in a challenge, from the apps above this one (ideas registers its authors, voters and
# commenters in IdeasConfig.ready()): each provider returns a queryset of user ids.
ParticipantsProvider = Callable[[Challenge], list[QuerySet]]
_PARTICIPANT_PROVIDERS: list[ParticipantsProvider] = []


def challenge_participants_provider_register(provider: ParticipantsProvider) -> None:
    """``provider(challenge)`` → querysets of the ids of members who took part in it (each a ``values("…")``)."""
    if provider not in _PARTICIPANT_PROVIDERS:
        _PARTICIPANT_PROVIDERS.append(provider)


@dataclass(frozen=True)
class Audience:
    total: int
    followers: int

    @property
    def others(self) -> int:
        """Participants who do not follow the challenge."""
        return self.total - self.followers


def _audience_queryset(challenge: Challenge):
    from django.contrib.auth import get_user_model

    wanted = Q(pk__in=ChallengeFollow.objects.filter(challenge=challenge).values("user_id"))
    for provider in _PARTICIPANT_PROVIDERS:
        for ids in provider(challenge):
            wanted |= Q(pk__in=ids)
    users = get_user_model().objects.filter(wanted, is_active=True)
    # Nobody hears of a challenge they cannot see (challenges.rules.can_view_challenge, in SQL).
    if challenge.phase == Challenge.Phase.DRAFT:
        return users.filter(TRIAGE_STAFF_Q).distinct()
    if challenge.visibility != Challenge.Visibility.PUBLIC:
        users = users.filter(TRIAGE_STAFF_Q | Q(pk__in=challenge.invited_members.values("pk"))).distinct()
    return users


def challenge_audience(challenge: Challenge) -> list:
    """The members an announcement reaches: participants (authors of its published ideas, voters,
    commenters) and followers who are active and may see the challenge. One query."""
    return list(_audience_queryset(challenge).order_by("pk"))


def challenge_audience_counts(challenge: Challenge) -> Audience:
    """How many an announcement would reach now, and how many of them follow the challenge (one query)."""
    follows = ChallengeFollow.objects.filter(challenge=challenge, user=OuterRef("pk"))
    counts = (
        _audience_queryset(challenge)
        .annotate(follows=Exists(follows))
        .aggregate(total=Count("pk", distinct=True), followers=Count("pk", filter=Q(follows=True), distinct=True))
    )
    return Audience(total=counts["total"], followers=counts["followers"])
