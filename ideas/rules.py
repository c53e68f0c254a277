"""Who may see and do what with an idea."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.rules import has_verified_email, is_triage
from challenges.models import Challenge
from challenges.rules import COMMENTING_PHASES, VOTING_PHASES, can_view_challenge
from core.funnel import AUTHOR_STATUSES, ENDED_STATUSES, UNPUBLISHED_STATUSES, Status

from .models import Idea, IdeaCoauthor

if TYPE_CHECKING:
    import datetime

    from accounts.models import User
    from accounts.types import Visitor
    from ideas.models import Comment


# Ideas only their author and staff see: drafts, and ideas the author withdrew.
PRIVATE_STATUSES = frozenset(UNPUBLISHED_STATUSES)


def accepted_coauthor_ids(idea: Idea) -> set[int]:
    """The ids of the idea's accepted co-authors: no query when the selector prefetched them
    (``accepted_coauthors``, see ``ideas.selectors.with_coauthors``), one otherwise."""
    prefetched = getattr(idea, "accepted_coauthors", None)
    if prefetched is not None:
        return {c.user_id for c in prefetched}
    return set(
        IdeaCoauthor.objects.filter(idea=idea, status=IdeaCoauthor.State.ACCEPTED).values_list("user_id", flat=True)
    )


def is_idea_author(user: Visitor, idea: Idea) -> bool:
    """The idea's main author or one of its accepted co-authors: they edit it, answer its mentor and
    share its awards. Withdrawing it and choosing its co-authors stay with the main author."""
    if not user.is_authenticated:
        return False
    return idea.author_id == user.pk or user.pk in accepted_coauthor_ids(idea)


def _coauthor_of_q(user: User) -> Q:
    return Q(Exists(IdeaCoauthor.objects.filter(idea_id=OuterRef("pk"), user=user, status=IdeaCoauthor.State.ACCEPTED)))


def visible_ideas_q(user: Visitor) -> Q:
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
        return listed | Q(author=user) | _coauthor_of_q(user)
    return listed


def can_view_idea(user: Visitor, idea: Idea) -> bool:
    if is_triage(user):
        return True
    if is_idea_author(user, idea):
        return True
    return idea.status not in PRIVATE_STATUSES and can_view_challenge(user, idea.challenge)


# A visitor's refusal: the vote box offers to sign in and come back instead of the buttons.
VOTE_SIGN_IN = gettext_lazy("Sign in to vote.")

# Refusals that name a phase or a status: one whole sentence per case (never a label glued into a
# sentence), so each language words it its own way.
VOTING_CLOSED_BY_PHASE = {
    "draft": gettext_lazy("Voting is closed: the challenge is draft."),
    "open": gettext_lazy("Voting is closed: the challenge is open for ideas."),
    "review": gettext_lazy("Voting is closed: the challenge is in review."),
    "mentoring": gettext_lazy("Voting is closed: the challenge is mentoring."),
    "final": gettext_lazy("Voting is closed: the challenge is final."),
    "closed": gettext_lazy("Voting is closed: the challenge is closed."),
}
EDIT_CLOSED_BY_PHASE = {
    "draft": gettext_lazy("This idea can no longer be edited: the challenge is draft."),
    "open": gettext_lazy("This idea can no longer be edited: the challenge is open for ideas."),
    "review": gettext_lazy("This idea can no longer be edited: the challenge is in review."),
    "mentoring": gettext_lazy("This idea can no longer be edited: the challenge is mentoring."),
    "final": gettext_lazy("This idea can no longer be edited: the challenge is final."),
    "closed": gettext_lazy("This idea can no longer be edited: the challenge is closed."),
}
WITHDRAW_CLOSED_BY_STATUS = {
    "under_review": gettext_lazy("This idea can no longer be withdrawn: it is under review, so screening has started."),
    "shortlisted": gettext_lazy("This idea can no longer be withdrawn: it is shortlisted, so screening has started."),
    "in_mentoring": gettext_lazy("This idea can no longer be withdrawn: it is in mentoring, so screening has started."),
    "finalist": gettext_lazy("This idea can no longer be withdrawn: it is finalist, so screening has started."),
    "winner": gettext_lazy("This idea can no longer be withdrawn: it is winner, so screening has started."),
    "in_progress": gettext_lazy("This idea can no longer be withdrawn: it is in progress, so screening has started."),
    "implemented": gettext_lazy("This idea can no longer be withdrawn: it is implemented, so screening has started."),
    "declined": gettext_lazy("This idea can no longer be withdrawn: it is declined, so screening has started."),
    "not_selected": gettext_lazy("This idea can no longer be withdrawn: it is not selected, so screening has started."),
    "duplicate": gettext_lazy("This idea can no longer be withdrawn: it is duplicate, so screening has started."),
}
VOTING_ENDED_BY_STATUS = {
    "winner": gettext_lazy("Voting is closed: the team has answered this idea (winner). Its votes stay counted."),
    "in_progress": gettext_lazy(
        "Voting is closed: the team has answered this idea (in progress). Its votes stay counted."
    ),
    "implemented": gettext_lazy(
        "Voting is closed: the team has answered this idea (implemented). Its votes stay counted."
    ),
    "declined": gettext_lazy("Voting is closed: the team has answered this idea (declined). Its votes stay counted."),
    "not_selected": gettext_lazy(
        "Voting is closed: the team has answered this idea (not selected). Its votes stay counted."
    ),
}
# What a submission lacks, named in a few words, per combination of gaps (in this order).
SUBMISSION_GAPS_NAMED = {
    ("problem",): gettext_lazy("the problem"),
    ("solution",): gettext_lazy("the proposed solution"),
    ("outcomes",): gettext_lazy("an outcome it addresses"),
    ("problem", "solution"): gettext_lazy("the problem and the proposed solution"),
    ("problem", "outcomes"): gettext_lazy("the problem and an outcome it addresses"),
    ("solution", "outcomes"): gettext_lazy("the proposed solution and an outcome it addresses"),
    ("problem", "solution", "outcomes"): gettext_lazy("the problem, the proposed solution and an outcome it addresses"),
}


def vote_refusal(user: Visitor, idea: Idea, *, known_visible: bool = False) -> str | None:
    """Why the user may not vote on this idea now (or take their vote back), or None if they may.

    An idea that reached an ending (``core.funnel.ENDED_STATUSES``) says so to everyone, visitors
    and its author included, so the vote box tells why the buttons are gone; its votes stay
    counted. ``known_visible``: the caller listed the idea with ``visible_ideas_q(user)``, so
    ``can_view_idea`` (a query for a member on an invite-only challenge) need not be asked again.
    """
    refusal = withdrawn_vote_refusal(idea)
    if refusal:
        return refusal
    if idea.status == Status.DRAFT or not (known_visible or can_view_idea(user, idea)):
        return _("This idea is not open for votes.")
    refusal = ended_vote_refusal(idea)
    if refusal:
        return refusal
    if not user.is_authenticated:
        return str(VOTE_SIGN_IN)
    if is_idea_author(user, idea):
        return _("You cannot vote on your own idea.")
    if idea.challenge.phase not in VOTING_PHASES:
        return str(VOTING_CLOSED_BY_PHASE.get(idea.challenge.phase, VOTING_CLOSED_BY_PHASE["closed"]))
    return None


def comment_refusal(user: Visitor, idea: Idea) -> str | None:
    if not user.is_authenticated:
        return _("Sign in to comment.")
    if not can_view_idea(user, idea):
        return _("This idea is not open to you.")
    if idea.status == Status.DRAFT:
        return _("Drafts take no comments until they are submitted.")
    if idea.status == Status.WITHDRAWN:
        return _("This idea was withdrawn: it takes no comments.")
    if idea.challenge.phase not in COMMENTING_PHASES:
        return _("This challenge is closed: comments are read-only.")
    return None


def can_edit_idea(user: Visitor, idea: Idea) -> bool:
    """Authors (the main author and accepted co-authors) edit their idea while it is a draft or
    awaiting screening, or to answer their mentor's open revision request (whatever the phase)."""
    if not is_idea_author(user, idea):
        return False
    if idea.status in AUTHOR_STATUSES and idea.challenge.phase == Challenge.Phase.OPEN:
        return True
    # A mentor's open revision request (reviews' services keep the flag on the idea).
    return idea.revision_requested_at is not None


