"""Read queries of the outcome surveys: which jobs have one, a member's progress and answers.

Surveys never show scores: customers see opportunity scores only where staff publish them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from challenges.models import Job, Outcome, Segment

from .models import Rating, Respondent, SurveyWave

OPEN_ROUND = Q(kind=SurveyWave.Kind.ROUND, status=SurveyWave.Status.OPEN)

if TYPE_CHECKING:
    from accounts.models import User


def survey_jobs_for(user: User) -> QuerySet[Job]:
    """Every job with at least one outcome whose survey takes answers, with ``outcome_count`` and the
    member's ``answered_count`` in its open round.

    A job takes answers while it has an open round, or before its first round (the first answer
    opens it); between rounds it is not listed. One query: the member's answers are counted in a
    subquery that starts from their own ratings (the unique (respondent, outcome, wave) index),
    never by joining all ratings of all outcomes.
    """
    answered = (
        Rating.objects.filter(
            respondent__user=user,
            outcome__job=OuterRef("pk"),
            wave__kind=SurveyWave.Kind.ROUND,
            wave__status=SurveyWave.Status.OPEN,
        )
        .order_by()
        .values("outcome__job")
        .annotate(count=Count("id"))
        .values("count")
    )
    return (
        Job.objects.annotate(
            outcome_count=Count("outcomes"),
            answered_count=Coalesce(Subquery(answered, output_field=IntegerField()), Value(0)),
        )
        .filter(outcome_count__gt=0)
        .filter(
            Exists(SurveyWave.objects.filter(OPEN_ROUND, job=OuterRef("pk")))
            | ~Exists(SurveyWave.objects.filter(kind=SurveyWave.Kind.ROUND, job=OuterRef("pk")))
        )
        .order_by("name")
    )


def survey_waves_for(user: User) -> list[SurveyWave]:
    """The open follow-up waves the member may answer (their segment is asked, or every segment is),
    with ``outcome_count`` and the member's ``answered_count``. One query."""
    waves = (
        SurveyWave.objects.filter(kind=SurveyWave.Kind.FOLLOW_UP, status=SurveyWave.Status.OPEN)
        .filter(Q(segments__isnull=True) | Q(segments__respondents__user=user))
        .select_related("job")
        .annotate(
            outcome_count=Count("outcomes", distinct=True),
            answered_count=Count("ratings", filter=Q(ratings__respondent__user=user), distinct=True),
        )
        .order_by("opens_at", "pk")
    )
    return list(waves)


def survey_wave_open(wave_id: int) -> SurveyWave:
    """An open follow-up wave with its job; raises SurveyWave.DoesNotExist otherwise."""
    return SurveyWave.objects.select_related("job").get(
        pk=wave_id, kind=SurveyWave.Kind.FOLLOW_UP, status=SurveyWave.Status.OPEN
    )


def survey_wave_not_open(wave_id: int) -> SurveyWave | None:
    """A follow-up wave that exists but does not take answers now (scheduled or closed), or None:
    what an invitation's link says once the wave has closed, instead of a 404."""
    return (
        SurveyWave.objects.select_related("job")
        .filter(pk=wave_id, kind=SurveyWave.Kind.FOLLOW_UP)
        .exclude(status=SurveyWave.Status.OPEN)
        .first()
    )


def wave_outcomes(wave: SurveyWave) -> list[Outcome]:
    """The outcomes a wave asks: its own list, or every outcome of its job."""
    chosen = list(wave.outcomes.order_by("code"))
    return chosen or list(wave.job.outcomes.order_by("code"))


def wave_asks_member(user: User, wave: SurveyWave) -> bool:
    """Whether the wave takes this member's answers: every segment is asked, or theirs is (or they have
    none yet and will choose one of the asked ones)."""
    asked = set(wave.segments.values_list("pk", flat=True))
    if not asked:
        return True
    segment = member_segment(user)
    return segment is None or segment.pk in asked


def survey_job(job_id: int) -> Job:
    """The job of a survey; raises Job.DoesNotExist when there is none or it has no outcomes."""
    return Job.objects.filter(outcomes__isnull=False).distinct().get(pk=job_id)


def survey_outcomes(job: Job) -> list[Outcome]:
    return list(job.outcomes.order_by("code"))


def member_answers(user: User, job: Job, wave: SurveyWave | None = None) -> dict[int, tuple[int, int]]:
    """{outcome id: (importance, satisfaction)} of the member's saved answers for this job, in ``wave``
    or (None) in the job's open survey round."""
    ratings = Rating.objects.filter(respondent__user=user, outcome__job=job)
    ratings = ratings.filter(wave=wave) if wave is not None else ratings.filter(wave__in=_open_round(job))
    return {
        outcome_id: (importance, satisfaction)
        for outcome_id, importance, satisfaction in ratings.values_list("outcome_id", "importance", "satisfaction")
    }


def _open_round(job: Job) -> QuerySet[SurveyWave]:
    return SurveyWave.objects.filter(OPEN_ROUND, job=job)


def member_segment(user: User) -> Segment | None:
    respondent = Respondent.objects.filter(user=user).select_related("segment").first()
    return respondent.segment if respondent else None


def segments() -> QuerySet[Segment]:
    return Segment.objects.order_by("name")


def segment_question_needed(user: User) -> bool:
    """Whether the survey asks the member's segment: not known yet, and there are segments to choose."""
    return member_segment(user) is None and Segment.objects.exists()
