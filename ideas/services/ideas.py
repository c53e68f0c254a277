"""An author's writes to their idea: create, save, submit, withdraw, and the versions each save keeps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from challenges.models import Challenge, Outcome
from challenges.rules import submission_refusal
from core.funnel import AUTHOR_STATUSES, Status
from reputation.services import idea_submitted_award, idea_submitted_reversal

from .. import notification_kinds as notify
from .. import rules
from ..hooks import idea_revised_unlocked, idea_version_recorded_unlocked
from ..models import Idea, IdeaVersion, StatusChange
from .answers import answers_missing_refusal, answers_snapshot, idea_answers_save_unlocked
from .errors import IdeaError, SubmissionNotAllowed
from .follows import idea_follow
from .funnel import idea_ended_unlocked

if TYPE_CHECKING:
    from accounts.models import User


__all__ = [
    "SUBMIT_KEY_MAX_LENGTH",
    "WithdrawalNotAllowed",
    "idea_create",
    "idea_submit",
    "idea_update",
    "idea_version_record_unlocked",
    "idea_withdraw",
]

WITHDRAW_REASON_MAX_LENGTH = 1000
SUBMIT_KEY_MAX_LENGTH = Idea._meta.get_field("submit_key").max_length


class WithdrawalNotAllowed(IdeaError):
    pass


def _validate_outcomes(challenge: Challenge, outcomes: Iterable[Outcome]) -> list[Outcome]:
    """The outcomes, if all are the challenge's (none is fine for a draft: ``_refuse_incomplete``)."""
    outcomes = list(outcomes)
    if not outcomes:
        return outcomes
    targeted = set(challenge.outcomes.values_list("pk", flat=True))
    if any(outcome.pk not in targeted for outcome in outcomes):
        raise SubmissionNotAllowed(_("An idea can only address the outcomes its challenge targets."))
    return outcomes


def _refuse_incomplete(*, problem: str, solution: str, outcomes_count: int) -> None:
    """Raise SubmissionNotAllowed naming what a submitted idea lacks (rules.submission_gaps)."""
    gaps = rules.submission_gaps(problem=problem, solution=solution, outcomes_count=outcomes_count)
    if gaps:
        raise SubmissionNotAllowed(rules.submission_gaps_message(gaps))


def idea_version_record_unlocked(
    *, idea: Idea, saved_by: User, outcome_codes: list[str], answers: list[dict] | None = None
) -> IdeaVersion:
    """Keep the idea's text as it is now as its next version.

    The caller holds the idea's row lock (or has just created the idea), so max + 1 is free; the
    unique constraint on (idea, number) is the backstop. The answers to the challenge's questions
    are kept as they are stored now, with their labels (or as ``answers`` says they were).
    """
    latest = IdeaVersion.objects.filter(idea=idea).aggregate(latest=Max("number"))["latest"] or 0
    version = IdeaVersion.objects.create(
        idea=idea,
        number=latest + 1,
        title=idea.title,
        problem=idea.problem,
        solution=idea.solution,
        outcome_codes=sorted(outcome_codes),
        answers=answers_snapshot(idea) if answers is None else answers,
        saved_by=saved_by,
    )
    # Higher apps keep what else the version had (attachments: the idea's files as they are now).
    idea_version_recorded_unlocked(idea=idea, version=version)
    return version


@transaction.atomic
def idea_create(
    *,
    author: User,
    challenge: Challenge,
    title: str,
    problem: str,
    solution: str,
    outcomes: Iterable[Outcome],
    submit: bool = True,
    submit_key: str = "",
    answers: Mapping[int, str] | None = None,
) -> Idea:
    """Create an idea as a draft (a title is enough), or submitted at once (complete:
    ``rules.submission_gaps``); raises SubmissionNotAllowed with the reason.

    Records version 1, and the author follows their idea from the start. ``submit_key`` is the
    form's one-time token: the same author sending the same form twice (a double click, a retried
    POST, two at once) gets the idea the first one created, with ``idea.created_now`` False; the
    unique constraint idea_one_per_submit_key decides a race (the second insert waits for the
    first's commit, then finds its idea). ``answers`` are the challenge's questions' answers
    ({question id: value}); a submission needs the required ones, a draft does not.
    """
    submit_key = (submit_key or "").strip()[:SUBMIT_KEY_MAX_LENGTH]
    if submit_key:
        existing = Idea.objects.filter(author=author, submit_key=submit_key).first()
        if existing is not None:
            existing.created_now = False
            return existing
    refusal = submission_refusal(author, challenge)
    if refusal:
        raise SubmissionNotAllowed(refusal)
    outcomes = _validate_outcomes(challenge, outcomes)
    if not title.strip():
        raise SubmissionNotAllowed(_("Give your idea a short title: a draft needs one too."))
    if submit:
        _refuse_incomplete(problem=problem, solution=solution, outcomes_count=len(outcomes))
    now = timezone.now()
    try:
        with transaction.atomic():
            idea = Idea.objects.create(
                challenge=challenge,
                author=author,
                title=title.strip(),
                problem=problem.strip(),
                solution=solution.strip(),
                status=Status.SUBMITTED if submit else Status.DRAFT,
                submitted_at=now if submit else None,
                submit_key=submit_key,
            )
    except IntegrityError:
        existing = Idea.objects.filter(author=author, submit_key=submit_key).first() if submit_key else None
        if existing is None:
            raise
        existing.created_now = False
        return existing
    idea.created_now = True  # type: ignore[attr-defined]
    idea.outcomes.set(outcomes)
    idea_answers_save_unlocked(idea=idea, answers=answers or {})
    if submit:
        missing = answers_missing_refusal(idea=idea, challenge=challenge)
        if missing:
            raise missing  # rolls the new idea back: nothing is saved
    idea_version_record_unlocked(idea=idea, saved_by=author, outcome_codes=[outcome.code for outcome in outcomes])
    idea_follow(user=author, idea=idea)
    notify.idea_received(idea)
    idea_submitted_award(idea=idea)
    return idea


