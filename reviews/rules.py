"""Who may see and do what in screening and mentoring."""


# --- screening ---

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext

from accounts.rules import is_triage
from core.funnel import UNPUBLISHED_STATUSES
from ideas.rules import is_idea_author

if TYPE_CHECKING:
    from accounts.types import Visitor
    from ideas.models import Idea


# Ideas that have left the author's drafts and are still theirs to answer: screening applies.
UNSCREENABLE_STATUSES = frozenset(UNPUBLISHED_STATUSES)


def can_use_triage_queue(user: Visitor) -> bool:
    """The triage queue, scorecards and reason templates are for triage staff (and superusers)."""
    return is_triage(user)


def screening_refusal(user: Visitor, idea: Idea) -> str | None:
    """Why the user may not screen this idea, or None if they may: triage staff, a submitted idea or later."""
    if not is_triage(user):
        return gettext("Only triage staff can screen ideas.")
    if idea.status in UNSCREENABLE_STATUSES:
        return gettext("“%(idea)s” is %(status)s: only submitted ideas are screened.") % {
            "idea": idea.title,
            "status": idea.get_status_display().lower(),
        }
    return None


def can_screen(user: Visitor, idea: Idea) -> bool:
    return screening_refusal(user, idea) is None


def can_view_screenings(user: Visitor) -> bool:
    """Screening scores and notes are for staff only: never the author, other customers or mentors."""
    return is_triage(user)


# --- mentoring ---
#
# A mentor sees only the ideas currently assigned to them: a reassigned mentor loses access to the
# idea, its thread and its revision requests at once (the new mentor inherits the thread). The
# private parts (thread, revision requests, reviews) are for the author, the current mentor and
# triage staff; for anyone else they do not exist (404). Mentors work while the idea is in mentoring.


def is_current_mentor(user: Visitor, idea: Idea) -> bool:
    """The user mentors this idea now (a member of the Mentor group with a current assignment)."""
    from accounts.rules import is_mentor

    from .models import MentorAssignment

    return (
        is_mentor(user)
        and MentorAssignment.objects.filter(idea=idea, mentor_id=user.pk, ended_at__isnull=True).exists()
    )


def can_view_mentoring(user: Visitor, idea: Idea, *, current_mentor_id: int | None = None) -> bool:
    """The authors (main and co-authors), the current mentor and triage staff see the idea's mentoring (thread, requests).

    Pass ``current_mentor_id`` when it is already loaded, to spare a query.
    """
    from accounts.rules import is_mentor, is_triage

    if not user.is_authenticated:
        return False
    if is_triage(user) or is_idea_author(user, idea):  # the main author and accepted co-authors
        return True
    if current_mentor_id is not None:
        return current_mentor_id == user.pk and is_mentor(user)
    return is_current_mentor(user, idea)


def thread_post_refusal(user: Visitor, idea: Idea, *, current_mentor_id: int | None = None) -> str | None:
    if not user.is_authenticated:
        return gettext("Sign in to write to your mentor.")
    if not can_view_mentoring(user, idea, current_mentor_id=current_mentor_id):
        return gettext("Only the idea's authors, the mentor and the team can write in this private thread.")
    return None


def mentor_work_refusal(user: Visitor, idea: Idea) -> str | None:
    """Why the user may not review this idea or ask for a revision now, or None: its current mentor, in mentoring."""
    from ideas.models import Status

    if not is_current_mentor(user, idea):
        return gettext("Only the idea's current mentor can do this.")
    if idea.status != Status.IN_MENTORING:
        return gettext("This idea is %(status)s: mentoring is over.") % {"status": idea.get_status_display().lower()}
    return None


def can_assign_mentors(user: Visitor) -> bool:
    from accounts.rules import is_triage

    return is_triage(user)


# --- finalists ---
#
# The compare page shows screening scores and mentor reviews side by side: triage staff only, and a
# 404 for everyone else (the page does not exist for them). Imports are local to keep this section
# independent of the others in this module.


def can_compare_finalists(user: Visitor) -> bool:
    """Triage staff compare a challenge's finalists (screening, reviews, votes, versions)."""
    from accounts.rules import is_triage

    return is_triage(user)


def can_choose_winner(user: Visitor) -> bool:
    """Triage staff choose the winner among the finalists (``idea_status_change`` checks it again)."""
    from accounts.rules import is_triage

    return is_triage(user)
