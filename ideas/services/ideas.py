"""An author's writes to their idea: create, save, submit (and withdraw)."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from challenges.models import Challenge, Outcome
from challenges.rules import submission_refusal

from .. import rules
from ..models import Idea, Status
from .errors import SubmissionNotAllowed

__all__ = ["idea_create", "idea_submit", "idea_update"]


def _validate_outcomes(challenge: Challenge, outcomes: Iterable[Outcome]) -> list[Outcome]:
    outcomes = list(outcomes)
    if not outcomes:
        raise SubmissionNotAllowed("Choose at least one outcome that your idea addresses.")
    targeted = set(challenge.outcomes.values_list("pk", flat=True))
    if any(outcome.pk not in targeted for outcome in outcomes):
        raise SubmissionNotAllowed("An idea can only address the outcomes its challenge targets.")
    return outcomes


@transaction.atomic
def idea_create(
    *,
    author,
    challenge: Challenge,
    title: str,
    problem: str,
    solution: str,
    outcomes: Iterable[Outcome],
    submit: bool = True,
) -> Idea:
    """Create an idea as a draft, or submitted at once; raises SubmissionNotAllowed with the reason."""
    refusal = submission_refusal(author, challenge)
    if refusal:
        raise SubmissionNotAllowed(refusal)
    outcomes = _validate_outcomes(challenge, outcomes)
    now = timezone.now()
    idea = Idea.objects.create(
        challenge=challenge,
        author=author,
        title=title.strip(),
        problem=problem.strip(),
        solution=solution.strip(),
        status=Status.SUBMITTED if submit else Status.DRAFT,
        submitted_at=now if submit else None,
    )
    idea.outcomes.set(outcomes)
    return idea


@transaction.atomic
def idea_submit(*, idea: Idea, user) -> Idea:
    """Submit the author's draft. Locks the idea row so a double click submits once."""
    idea = Idea.objects.select_for_update().select_related("challenge").get(pk=idea.pk)
    if idea.author_id != user.pk:
        raise SubmissionNotAllowed("Only the author can submit this idea.")
    if idea.status != Status.DRAFT:
        raise SubmissionNotAllowed("This idea has already been submitted.")
    refusal = submission_refusal(user, idea.challenge)
    if refusal:
        raise SubmissionNotAllowed(refusal)
    idea.status = Status.SUBMITTED
    idea.submitted_at = timezone.now()
    idea.save(update_fields=["status", "submitted_at", "updated_at"])
    return idea


@transaction.atomic
def idea_update(*, idea: Idea, user, title: str, problem: str, solution: str, outcomes: Iterable[Outcome]) -> Idea:
    """The author edits their idea while it is a draft or awaiting screening (row lock held)."""
    idea = Idea.objects.select_for_update().select_related("challenge").get(pk=idea.pk)
    if not rules.can_edit_idea(user, idea):
        raise SubmissionNotAllowed("This idea can no longer be edited: screening has started or the challenge closed.")
    outcomes = _validate_outcomes(idea.challenge, outcomes)
    idea.title, idea.problem, idea.solution = title.strip(), problem.strip(), solution.strip()
    idea.save(update_fields=["title", "problem", "solution", "updated_at"])
    idea.outcomes.set(outcomes)
    return idea
