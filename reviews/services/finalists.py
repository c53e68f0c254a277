"""finalists (see reviews/services/__init__.py): choosing a challenge's winner among its finalists."""

from dataclasses import dataclass, field

from django.db import transaction

from challenges.models import Challenge
from ideas.models import Idea, Status, StatusChange
from ideas.services import TransitionNotAllowed, idea_status_change

__all__ = ["WinnerChoice", "winner_choose"]


@dataclass
class WinnerChoice:
    """What ``winner_choose`` recorded: the winner's status change and those of the other finalists."""

    winner: StatusChange
    not_selected: list[StatusChange] = field(default_factory=list)


@transaction.atomic
def winner_choose(*, idea: Idea, chosen_by, reason: str, others_reason: str | None = None) -> WinnerChoice:
    """Make a finalist the winner and, given ``others_reason``, the challenge's other finalists not selected.

    All or nothing: every step goes through ``idea_status_change`` inside this one transaction, so
    if any is refused (not a finalist, not triage staff, a missing reason) nothing changes and the
    ``TransitionNotAllowed`` reaches the caller. Locks the challenge's finalists' rows first, in id
    order, so two staff choosing at once queue up instead of deadlocking or both winning.
    """
    reason = reason.strip()
    if not reason:
        raise TransitionNotAllowed("Tell the author, and everyone reading the results, why this idea won.")
    if idea.challenge.phase not in (Challenge.Phase.FINAL, Challenge.Phase.CLOSED):
        raise TransitionNotAllowed(
            "The winner is chosen in the challenge's final phase: move the challenge there first."
        )
    finalist_ids = list(
        Idea.objects.select_for_update()
        .filter(challenge_id=idea.challenge_id, status=Status.FINALIST)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    winner = idea_status_change(idea=idea, to_status=Status.WINNER, changed_by=chosen_by, reason=reason)
    choice = WinnerChoice(winner=winner)
    if others_reason is not None:
        others_reason = others_reason.strip()
        if not others_reason:
            raise TransitionNotAllowed("Give the other finalists' authors a reason why their ideas were not selected.")
        for other in Idea.objects.filter(pk__in=finalist_ids).exclude(pk=idea.pk).order_by("pk"):
            choice.not_selected.append(
                idea_status_change(
                    idea=other, to_status=Status.NOT_SELECTED, changed_by=chosen_by, reason=others_reason
                )
            )
    return choice