def can_change_status(user: Visitor, idea: Idea) -> bool:
    return is_triage(user)


# --- what a submitted idea needs ---

# A draft needs its title alone; these are checked when the idea is submitted (from the form, from
# an existing draft, through the API) and on every later save of a submitted idea. The form's help
# texts and the API's schema state them.
TITLE_MIN_LENGTH = 5
PROBLEM_MIN_LENGTH = 20
SOLUTION_MIN_LENGTH = 20


def submission_gaps(*, problem: str, solution: str, outcomes_count: int) -> dict[str, str]:
    """What an idea still lacks before it can be submitted, as {field name: message for the author};
    empty when it is complete. (The title's minimum holds for drafts too: the forms check it.)"""
    gaps = {}
    problem_length = len(problem.strip())
    if not problem_length:
        gaps["problem"] = _("Describe the problem: at least %(minimum)d characters to submit.") % {
            "minimum": PROBLEM_MIN_LENGTH
        }
    elif problem_length < PROBLEM_MIN_LENGTH:
        gaps["problem"] = _(
            "Say a little more: the problem needs at least %(minimum)d characters to submit (it has %(length)d)."
        ) % {"minimum": PROBLEM_MIN_LENGTH, "length": problem_length}
    solution_length = len(solution.strip())
    if not solution_length:
        gaps["solution"] = _("Describe your proposed solution: at least %(minimum)d characters to submit.") % {
            "minimum": SOLUTION_MIN_LENGTH
        }
    elif solution_length < SOLUTION_MIN_LENGTH:
        gaps["solution"] = _(
            "Say a little more: your proposed solution needs at least %(minimum)d characters to submit "
            "(it has %(length)d)."
        ) % {"minimum": SOLUTION_MIN_LENGTH, "length": solution_length}
    if not outcomes_count:
        gaps["outcomes"] = _("Choose at least one outcome that your idea addresses.")
    return gaps


