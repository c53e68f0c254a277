"""Read queries for the stored opportunity scores (pages never aggregate ratings) and survey waves.

Every score selector takes an optional ``wave``: without one it reads the *current* scores, those of
each job's latest survey round with answers (``OutcomeScore.current``), so callers written before
waves existed read what they read before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Exists, FloatField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from challenges.models import Job, Segment

from .demand import invite_segments
from .models import OutcomeScore, Rating, ScoringRun, SurveyWave

if TYPE_CHECKING:
    from collections.abc import Iterable

    from challenges.models import Outcome


def scores_current() -> QuerySet[OutcomeScore]:
    """The stored scores pages, flags, rankings and the API read: one per outcome and segment (and
    overall), from each job's latest survey round with answers (``OutcomeScore.current``).

    Every reader of "the scores" starts here (or at ``scores_in``), so which scores count is decided
    in one place.
    """
    return OutcomeScore.objects.filter(current=True)


def scores_in(wave: SurveyWave | None) -> QuerySet[OutcomeScore]:
    """The scores of ``wave``, or (None) the current ones (``scores_current``)."""
    return OutcomeScore.objects.filter(wave=wave) if wave is not None else scores_current()


def scores_for_job(
    *, job: Job, segment: Segment | None = None, wave: SurveyWave | None = None
) -> QuerySet[OutcomeScore]:
    """The job's outcomes' scores in one segment (None: overall), best opportunity first.

    In ``wave``, or (None) the current scores: the job's latest survey round with answers.
    """
    scores = scores_in(wave).filter(outcome__job=job).select_related("outcome")
    scores = scores.filter(segment=segment) if segment else scores.filter(segment__isnull=True)
    return scores.order_by("-opportunity", "outcome__code")


def scores_overall_for_outcomes(outcome_ids: Iterable[int], wave: SurveyWave | None = None) -> dict[int, OutcomeScore]:
    """{outcome id: overall score} for these outcomes, in one query (current scores unless ``wave``)."""
    scores = scores_in(wave).filter(outcome_id__in=list(outcome_ids), segment__isnull=True)
    return {score.outcome_id: score for score in scores}


def scores_last_run() -> ScoringRun | None:
    return ScoringRun.objects.filter(pk=1).first()


def jobs_with_score_summary() -> QuerySet[Job]:
    """Every job with its number of outcomes, of scored outcomes, of underserved ones and its best opportunity.

    Overall current scores only (each job's latest survey round); one query.
    """
    overall = Q(outcomes__scores__segment__isnull=True, outcomes__scores__current=True)
    return Job.objects.annotate(
        outcome_total=Count("outcomes", distinct=True),
        # distinct: the join to the waves repeats each score once per wave of the job.
        scored_total=Count("outcomes__scores", filter=overall, distinct=True),
        underserved_total=Count(
            "outcomes__scores", filter=overall & Q(outcomes__scores__opportunity__gte=10), distinct=True
        ),
        best_opportunity=Max("outcomes__scores__opportunity", filter=overall),
        wave_total=Count("waves", distinct=True),
    ).order_by("name")


# --- waves ---------------------------------------------------------------------------------------


def waves_for_job(job: Job) -> list[SurveyWave]:
    """The job's waves that have opened (or hold imported answers), oldest first. One query over the
    stored scores (never the ratings): ``respondent_total`` is the most respondents any outcome has
    in the wave overall, ``is_current`` whether its scores are the job's current ones."""
    overall = Q(scores__segment__isnull=True)
    waves = (
        SurveyWave.objects.filter(job=job)
        .annotate(
            respondent_total=Coalesce(Max("scores__respondents", filter=overall), 0),
            current_total=Count("scores", filter=overall & Q(scores__current=True)),
        )
        .filter(~Q(status=SurveyWave.Status.SCHEDULED) | Q(respondent_total__gt=0))
        .order_by(Coalesce("opened_at", "opens_at"), "pk")
    )
    return list(waves)


def wave_current_scored(job: Job) -> SurveyWave | None:
    """The wave the current scores of the job come from (its latest survey round with answers)."""
    return SurveyWave.objects.filter(scores__current=True, job=job).distinct().first()


def wave_latest_answered_round(job: Job) -> SurveyWave | None:
    """The job's latest survey round that has answers (by when it opened), read from the ratings:
    what a follow-up compares with. One query."""
    answered = Rating.objects.filter(wave=OuterRef("pk"))
    return (
        SurveyWave.objects.filter(job=job, kind=SurveyWave.Kind.ROUND)
        .filter(Exists(answered))
        .order_by(Coalesce("opened_at", "opens_at").desc(), "-pk")
        .first()
    )


def wave_counts(
    *, wave_ids: Iterable[int], outcome_ids: Iterable[int], segment_ids: Iterable[int] = ()
) -> dict[tuple[int, int], tuple[int, int, int]]:
    """{(wave id, outcome id): (respondents, important, satisfied)} straight from the ratings.

    Respondents in ``segment_ids`` only (empty: everyone). One GROUP BY; a (wave, outcome) nobody
    rated is absent. Read from the ratings, not the stored scores, so a follow-up's result never
    waits for the debounced recompute.
    """
    ratings = Rating.objects.filter(wave_id__in=list(wave_ids), outcome_id__in=list(outcome_ids))
    segment_ids = list(segment_ids)
    if segment_ids:
        ratings = ratings.filter(respondent__segment_id__in=segment_ids)
    groups = (
        ratings.values("wave_id", "outcome_id")
        .annotate(
            respondents=Count("id"),
            important=Count("id", filter=Q(importance__gte=4)),
            satisfied=Count("id", filter=Q(satisfaction__gte=4)),
        )
        .order_by()
    )
    return {
        (group["wave_id"], group["outcome_id"]): (group["respondents"], group["important"], group["satisfied"])
        for group in groups
    }


def wave_respondent_count(*, wave: SurveyWave, outcome_ids: Iterable[int] = ()) -> int:
    """How many respondents answered in the wave (about any of ``outcome_ids``, when given)."""
    ratings = Rating.objects.filter(wave=wave)
    outcome_ids = list(outcome_ids)
    if outcome_ids:
        ratings = ratings.filter(outcome_id__in=outcome_ids)
    return ratings.values("respondent_id").distinct().count()


# --- Demand against need, and gaps (scoring.demand) ----------------------------------------------


def scores_reliable() -> QuerySet[OutcomeScore]:
    """Current scores from enough respondents to decide on (``settings.SCORING_MIN_RESPONDENTS``)."""
    return scores_current().filter(respondents__gte=settings.SCORING_MIN_RESPONDENTS)


def opportunity_of_outcome(outcome_id: OuterRef) -> Subquery:
    """The outcome's reliable overall opportunity, as a subquery on ``outcome_id`` of the outer query
    (NULL if it has none): one probe of the overall score's unique index."""
    score = scores_reliable().filter(segment__isnull=True, outcome_id=outcome_id).order_by().values("opportunity")[:1]
    return Subquery(score, output_field=FloatField())


def scores_by_outcome_and_segment(outcome_ids: Iterable[int]) -> dict[tuple[int, int | None], OutcomeScore]:
    """{(outcome id, segment id or None for overall): score} for these outcomes, with the segments (one query)."""
    return {
        (score.outcome_id, score.segment_id): score
        for score in scores_current().filter(outcome_id__in=list(outcome_ids)).select_related("segment")
    }


def segments_most_underserved(outcome: Outcome) -> list[OutcomeScore]:
    """The segments to invite from for this outcome (``scoring.demand.invite_segments``): its reliable
    segment scores that are underserved, the most underserved first, with their segments (one query)."""
    scores = scores_current().filter(outcome=outcome, segment__isnull=False).select_related("segment")
    return invite_segments(scores, min_respondents=settings.SCORING_MIN_RESPONDENTS)
