"""A member's answers to a job's outcome survey, and the segment they belong to.

A member answers as one Respondent (key ``member-<user id>``), created on their first save. That
row is the single source of truth for the member's segment, and its row lock serialises every
write of one member's answers (two tabs, a double click), so counts and upserts stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from challenges.models import Job, Segment
from core.errors import DomainError
from reputation.services import survey_completed_award

from ..models import MEMBER_KEY_PREFIX, Rating, Respondent
from .scores import scores_recompute_soon

if TYPE_CHECKING:
    from accounts.models import User


SCALE = range(1, 6)


class SurveyError(DomainError):
    """Answers that cannot be saved; the message is for the member who sent them."""


@dataclass(frozen=True)
class SurveySaveResult:
    respondent: Respondent
    created: int
    updated: int
    unchanged: int
    segment_changed: bool

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.segment_changed)


def member_respondent_key(user: User) -> str:
    return f"{MEMBER_KEY_PREFIX}{user.pk}"


def _member_respondent_locked(user) -> Respondent:
    """The member's Respondent row, created if missing, locked FOR UPDATE until the transaction ends.

    The unique constraints on ``user`` and ``key`` guard the creation: of two first saves at once,
    one inserts and the other's insert waits for it, fails, and re-reads the committed row.
    Callers must be inside ``transaction.atomic``.
    """
    try:
        with transaction.atomic():  # a savepoint: a lost race must not break the caller's transaction
            Respondent.objects.get_or_create(user=user, defaults={"key": member_respondent_key(user)})
    except IntegrityError:
        pass  # created meanwhile by a concurrent first save; read below
    try:
        return Respondent.objects.select_for_update().get(user=user)
    except Respondent.DoesNotExist:
        # The insert failed on the key alone: an imported survey row already uses member-<id>.
        raise SurveyError(
            "Your answers could not be saved because of a clash with an imported survey: please tell the team."
        ) from None


def _validated_answers(job: Job, answers: dict[int, tuple[int, int]]) -> dict[int, tuple[int, int]]:
    outcome_ids = set(job.outcomes.values_list("pk", flat=True))
    clean: dict[int, tuple[int, int]] = {}
    for outcome_id, pair in answers.items():
        if outcome_id not in outcome_ids:
            raise SurveyError("Some answers are for outcomes this survey does not ask about: nothing was saved.")
        importance, satisfaction = pair
        if importance not in SCALE or satisfaction not in SCALE:
            raise SurveyError("Every answer is a number from 1 to 5: nothing was saved.")
        clean[outcome_id] = (importance, satisfaction)
    return clean


@transaction.atomic
def survey_answers_save(
    *,
    user: User,
    job: Job,
    answers: dict[int, tuple[int, int]],
    segment: Segment | None = None,
    complete: bool = False,
) -> SurveySaveResult:
    """Save a member's (importance, satisfaction) answers for outcomes of one job.

    Creates the ratings that are missing and updates those that changed; unchanged ones and
    outcomes not in ``answers`` are left alone. ``segment`` sets the member's segment; a member
    whose segment is unknown must give one with their first answers (when segments exist).
    ``complete`` (the "Submit survey" button) requires an answer for every outcome of the job.

    Raises SurveyError, and saves nothing, for outcomes of another job, values outside 1–5, a
    missing segment or, with ``complete``, a missing answer. Holds the member's Respondent row
    lock. Asks for a score recompute after commit when anything changed.
    """
    answers = _validated_answers(job, answers)
    if complete:
        missing = job.outcomes.exclude(pk__in=answers.keys()).count()
        if missing:
            raise SurveyError(f"{missing} outcome(s) still need an answer before the survey can be submitted.")
    if not answers and segment is None:
        raise SurveyError("Nothing to save yet: rate at least one outcome.")
    respondent = _member_respondent_locked(user)
    segment_changed = False
    if segment is not None and segment.pk != respondent.segment_id:
        respondent.segment = segment
        respondent.save(update_fields=["segment"])
        segment_changed = True
    elif answers and respondent.segment_id is None and Segment.objects.exists():
        raise SurveyError("Tell us which group describes you best before your answers are saved.")

    # Under the respondent lock nobody else writes this member's ratings, so the diff is exact.
    existing = {
        rating.outcome_id: (rating.importance, rating.satisfaction)
        for rating in Rating.objects.filter(respondent=respondent, outcome_id__in=answers.keys())
    }
    to_write = [
        Rating(respondent=respondent, outcome_id=outcome_id, importance=importance, satisfaction=satisfaction)
        for outcome_id, (importance, satisfaction) in answers.items()
        if existing.get(outcome_id) != (importance, satisfaction)
    ]
    if to_write:
        # An upsert on the unique (respondent, outcome) pair: one statement, and still exactly one
        # rating per outcome should a writer ever skip the lock.
        Rating.objects.bulk_create(
            to_write,
            update_conflicts=True,
            unique_fields=["respondent", "outcome"],
            update_fields=["importance", "satisfaction", "updated_at"],
        )
    created = sum(1 for rating in to_write if rating.outcome_id not in existing)
    result = SurveySaveResult(
        respondent=respondent,
        created=created,
        updated=len(to_write) - created,
        unchanged=len(answers) - len(to_write),
        segment_changed=segment_changed,
    )
    if result.changed:
        scores_recompute_soon()
    if complete:
        survey_completed_award(user=user, job=job)
    return result


@transaction.atomic
def respondent_segment_set(*, user: User, segment: Segment | None) -> bool:
    """Set (or clear, with None) the member's segment, e.g. from their profile. Returns whether it changed.

    Holds the member's Respondent row lock. A member without a Respondent who clears the segment
    gets no row. Scores are per segment, so a change to a member with ratings asks for a recompute.
    """
    if segment is None and not Respondent.objects.filter(user=user).exists():
        return False
    respondent = _member_respondent_locked(user)
    if respondent.segment_id == (segment.pk if segment else None):
        return False
    respondent.segment = segment
    respondent.save(update_fields=["segment"])
    if respondent.ratings.exists():
        scores_recompute_soon()
    return True
