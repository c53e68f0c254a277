"""Read queries for the stored opportunity scores (pages never aggregate ratings)."""

from django.db.models import QuerySet

from challenges.models import Job, Segment

from .models import OutcomeScore, ScoringRun


def scores_for_job(*, job: Job, segment: Segment | None = None) -> QuerySet[OutcomeScore]:
    """The job's outcomes' scores in one segment (None: overall), best opportunity first."""
    scores = OutcomeScore.objects.filter(outcome__job=job).select_related("outcome")
    scores = scores.filter(segment=segment) if segment else scores.filter(segment__isnull=True)
    return scores.order_by("-opportunity", "outcome__code")


def scores_overall_for_outcomes(outcome_ids) -> dict[int, OutcomeScore]:
    """{outcome id: overall score} for these outcomes, in one query."""
    return {
        score.outcome_id: score
        for score in OutcomeScore.objects.filter(outcome_id__in=list(outcome_ids), segment__isnull=True)
    }


def scores_last_run() -> ScoringRun | None:
    return ScoringRun.objects.filter(pk=1).first()
