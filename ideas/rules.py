"""Who may see and do what with an idea."""

from django.db.models import Exists, OuterRef, Q

from accounts.rules import is_triage
from challenges.models import Challenge
from challenges.rules import COMMENTING_PHASES, VOTING_PHASES, can_view_challenge

from .models import Idea, Status

# Ideas only their author and staff see: drafts, and ideas the author withdrew.
PRIVATE_STATUSES = frozenset({Status.DRAFT, Status.WITHDRAWN})


def visible_ideas_q(user) -> Q:
    """The filter for ideas a user may see: the SQL twin of ``can_view_idea``."""
    if is_triage(user):
        return Q()
    public = Q(challenge__visibility=Challenge.Visibility.PUBLIC)
    if user.is_authenticated:
        # EXISTS rather than a join: a join on the invited members would repeat each idea.
        invitations = Challenge.invited_members.through.objects.filter(
            challenge_id=OuterRef("challenge_id"), user_id=user.pk
        )
        public |= Q(Exists(invitations))
    listed = public & ~Q(challenge__phase=Challenge.Phase.DRAFT) & ~Q(status__in=PRIVATE_STATUSES)
    if user.is_authenticated:
        return listed | Q(author=user)
    return listed


def can_view_idea(user, idea: Idea) -> bool:
    if is_triage(user):
        return True
    if user.is_authenticated and idea.author_id == user.pk:
        return True
    return idea.status not in PRIVATE_STATUSES and can_view_challenge(user, idea.challenge)


def vote_refusal(user, idea: Idea) -> str | None:
    """Why the user may not vote on this idea now, or None if they may."""
    if not user.is_authenticated:
        return "Sign in to vote."
    if idea.author_id == user.pk:
        return "You cannot vote on your own idea."
    if idea.status == Status.DRAFT or not can_view_idea(user, idea):
        return "This idea is not open for votes."
    if idea.status == Status.DUPLICATE:
        return "This idea was merged into another one: vote there."
    if idea.challenge.phase not in VOTING_PHASES:
        return f"Voting is closed: the challenge is {idea.challenge.get_phase_display().lower()}."
    return None


def comment_refusal(user, idea: Idea) -> str | None:
    if not user.is_authenticated:
        return "Sign in to comment."
    if not can_view_idea(user, idea):
        return "This idea is not open to you."
    if idea.status == Status.DRAFT:
        return "Drafts take no comments until they are submitted."
    if idea.challenge.phase not in COMMENTING_PHASES:
        return "This challenge is closed: comments are read-only."
    return None


def can_edit_idea(user, idea: Idea) -> bool:
    """Authors edit their idea while it is a draft or awaiting screening."""
    return (
        user.is_authenticated
        and idea.author_id == user.pk
        and idea.status in {Status.DRAFT, Status.SUBMITTED}
        and idea.challenge.phase == Challenge.Phase.OPEN
    )


def can_change_status(user, idea: Idea) -> bool:
    return is_triage(user)


# --- comments (replies, kudos, flags, moderation) ---


# --- versions, withdrawal and similar ideas ---


# --- follows and ranking ---
