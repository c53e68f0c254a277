"""Opportunity scores: computed in one aggregation, stored, recomputed once after a burst of ratings."""

import time
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from .. import formulas
from ..models import OutcomeScore, Rating, ScoringRun

RECOMPUTE_PENDING_KEY = "scoring:recompute-pending"


def _aggregate_ratings_queryset():
    """One GROUP BY over all ratings: per outcome and respondent segment, three counts."""
    return (
        Rating.objects.values("outcome_id", "respondent__segment_id")
        .annotate(
            respondents=Count("id"),
            important=Count("id", filter=Q(importance__gte=4)),
            satisfied=Count("id", filter=Q(satisfaction__gte=4)),
        )
        .order_by()
    )


def _score_row(outcome_id: int, segment_id: int | None, counts: list[int], computed_at) -> OutcomeScore:
    respondents, important, satisfied = counts
    result = formulas.score(respondents=respondents, important=important, satisfied=satisfied)
    return OutcomeScore(
        outcome_id=outcome_id,
        segment_id=segment_id,
        respondents=respondents,
        important_count=important,
        satisfied_count=satisfied,
        importance=result.importance,
        satisfaction=result.satisfaction,
        opportunity=result.opportunity,
        importance_low=result.importance_low,
        importance_high=result.importance_high,
        satisfaction_low=result.satisfaction_low,
        satisfaction_high=result.satisfaction_high,
        classification=result.classification,
        computed_at=computed_at,
    )


@transaction.atomic
def scores_recompute() -> ScoringRun:
    """Recompute every outcome's scores, per segment and overall, from the current ratings.

    Holds the ScoringRun row lock, so two recomputes never interleave; readers keep seeing the
    previous scores until this transaction commits. Safe to run twice: it overwrites.
    """
    started = time.perf_counter()
    run, _ = ScoringRun.objects.select_for_update().get_or_create(pk=1)
    computed_at = timezone.now()
    per_segment: dict[tuple[int, int | None], list[int]] = {}
    overall: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for group in _aggregate_ratings_queryset():
        counts = [group["respondents"], group["important"], group["satisfied"]]
        per_segment[(group["outcome_id"], group["respondent__segment_id"])] = counts
        # Overall is the sum over segments, including respondents with no segment.
        totals = overall[group["outcome_id"]]
        for index, value in enumerate(counts):
            totals[index] += value
    rows = [_score_row(outcome_id, None, counts, computed_at) for outcome_id, counts in overall.items()]
    rows += [
        _score_row(outcome_id, segment_id, counts, computed_at)
        for (outcome_id, segment_id), counts in per_segment.items()
        if segment_id is not None
    ]
    OutcomeScore.objects.all().delete()
    OutcomeScore.objects.bulk_create(rows, batch_size=1000)
    run.computed_at = computed_at
    run.ratings = sum(counts[0] for counts in overall.values())
    run.scores = len(rows)
    run.duration_ms = round(1000 * (time.perf_counter() - started))
    run.save()
    return run


def scores_recompute_soon() -> None:
    """Ask for one recompute shortly after the current transaction commits.

    Debounced: the first call in a quiet period sets a flag (an atomic add in the shared cache)
    and queues the task with a countdown; further calls before the task starts see the flag and
    queue nothing. The task clears the flag before it reads the ratings, so a rating saved while
    it runs asks for the next recompute.
    """

    def queue():
        from ..tasks import recompute_opportunity_scores

        delay = settings.SCORING_DEBOUNCE_SECONDS
        # The cache fails open (core/cache.py): with Redis down, add() says "first" and every
        # call queues, which is more work, never a lost recompute. A broker that is down is logged;
        # beat's hourly recompute catches up.
        first = cache.add(RECOMPUTE_PENDING_KEY, timezone.now().isoformat(), timeout=delay + 300)
        if first and recompute_opportunity_scores.apply_async_quietly(countdown=delay) is None:
            cache.delete(RECOMPUTE_PENDING_KEY)  # nothing is queued: let the next rating try again

    transaction.on_commit(queue)


def recompute_flag_clear() -> None:
    cache.delete(RECOMPUTE_PENDING_KEY)