@transaction.atomic
def idea_submit(*, idea: Idea, user: User) -> Idea:
    """Submit the authors' draft (the main author or a co-author), if it is complete
    (``rules.submission_gaps``: the refusal names what it lacks) and every required question of
    the challenge is answered. Locks the idea row so a double click submits once."""
    idea = Idea.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=idea.pk)
    if not rules.is_idea_author(user, idea):
        raise SubmissionNotAllowed(_("Only the idea's authors can submit it."))
    if idea.status != Status.DRAFT:
        raise SubmissionNotAllowed(_("This idea has already been submitted."))
    refusal = submission_refusal(user, idea.challenge)
    if refusal:
        raise SubmissionNotAllowed(refusal)
    _refuse_incomplete(problem=idea.problem, solution=idea.solution, outcomes_count=idea.outcomes.count())
    missing = answers_missing_refusal(idea=idea, challenge=idea.challenge)
    if missing:
        raise missing
    idea.status = Status.SUBMITTED
    idea.submitted_at = timezone.now()
    idea.save(update_fields=["status", "submitted_at", "updated_at"])
    notify.idea_received(idea)
    idea_submitted_award(idea=idea)
    return idea


@transaction.atomic
def idea_update(
    *,
    idea: Idea,
    user: User,
    title: str,
    problem: str,
    solution: str,
    outcomes: Iterable[Outcome],
    answers: Mapping[int, str] | None = None,
) -> Idea:
    """An author (the main author or an accepted co-author) edits the idea while it is a draft or
    awaiting screening, or to answer a revision request.

    Holds the idea's row lock while it compares and saves, so each change becomes exactly one
    numbered version; a save that changes nothing writes nothing. An idea older than its versions
    gets its text before this edit kept as version 1 first, so the first change can be compared.
    """
    idea = Idea.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=idea.pk)
    refusal = rules.edit_refusal(user, idea)
    if refusal or not rules.can_edit_idea(user, idea):
        raise SubmissionNotAllowed(refusal or _("This idea can no longer be edited."))
    outcomes = _validate_outcomes(idea.challenge, outcomes)
    if not title.strip():
        raise SubmissionNotAllowed(_("Give your idea a short title: a draft needs one too."))
    if idea.status != Status.DRAFT:  # a submitted idea stays complete
        _refuse_incomplete(problem=problem, solution=solution, outcomes_count=len(outcomes))
    before = (idea.title, idea.problem, idea.solution)
    codes_before = sorted(idea.outcomes.values_list("code", flat=True))
    after = (title.strip(), problem.strip(), solution.strip())
    codes_after = sorted(outcome.code for outcome in outcomes)
    unversioned = not IdeaVersion.objects.filter(idea=idea).exists()
    answers_before = answers_snapshot(idea) if unversioned else []
    answers_changed = idea_answers_save_unlocked(idea=idea, answers=answers or {})
    if before == after and codes_before == codes_after and not answers_changed:
        return idea
    if unversioned:
        original = idea_version_record_unlocked(
            idea=idea, saved_by=idea.author, outcome_codes=codes_before, answers=answers_before
        )
        IdeaVersion.objects.filter(pk=original.pk).update(created_at=idea.updated_at)  # when it was last saved
    idea.title, idea.problem, idea.solution = after
    idea.save(update_fields=["title", "problem", "solution", "updated_at"])
    idea.outcomes.set(outcomes)
    version = idea_version_record_unlocked(idea=idea, saved_by=user, outcome_codes=codes_after)
    if idea.status not in AUTHOR_STATUSES:
        # Only a mentor's open revision request lets an author edit past screening: this version
        # answers it (reviews registers the answer with idea_revised_hook_register).
        idea_revised_unlocked(idea=idea, version=version)
    return idea


@transaction.atomic
def idea_withdraw(*, user: User, idea: Idea, reason: str = "") -> Idea:
    """The author takes their idea back before screening starts; raises WithdrawalNotAllowed.

    Holds the idea's row lock so a withdrawal cannot cross a staff decision. The idea leaves the
    public lists (rules.PRIVATE_STATUSES), keeps its votes and submission date, and takes no new
    votes; the step is recorded as a status change by the author, with their reason. The
    submission points are taken back (a negative ledger event, once), and a withdrawal is an
    ending: whatever is still open around the idea is closed.
    """
    idea = Idea.objects.select_for_update(of=("self",)).select_related("challenge").get(pk=idea.pk)
    refusal = rules.withdraw_refusal(user, idea)
    if refusal:
        raise WithdrawalNotAllowed(refusal)
    reason = reason.strip()
    if len(reason) > WITHDRAW_REASON_MAX_LENGTH:
        raise WithdrawalNotAllowed(
            _("Keep the reason to at most %(limit)s characters.")
            % {"limit": number_format(WITHDRAW_REASON_MAX_LENGTH, force_grouping=True)}
        )
    from_status = idea.status
    idea.status = Status.WITHDRAWN
    idea.save(update_fields=["status", "updated_at"])
    StatusChange.objects.create(
        idea=idea, from_status=from_status, to_status=Status.WITHDRAWN, changed_by=user, reason=reason
    )
    idea_submitted_reversal(idea=idea)
    idea_ended_unlocked(idea)
    return idea