def submission_gaps_named(gaps: dict[str, str]) -> str:
    """What ``submission_gaps`` found, named in a few words: "the problem and an outcome it addresses"."""
    # One whole phrase per combination (at most three gaps), so each language joins them its own way.
    key = tuple(name for name in ("problem", "solution", "outcomes") if name in gaps)
    return str(SUBMISSION_GAPS_NAMED[key])


def submission_gaps_message(gaps: dict[str, str]) -> str:
    """Everything an idea lacks before it can be submitted, for a refusal without a form to point at."""
    first = _("Not submitted yet: complete %(missing)s first.") % {"missing": submission_gaps_named(gaps)}
    return " ".join([first, *gaps.values()])


# --- comments (replies, kudos, flags, moderation) ---
#
# Phases: replies, edits and kudos follow ``comment_refusal``: once the challenge is closed the
# discussion is read-only, kudos included, so a closed discussion's reputation stops moving.
# Flags stay possible on any idea the member can see, closed or not: abuse must stay reportable.
# Authors may remove their own comment at any time (their words, their choice); staff (triage)
# hide and unhide in any phase. The comment page mirrors these checks to decide which buttons to
# show (without a query per comment); the services check them again under the comment's row lock.

# How long the author may edit a comment after posting it.
COMMENT_EDIT_MINUTES = 15


def comment_is_shown(comment: Comment) -> bool:
    """Neither removed by its author nor hidden by the moderators: counted and shown to everyone."""
    return comment.removed_at is None and comment.hidden_at is None


def comment_edit_refusal(user: Visitor, comment: Comment, *, now: datetime.datetime | None = None) -> str | None:
    """Why the user may not edit this comment now, or None: the author, within the edit window."""
    import datetime

    from django.utils import timezone

    if not user.is_authenticated:
        return _("Sign in to edit your comment.")
    if comment.author_id != user.pk:
        return _("Only its author can edit a comment.")
    if comment.removed_at:
        return _("This comment was removed: it can no longer be edited.")
    if comment.hidden_at:
        return _("The moderators hid this comment: it can no longer be edited.")
    now = now or timezone.now()
    if now > comment.created_at + datetime.timedelta(minutes=COMMENT_EDIT_MINUTES):
        return ngettext(
            "A comment can be edited for %(minutes)d minute after posting; that time is over.",
            "A comment can be edited for %(minutes)d minutes after posting; that time is over.",
            COMMENT_EDIT_MINUTES,
        ) % {"minutes": COMMENT_EDIT_MINUTES}
    return comment_refusal(user, comment.idea)


def comment_remove_refusal(user: Visitor, comment: Comment) -> str | None:
    if not user.is_authenticated:
        return _("Sign in to remove your comment.")
    if comment.author_id != user.pk:
        return _("Only its author can remove a comment.")
    if comment.removed_at:
        return _("This comment is already removed.")
    return None


def comment_flag_refusal(user: Visitor, comment: Comment) -> str | None:
    """Any signed-in member who sees the idea may flag someone else's comment, in any phase."""
    if not user.is_authenticated:
        return _("Sign in to flag a comment.")
    if not can_view_idea(user, comment.idea):
        return _("This idea is not open to you.")
    if comment.author_id == user.pk:
        return _("You cannot flag your own comment: edit or remove it instead.")
    if comment.removed_at:
        return _("This comment was removed by its author.")
    if comment.hidden_at:
        return _("The moderators have already hidden this comment.")
    return None


