"""Read queries that idea pages share."""

from django.db.models import Prefetch, QuerySet

from challenges.models import Outcome

from .models import DECIDED_STATUSES, Comment, Idea, StatusChange, Vote
from .rules import visible_ideas_q


def idea_list_for(user) -> QuerySet[Idea]:
    """The ideas a user may see, with what a list row shows, in a fixed number of queries."""
    return (
        Idea.objects.filter(visible_ideas_q(user))
        .select_related("challenge", "author")
        .prefetch_related(Prefetch("outcomes", queryset=Outcome.objects.only("id", "code", "statement")))
    )


def idea_recently_decided_for(user, *, limit: int = 6) -> QuerySet[Idea]:
    """Ideas staff answered most recently: the loop being closed, for the home page."""
    return (
        idea_list_for(user)
        .filter(status__in=DECIDED_STATUSES, decided_at__isnull=False)
        .order_by("-decided_at")[:limit]
    )


def idea_detail_for(user, *, pk: int) -> Idea:
    """One idea the user may see, with its comments and history; raises Idea.DoesNotExist."""
    return (
        Idea.objects.filter(visible_ideas_q(user))
        .select_related("challenge", "author", "duplicate_of")
        .prefetch_related(
            "outcomes",
            Prefetch("comments", queryset=Comment.objects.select_related("author")),
            Prefetch("status_changes", queryset=StatusChange.objects.select_related("changed_by")),
        )
        .get(pk=pk)
    )


def user_votes_on(user, ideas) -> dict[int, int]:
    """{idea id: +1 or -1} for the user's votes on these ideas, in one query."""
    if not user.is_authenticated:
        return {}
    ids = [idea.pk for idea in ideas]
    return dict(Vote.objects.filter(user=user, idea_id__in=ids).values_list("idea_id", "value"))


def idea_list_mine(user) -> QuerySet[Idea]:
    """The member's own ideas, drafts included, newest first."""
    return Idea.objects.filter(author=user).select_related("challenge").order_by("-created_at")


# --- comments (replies, kudos, flags, moderation) ---


# --- versions, withdrawal and similar ideas ---


# --- follows and ranking ---
