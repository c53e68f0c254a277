"""Following ideas (challenges: ``challenges.services.challenge_follow``): members follow only what they may see; following twice changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import rules
from ..models import Idea, IdeaFollow
from .errors import IdeaError

if TYPE_CHECKING:
    from accounts.models import User


__all__ = ["FollowNotAllowed", "idea_follow", "idea_unfollow"]


class FollowNotAllowed(IdeaError):
    pass


def idea_follow(*, user: User, idea: Idea) -> IdeaFollow:
    """Follow the idea (nothing happens if the member already does); the unique constraint guards races.

    Raises FollowNotAllowed for a visitor, or for an idea the member may not see.
    """
    refusal = rules.idea_follow_refusal(user, idea)
    if refusal:
        raise FollowNotAllowed(refusal)
    # get_or_create saves under a savepoint and, if a concurrent request won the race, reads its row.
    return IdeaFollow.objects.get_or_create(user=user, idea=idea)[0]


def idea_unfollow(*, user: User, idea: Idea) -> None:
    """Stop following the idea (nothing happens if the member does not follow it)."""
    if user.is_authenticated:
        IdeaFollow.objects.filter(user=user, idea=idea).delete()
