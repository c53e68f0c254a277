"""finalists (see reviews/services/__init__.py): choosing a challenge's winner among its finalists, and
ending a challenge with an answer for every idea still open in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from challenges.models import Challenge
from challenges.phases import RESULTS_PHASES
from challenges.services import CloseRefusal, PhaseChange, challenge_phase_set
from ideas.models import OPEN_STATUSES, Idea, Status, StatusChange
from ideas.services import TransitionNotAllowed, allowed_next_statuses, idea_status_change

from .. import notification_kinds

if TYPE_CHECKING:
    from accounts.models import User
    from reviews.models import ReasonTemplate

__all__ = [
    "WinnerChoice",
    "challenge_close",
    "challenge_close_refusal_open_ideas",
    "challenge_ideas_end",
    "ending_for",
    "winner_choose",
]


@dataclass
class WinnerChoice:
    """What ``winner_choose`` recorded: the winner's status change and the endings of the challenge's other
    open ideas (``not_selected``: "not selected", or "declined" for one never screened)."""

    winner: StatusChange
    not_selected: list[StatusChange] = field(default_factory=list)


def ending_for(status: str) -> str:
    """The ending an open idea gets when its challenge ends without choosing it: "not selected", or
    "declined" for an idea still awaiting screening (the funnel has no "not selected" before the shortlist)."""
    return Status.NOT_SELECTED if Status.NOT_SELECTED in allowed_next_statuses(status) else Status.DECLINED


def _open_ideas_locked(challenge_id: int) -> list[Idea]:
    """The challenge's ideas still waiting for an ending, their rows locked in id order (no deadlock between
    two staff ending the same challenge: the second waits, then finds them answered)."""
    return list(
        Idea.objects.select_for_update().filter(challenge_id=challenge_id, status__in=OPEN_STATUSES).order_by("pk")
    )


def _end_unlocked(
    ideas: list[Idea], *, changed_by, reason: str, expected_statuses: dict[int, str] | None, reason_template=None
) -> list[StatusChange]:
    """Give each idea its ending through the funnel; the caller holds their row locks inside its transaction.

    A reason template must have been written for each idea's ending (``idea_status_change`` refuses it
    otherwise: one for "not selected" only does not answer an idea declined unscreened).
    """
    reason = (reason or "").strip()
    if ideas and not reason:
        raise TransitionNotAllowed(
            gettext("Give the authors of the ideas still open a reason: they read it word for word.")
        )
    changes = []
    for idea in ideas:
        to_status = ending_for(idea.status)
        if expected_statuses is not None and idea.pk not in expected_statuses:
            raise TransitionNotAllowed(
                f"“{idea.title}” was not on the page you opened (it changed or arrived since): open it again."
            )
        changes.append(
            idea_status_change(
                idea=idea,
                to_status=to_status,
                changed_by=changed_by,
                reason=reason,
                expected_status=None if expected_statuses is None else expected_statuses[idea.pk],
                reason_template=reason_template,
            )
        )
    return changes


@transaction.atomic
def winner_choose(
    *,
    idea: Idea,
    chosen_by: User,
    reason: str,
    others_reason: str | None = None,
    expected_status: str | None = None,
    expected_statuses: dict[int, str] | None = None,
) -> WinnerChoice:
    """Make a finalist the winner and give every other idea still open in the challenge its ending.

    Every idea still open in the challenge needs an ending when the winner is chosen: with
    ``others_reason`` the others become not selected (declined if never screened); without it, any
    other open idea makes the choice refused. All or nothing: every step goes through
    ``idea_status_change`` inside this one transaction, so if any is refused (not a finalist, not
    triage staff, a missing reason, a status changed since the page was opened: ``expected_status``
    for the winner, ``expected_statuses`` by id for the others) nothing changes and the
    ``TransitionNotAllowed`` reaches the caller. Locks the challenge's open ideas' rows first, in id
    order, so two staff choosing at once queue up instead of deadlocking or both winning.
    """
    reason = reason.strip()
    if not reason:
        raise TransitionNotAllowed(gettext("Tell the author, and everyone reading the results, why this idea won."))
    if idea.challenge.phase not in RESULTS_PHASES:
        raise TransitionNotAllowed(
            gettext("The winner is chosen in the challenge's final phase: move the challenge there first.")
        )
    open_ideas = _open_ideas_locked(idea.challenge_id)
    winner = idea_status_change(
        idea=idea, to_status=Status.WINNER, changed_by=chosen_by, reason=reason, expected_status=expected_status
    )
    choice = WinnerChoice(winner=winner)
    notification_kinds.winner_chosen(winner)
    others = [other for other in open_ideas if other.pk != idea.pk]
    if others and others_reason is None:
        count = len(others)
        raise TransitionNotAllowed(
            ngettext(
                "%(count)s other idea of this challenge would be left without an ending: "
                "answer it with the winner (not selected), or first on its own.",
                "%(count)s other ideas of this challenge would be left without an ending: "
                "answer them with the winner (not selected), or first one by one.",
                count,
            )
            % {"count": count}
        )
    if others_reason is not None and not others_reason.strip():
        raise TransitionNotAllowed(
            gettext("Give the other finalists' authors a reason why their ideas were not selected.")
        )
    choice.not_selected = _end_unlocked(
        others, changed_by=chosen_by, reason=others_reason or "", expected_statuses=expected_statuses
    )
    return choice


@transaction.atomic
def challenge_ideas_end(
    *,
    challenge: Challenge,
    changed_by: User,
    reason: str,
    expected_statuses: dict[int, str],
    reason_template: ReasonTemplate | None = None,
) -> list[StatusChange]:
    """Answer every idea still open in the challenge at once: not selected (declined if never screened).

    All or nothing, under the ideas' row locks; refuses, changing nothing, when any idea's status is not
    the one the staff member's page showed (``expected_statuses`` by id, an idea that arrived since
    included).
    """
    return _end_unlocked(
        _open_ideas_locked(challenge.pk),
        changed_by=changed_by,
        reason=reason,
        expected_statuses=expected_statuses,
        reason_template=reason_template,
    )


@transaction.atomic
def challenge_close(
    *,
    challenge: Challenge,
    closed_by: User,
    reason: str,
    expected_statuses: dict[int, str],
    reason_template: ReasonTemplate | None = None,
) -> PhaseChange:
    """Answer every idea still open in the challenge and close it, in one transaction: all or nothing.

    Locks the challenge's row first (as ``challenge_phase_set`` does), then its open ideas in id order.
    """
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if challenge.phase == Challenge.Phase.CLOSED:
        raise TransitionNotAllowed(f"“{challenge.title}” is closed already.")
    challenge_ideas_end(
        challenge=challenge,
        changed_by=closed_by,
        reason=reason,
        expected_statuses=expected_statuses,
        reason_template=reason_template,
    )
    return challenge_phase_set(challenge=challenge, phase=Challenge.Phase.CLOSED, changed_by=closed_by)


def challenge_close_refusal_open_ideas(challenge: Challenge) -> CloseRefusal | None:
    """The close guard (registered in ReviewsConfig.ready): a challenge closes only when every idea has an ending."""
    count = Idea.objects.filter(challenge_id=challenge.pk, status__in=OPEN_STATUSES).count()
    if not count:
        return None
    return CloseRefusal(
        message=(
            f"{count} idea{'s' if count != 1 else ''} of “{challenge.title}” still "
            f"{'have' if count != 1 else 'has'} no ending (declined, not selected, winner…): answer "
            f"{'each' if count != 1 else 'it'} before the challenge closes."
        ),
        answer_url=reverse("admin:reviews_challenge_close", args=[challenge.pk]),
    )
