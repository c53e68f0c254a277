"""Who may see and do what with a challenge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.rules import has_verified_email, is_triage

from .models import Challenge
from .phases import COMMENTING_PHASES, RESULTS_PHASES, SUBMISSION_PHASES, VOTING_PHASES, Phase

if TYPE_CHECKING:
    from accounts.types import Visitor
    from challenges.models import ChallengeInvitation


# What each phase allows.
# What each phase allows: challenges.phases.
__all__ = ["COMMENTING_PHASES", "RESULTS_PHASES", "SUBMISSION_PHASES", "VOTING_PHASES"]


def can_view_challenge(user: Visitor, challenge: Challenge) -> bool:
    """Drafts are for staff; an invite-only challenge exists only for its invited members."""
    if is_triage(user):
        return True
    if challenge.phase == Challenge.Phase.DRAFT:
        return False
    if challenge.visibility == Challenge.Visibility.PUBLIC:
        return True
    return user.is_authenticated and challenge.invited_members.filter(pk=user.pk).exists()


# Why a challenge takes no ideas, one whole sentence per phase that takes none.
NOT_TAKING_IDEAS = {
    Phase.DRAFT: _("This challenge is not taking ideas: it is draft."),
    Phase.REVIEW: _("This challenge is not taking ideas: it is in review."),
    Phase.MENTORING: _("This challenge is not taking ideas: it is mentoring."),
    Phase.FINAL: _("This challenge is not taking ideas: it is final."),
    Phase.CLOSED: _("This challenge is not taking ideas: it is closed."),
}


def submission_refusal(user: Visitor, challenge: Challenge) -> str | None:
    """Why the user may not submit an idea to this challenge now, or None if they may."""
    if not user.is_authenticated:
        return gettext("Sign in to submit an idea.")
    if challenge.phase not in SUBMISSION_PHASES:
        return str(NOT_TAKING_IDEAS[Challenge.Phase(challenge.phase)])
    if not can_view_challenge(user, challenge):
        return gettext("This challenge is not open to you.")
    return None


def can_submit_idea(user: Visitor, challenge: Challenge) -> bool:
    return submission_refusal(user, challenge) is None


def can_view_scores(user: Visitor, challenge: Challenge) -> bool:
    """Customers see the targeted outcomes' scores only when staff publish them; staff always do."""
    return challenge.publish_scores or is_triage(user)


def can_change_phase(user: Visitor) -> bool:
    """Triage staff move challenges through their phases (the scheduler moves them by their dates)."""
    return is_triage(user)


def can_invite(user: Visitor) -> bool:
    """Triage staff invite members and email addresses to a challenge (and revoke invitations)."""
    return is_triage(user)


def is_invitee(user: Visitor, invitation: ChallengeInvitation) -> bool:
    """The member the invitation was sent to: signed in, with its address confirmed. Only they may
    accept it, and only they see what it invites to (a private challenge's title and prize)."""
    return has_verified_email(user, invitation.email)


@dataclass(frozen=True)
class PhaseAllows:
    """What the challenge's phase allows everyone, for the page's "taking part" note."""

    submitting: bool
    voting: bool
    commenting: bool
    read_only: bool  # closed: ideas, votes and comments are kept as they were


def phase_allows(challenge: Challenge) -> PhaseAllows:
    return PhaseAllows(
        submitting=challenge.phase in SUBMISSION_PHASES,
        voting=challenge.phase in VOTING_PHASES,
        commenting=challenge.phase in COMMENTING_PHASES,
        read_only=challenge.phase == Challenge.Phase.CLOSED,
    )


def results_may_be_out(challenge: Challenge) -> bool:
    """Whether the phase allows results at all (a cheap check before the results query)."""
    return challenge.phase in RESULTS_PHASES


def results_announced(challenge: Challenge, *, has_winner: bool) -> bool:
    """Results are public once the challenge is closed, or in the final once a winner is decided."""
    return challenge.phase == Challenge.Phase.CLOSED or (challenge.phase == Challenge.Phase.FINAL and has_winner)


def can_preview_results(user: Visitor) -> bool:
    """Staff see the results page before it is announced, marked as a preview."""
    return is_triage(user)


def challenge_follow_refusal(user: Visitor, challenge: Challenge) -> str | None:
    """Why the user may not follow this challenge, or None if they may: members follow what they see."""
    if not user.is_authenticated:
        return gettext("Sign in to follow challenges.")
    if not can_view_challenge(user, challenge):
        return gettext("This challenge is not open to you.")
    return None