def kudos_refusal(user: Visitor, comment: Comment, *, taking_back: bool = False) -> str | None:
    """Why the user may not give (or take back) kudos on this comment now, or None."""
    if not user.is_authenticated:
        return _("Sign in to give kudos.")
    if comment.author_id == user.pk:
        return _("You cannot give kudos to your own comment.")
    if not taking_back and comment.removed_at:
        return _("This comment was removed: it takes no kudos.")
    if not taking_back and comment.hidden_at:
        return _("This comment was hidden by the moderators: it takes no kudos.")
    refusal = comment_refusal(user, comment.idea)
    if refusal and comment.idea.challenge.phase not in COMMENTING_PHASES:
        return _("This challenge is closed: kudos can no longer change.")
    return refusal


def can_moderate_comments(user: Visitor) -> bool:
    """Triage staff hide and unhide comments."""
    return is_triage(user)


def comment_moderation_refusal(user: Visitor) -> str | None:
    return None if can_moderate_comments(user) else _("Only the moderators can hide or show comments.")


@dataclass(frozen=True)
class CommentActions:
    """What the viewer sees of one comment and which of its buttons they get: the comment templates
    read these booleans; the services check the same rules again under the comment's row lock."""

    placeholder: str  # "removed", "hidden" (the body is not shown to this viewer), or ""
    can_reply: bool
    can_edit: bool
    can_flag: bool
    flagged_by_viewer: bool
    can_remove: bool
    can_hide: bool
    can_unhide: bool
    can_give_kudos: bool
    sees_flags: bool


def comment_actions(
    user: Visitor, comment: Comment, *, discussion_refusal: str | None, moderator: bool
) -> CommentActions:
    """The viewer's actions on ``comment`` without a query: ``discussion_refusal`` is
    ``comment_refusal(user, idea)`` for the comment's idea and ``moderator`` is
    ``can_moderate_comments(user)``, each computed once per page; the comment carries the
    ``in_edit_window`` and ``viewer_flagged`` annotations of ``ideas.selectors``.

    The same rules as ``comment_edit_refusal``, ``comment_flag_refusal``, ``comment_remove_refusal``,
    ``kudos_refusal`` and ``comment_moderation_refusal``, for a whole page at once.
    """
    signed_in = bool(user.is_authenticated)
    is_author = signed_in and comment.author_id == user.pk
    removed, hidden = comment.removed_at is not None, comment.hidden_at is not None
    open_ = discussion_refusal is None
    if removed:
        placeholder = "removed"
    elif hidden and not (is_author or moderator):
        placeholder = "hidden"
    else:
        placeholder = ""
    shown = not placeholder
    showing_actions = shown and not hidden
    flagged = bool(getattr(comment, "viewer_flagged", False))
    return CommentActions(
        placeholder=placeholder,
        can_reply=showing_actions and comment.parent_id is None and open_,
        can_edit=showing_actions and is_author and bool(getattr(comment, "in_edit_window", False)) and open_,
        can_flag=showing_actions and signed_in and not is_author and not flagged,
        flagged_by_viewer=showing_actions and signed_in and not is_author and flagged,
        can_remove=shown and is_author,
        can_hide=shown and moderator and not hidden,
        can_unhide=shown and moderator and hidden,
        can_give_kudos=signed_in and not is_author and open_ and not removed and not hidden,
        sees_flags=shown and moderator and comment.flags_count > 0,
    )


# --- versions, withdrawal and similar ideas ---

# An author may take their idea back until screening starts.
WITHDRAWABLE_STATUSES = AUTHOR_STATUSES


def can_view_versions(user: Visitor, idea: Idea) -> bool:
    """An idea's saved versions are for its authors and triage staff (not mentors, not the public)."""
    return is_idea_author(user, idea) or is_triage(user)


def edit_refusal(user: Visitor, idea: Idea) -> str | None:
    """Why the user may not edit this idea, or None if they may (``can_edit_idea`` with the reason)."""
    if not is_idea_author(user, idea):
        return _("Only the idea's authors can edit it.")
    if can_edit_idea(user, idea):  # mentoring: an open revision request reopens the idea to its author
        return None
    if idea.status == Status.WITHDRAWN:
        return _("You withdrew this idea, so it can no longer be edited.")
    if idea.status not in AUTHOR_STATUSES:
        return _("This idea can no longer be edited: screening has started.")
    if idea.challenge.phase != Challenge.Phase.OPEN:
        return str(EDIT_CLOSED_BY_PHASE.get(idea.challenge.phase, EDIT_CLOSED_BY_PHASE["closed"]))
    return None


