"""A member's answers to a job's outcome survey, and the segment they belong to.

A member answers as one Respondent (key ``member-<user id>``), created on their first save. That
row is the single source of truth for the member's segment, and its row lock serialises every
write of one member's answers (two tabs, a double click), so counts and upserts stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from challenges.models import Job, Segment
from core.errors import DomainError
from reputation.services import survey_completed_award

from ..models import MEMBER_KEY_PREFIX, Rating, Respondent, SurveyWave
from .scores import scores_recompute_soon
from .waves import WaveError, wave_current_for_job

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
            _("Your answers could not be saved because of a clash with an imported survey: please tell the team.")
        ) from None


def _wave_outcome_ids(job: Job, wave: SurveyWave) -> set[int]:
    """The outcomes a wave asks about: its own list, or every outcome of the job."""
    chosen = set(wave.outcomes.values_list("pk", flat=True))
    return chosen or set(job.outcomes.values_list("pk", flat=True))


def _wave_to_answer(job: Job, wave: SurveyWave | None) -> SurveyWave:
    """The wave the answers go into: the one given (open, of this job), else the job's open round."""
    if wave is None:
        try:
            return wave_current_for_job(job=job)
        except WaveError as error:
            raise SurveyError(str(error)) from None
    if wave.job_id != job.pk:
        raise SurveyError(_("This survey wave is about another job: nothing was saved."))
    if wave.status != SurveyWave.Status.OPEN:
        raise SurveyError(_("The survey “%(name)s” is not open for answers: nothing was saved.") % {"name": wave.name})
    return wave


def _validated_answers(
    job: Job, answers: dict[int, tuple[int, int]], outcome_ids: set[int]
) -> dict[int, tuple[int, int]]:
    clean: dict[int, tuple[int, int]] = {}
    for outcome_id, pair in answers.items():
        if outcome_id not in outcome_ids:
            raise SurveyError(_("Some answers are for outcomes this survey does not ask about: nothing was saved."))
        importance, satisfaction = pair
        if importance not in SCALE or satisfaction not in SCALE:
            raise SurveyError(_("Every answer is a number from 1 to 5: nothing was saved."))
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
    wave: SurveyWave | None = None,
) -> SurveySaveResult:
    """Save a member's (importance, satisfaction) answers for outcomes of one job, in one survey wave.

    ``wave`` is an open wave of the job (a follow-up the member was invited to); without it the
    answers go into the job's open survey round (``wave_current_for_job``). A wave limited to some
    segments takes answers only from members in them.

    Creates the ratings that are missing and updates those that changed; unchanged ones and
    outcomes not in ``answers`` are left alone. ``segment`` sets the member's segment; a member
    whose segment is unknown must give one with their first answers (when segments exist).
    ``complete`` (the "Submit survey" button) requires an answer for every outcome of the job.

    Raises SurveyError, and saves nothing, for outcomes the wave does not ask, values outside 1–5, a
    missing segment, a segment the wave does not ask, a wave that is not open or, with
    ``complete``, a missing answer. Holds the member's Respondent row
    lock. Asks for a score recompute after commit when anything changed.
    """
    wave = _wave_to_answer(job, wave)
    outcome_ids = _wave_outcome_ids(job, wave)
    answers = _validated_answers(job, answers, outcome_ids)
    if complete:
        missing = len(outcome_ids - answers.keys())
        if missing:
            raise SurveyError(
                ngettext(
                    "%(count)d outcome still needs an answer before the survey can be submitted.",
                    "%(count)d outcomes still need an answer before the survey can be submitted.",
                    missing,
                )
                % {"count": missing}
            )
    if not answers and segment is None:
        raise SurveyError(_("Nothing to save yet: rate at least one outcome."))
    respondent = _member_respondent_locked(user)
    segment_changed = False
    if segment is not None and segment.pk != respondent.segment_id:
        respondent.segment = segment
        respondent.save(update_fields=["segment"])
        segment_changed = True
    elif answers and respondent.segment_id is None and Segment.objects.exists():
        raise SurveyError(_("Tell us which group describes you best before your answers are saved."))
    wave_segments = set(wave.segments.values_list("pk", flat=True))
    if wave_segments and respondent.segment_id not in wave_segments:
        raise SurveyError(
            _("The survey “%(name)s” asks other groups of customers: nothing was saved.") % {"name": wave.name}
        )

    # Under the respondent lock nobody else writes this member's ratings, so the diff is exact.
    existing = {
        rating.outcome_id: (rating.importance, rating.satisfaction)
        for rating in Rating.objects.filter(respondent=respondent, wave=wave, outcome_id__in=answers.keys())
    }
    to_write = [
        Rating(
            respondent=respondent, wave=wave, outcome_id=outcome_id, importance=importance, satisfaction=satisfaction
        )
        for outcome_id, (importance, satisfaction) in answers.items()
        if existing.get(outcome_id) != (importance, satisfaction)
    ]
    if to_write:
        # An upsert on the unique (respondent, outcome, wave): one statement, and still exactly one
        # rating per outcome and wave should a writer ever skip the lock.
        Rating.objects.bulk_create(
            to_write,
            update_conflicts=True,
            unique_fields=["respondent", "outcome", "wave"],
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
        survey_completed_award(user=user, job=job, wave_id=None if wave.kind == SurveyWave.Kind.ROUND else wave.pk)
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
