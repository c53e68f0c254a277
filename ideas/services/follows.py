"""Following ideas and challenges."""

from django.db import IntegrityError, transaction

from ..models import Idea, IdeaFollow

__all__ = ["idea_follow"]


def idea_follow(*, user, idea: Idea) -> IdeaFollow:
    """Follow the idea (nothing happens if the member already does); the unique constraint guards races."""
    try:
        with transaction.atomic():
            follow, _ = IdeaFollow.objects.get_or_create(user=user, idea=idea)
    except IntegrityError:
        follow = IdeaFollow.objects.get(user=user, idea=idea)
    return follow