def withdraw_refusal(user: Visitor, idea: Idea) -> str | None:
    """Why the user may not withdraw this idea, or None if they may: the author, before screening."""
    if not user.is_authenticated or idea.author_id != user.pk:
        return _("Only the author can withdraw this idea.")
    if idea.status == Status.WITHDRAWN:
        return _("You have already withdrawn this idea.")
    if idea.status not in WITHDRAWABLE_STATUSES:
        return str(
            WITHDRAW_CLOSED_BY_STATUS.get(
                idea.status, _("This idea can no longer be withdrawn: screening has started.")
            )
        )
    return None


def can_withdraw_idea(user: Visitor, idea: Idea) -> bool:
    return withdraw_refusal(user, idea) is None


def ended_vote_refusal(idea: Idea) -> str | None:
    """Why an idea that reached an ending (``core.funnel.ENDED_STATUSES``: declined, not selected,
    merged, withdrawn, a winner, in progress, implemented) takes no new votes, or None while it is
    still open. Its votes stay counted; this only says no to new ones, whoever asks (staff too)."""
    if idea.status not in ENDED_STATUSES:
        return None
    if idea.status == Status.WITHDRAWN:
        return withdrawn_vote_refusal(idea)
    if idea.status == Status.DUPLICATE:
        return _("This idea was merged into another one: vote there.")
    ended = VOTING_ENDED_BY_STATUS.get(idea.status)
    if ended is None:
        return _("Voting is closed: the team has answered this idea. Its votes stay counted.")
    return str(ended)


def withdrawn_vote_refusal(idea: Idea) -> str | None:
    """The refusal for votes on a withdrawn idea (its votes stay, but no new ones, staff included).

    Meant to be checked by ``vote_refusal`` before the visibility check, which alone refuses
    customers but would let triage staff vote.
    """
    if idea.status == Status.WITHDRAWN:
        return _("Its author withdrew this idea: voting is closed.")
    return None


# --- follows and ranking ---


def idea_follow_refusal(user: Visitor, idea: Idea) -> str | None:
    """Why the user may not follow this idea, or None if they may: members follow what they see."""
    if not user.is_authenticated:
        return _("Sign in to follow ideas.")
    if not can_view_idea(user, idea):
        return _("This idea is not open to you.")
    return None


# --- co-authors ---

# How many co-authors an idea may have besides its main author (accepted and invited together).
COAUTHORS_MAX = 10


def coauthors_manage_refusal(user: Visitor, idea: Idea) -> str | None:
    """Why the user may not invite or remove the idea's co-authors, or None: the main author only."""
    if not user.is_authenticated or idea.author_id != user.pk:
        return _("Only the idea's main author can choose its co-authors.")
    # A withdrawn idea, or one merged into another, takes no new co-authors: its story is over.
    if idea.status == Status.WITHDRAWN or idea.status == Status.DUPLICATE:
        if idea.status == Status.WITHDRAWN:
            return _("This idea is withdrawn: it takes no new co-authors.")
        return _("This idea is duplicate: it takes no new co-authors.")
    return None


def coauthor_leave_refusal(user: Visitor, coauthorship: IdeaCoauthor) -> str | None:
    """Why the user may not end this co-authorship, or None: the main author, or the co-author leaving."""
    if not user.is_authenticated:
        return _("Sign in first.")
    if coauthorship.status not in (IdeaCoauthor.State.INVITED, IdeaCoauthor.State.ACCEPTED):
        return _("This co-author is no longer on the idea.")
    if coauthorship.idea.author_id == user.pk or (
        coauthorship.user_id == user.pk and coauthorship.status == "accepted"
    ):
        return None
    return _("Only the idea's main author can remove a co-author.")


def is_coauthor_invitee(user: Visitor, coauthorship: IdeaCoauthor) -> bool:
    """The member an invitation to co-author is for: the member chosen by name, or a member who
    confirmed the invited address. Only they see which idea it is and may accept or decline it."""
    if not user.is_authenticated:
        return False
    if coauthorship.user_id is not None:
        return coauthorship.user_id == user.pk
    return has_verified_email(user, coauthorship.email)
