"""Read queries of the api app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import ApiToken

if TYPE_CHECKING:
    from accounts.models import User
    from ideas.models import Comment, Idea
    from scoring.models import OutcomeScore


def tokens_for(user: User) -> QuerySet[ApiToken]:
    """The member's tokens, newest first (revoked ones too: the page shows when)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_by_secret(token_hash: str) -> ApiToken | None:
    """The token with this hash, with its user, in one query; None for an unknown one."""
    return ApiToken.objects.select_related("user").filter(token_hash=token_hash).first()


def comments_of_idea(idea: Idea) -> QuerySet[Comment]:
    """Every comment of an idea the requester may see (the caller checked), replies included, with
    their authors: one query per page. Removed and hidden comments keep their place (the output
    hides their words, as the page does)."""
    from ideas.models import Comment

    return Comment.objects.filter(idea_id=idea.pk).select_related("author")


def opportunity_scores() -> QuerySet[OutcomeScore]:
    """The current stored opportunity scores (each job's latest survey round), overall (no segment) and
    per segment, with their outcomes."""
    from scoring.selectors import scores_current

    return scores_current().select_related("outcome", "segment")
