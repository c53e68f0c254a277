"""Votes: cast, change and take back, with exact counters under the idea's row lock."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from reputation.services import vote_received_award

from .. import notification_kinds as notify
from .. import rules
from ..models import Idea, Vote
from .errors import VoteNotAllowed
from .ranking import ranks_refresh_soon

if TYPE_CHECKING:
    from accounts.models import User


__all__ = ["vote_cast", "vote_withdraw"]


def _recount_votes_unlocked(idea_ids: Iterable[int]) -> None:
    """Set the vote counters of these ideas from their vote rows; the caller holds their row locks."""
    for idea_id in idea_ids:
        counts = Vote.objects.filter(idea_id=idea_id).aggregate(
            up=Count("pk", filter=Q(value=Vote.Value.UP)), down=Count("pk", filter=Q(value=Vote.Value.DOWN))
        )
        Idea.objects.filter(pk=idea_id).update(votes_up=counts["up"], votes_down=counts["down"])


def _counter_deltas(value: int | None) -> dict[str, int]:
    return {"votes_up": int(value == Vote.Value.UP), "votes_down": int(value == Vote.Value.DOWN)}


@transaction.atomic
def vote_cast(*, user: User, idea: Idea, value: int) -> Idea:
    """Record or change the user's vote and return the idea with fresh totals; an up-vote may earn the author points.

    Holds the idea's row lock (SELECT … FOR UPDATE) while it reads the user's vote and moves
    the counters, so concurrent votes on one idea leave exact totals; the unique constraint on
    (idea, user) is the backstop. Raises VoteNotAllowed with a message for the user.
    """
    if value not in (Vote.Value.UP, Vote.Value.DOWN):
        raise VoteNotAllowed(_("A vote is either up or down."))
    idea = Idea.objects.select_for_update(of=("self",)).select_related("challenge", "author").get(pk=idea.pk)
    refusal = rules.vote_refusal(user, idea)
    if refusal:
        raise VoteNotAllowed(refusal)
    previous = Vote.objects.filter(idea=idea, user=user).values_list("value", flat=True).first()
    if previous == value:
        return idea
    try:
        with transaction.atomic():
            if previous is None:
                Vote.objects.create(idea=idea, user=user, value=value)
            else:
                Vote.objects.filter(idea=idea, user=user).update(value=value, updated_at=timezone.now())
    except IntegrityError:
        raise VoteNotAllowed(_("Your vote was already counted.")) from None
    added, removed = _counter_deltas(value), _counter_deltas(previous)
    Idea.objects.filter(pk=idea.pk).update(
        votes_up=F("votes_up") + added["votes_up"] - removed["votes_up"],
        votes_down=F("votes_down") + added["votes_down"] - removed["votes_down"],
    )
    ranks_refresh_soon(idea.pk)
    # The row is locked: its new totals are the locked values plus the steps, no need to read them back.
    idea.votes_up += added["votes_up"] - removed["votes_up"]
    idea.votes_down += added["votes_down"] - removed["votes_down"]
    if value == Vote.Value.UP:
        vote_received_award(idea=idea, voter=user, votes_up=idea.votes_up)
        if idea.votes_up in settings.IDEA_VOTE_THRESHOLDS:  # counted under the row lock: reached exactly once
            notify.vote_threshold_reached(idea=idea, threshold=idea.votes_up, actor_id=user.pk)
    return idea


@transaction.atomic
def vote_withdraw(*, user: User, idea: Idea) -> Idea:
    """Take the user's vote back (nothing happens if there is none). Same lock as vote_cast."""
    idea = Idea.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=idea.pk)
    refusal = rules.vote_refusal(user, idea)
    if refusal:
        raise VoteNotAllowed(refusal)
    previous = Vote.objects.filter(idea=idea, user=user).values_list("value", flat=True).first()
    if previous is None:
        return idea
    Vote.objects.filter(idea=idea, user=user).delete()
    removed = _counter_deltas(previous)
    Idea.objects.filter(pk=idea.pk).update(
        votes_up=F("votes_up") - removed["votes_up"], votes_down=F("votes_down") - removed["votes_down"]
    )
    ranks_refresh_soon(idea.pk)
    idea.votes_up -= removed["votes_up"]
    idea.votes_down -= removed["votes_down"]
    return idea
