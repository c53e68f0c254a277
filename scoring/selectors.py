"""Read queries for the stored opportunity scores (pages never aggregate ratings)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, FloatField, Max, OuterRef, Q, QuerySet, Subquery

from challenges.models import Job, Segment

from .demand import invite_segments
from .models import OutcomeScore, ScoringRun

if TYPE_CHECKING:
    from collections.abc import Iterable

    from challenges.models import Outcome


def scores_for_job(*, job: Job, segment: Segment | None = None) -> QuerySet[OutcomeScore]:
    """The job's outcomes' scores in one segment (None: overall), best opportunity first."""
    scores = OutcomeScore.objects.filter(outcome__job=job).select_related("outcome")
    scores = scores.filter(segment=segment) if segment else scores.filter(segment__isnull=True)
    return scores.order_by("-opportunity", "outcome__code")


def scores_overall_for_outcomes(outcome_ids: Iterable[int]) -> dict[int, OutcomeScore]:
    """{outcome id: overall score} for these outcomes, in one query."""
    return {
        score.outcome_id: score
        for score in OutcomeScore.objects.filter(outcome_id__in=list(outcome_ids), segment__isnull=True)
    }


def scores_last_run() -> ScoringRun | None:
    return ScoringRun.objects.filter(pk=1).first()


def jobs_with_score_summary() -> QuerySet[Job]:
    """Every job with its number of outcomes, of scored outcomes, of underserved ones and its best opportunity.

    Overall scores only; one query.
    """
    overall = Q(outcomes__scores__segment__isnull=True)
    return Job.objects.annotate(
        outcome_total=Count("outcomes", distinct=True),
        scored_total=Count("outcomes__scores", filter=overall),
        underserved_total=Count("outcomes__scores", filter=overall & Q(outcomes__scores__opportunity__gte=10)),
        best_opportunity=Max("outcomes__scores__opportunity", filter=overall),
    ).order_by("name")


# --- Demand against need, and gaps (scoring.demand) ----------------------------------------------


def scores_current() -> QuerySet[OutcomeScore]:
    """The stored scores pages and flags read: one per outcome and segment (and overall).

    Every reader below starts here, so which scores count (the latest survey wave, once scores have
    waves) is decided in one place.
    """
    return OutcomeScore.objects.all()


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
