"""Read queries for the stored opportunity scores (pages never aggregate ratings)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Max, Q, QuerySet

from challenges.models import Job, Segment

from .models import OutcomeScore, ScoringRun

if TYPE_CHECKING:
    from collections.abc import Iterable


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
