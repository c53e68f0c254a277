"""Opportunity scores: computed in one aggregation, stored, recomputed once after a burst of ratings."""

import csv
import io
import time
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from .. import formulas
from ..models import OutcomeScore, Rating, ScoringRun, SurveyWave

RECOMPUTE_PENDING_KEY = "scoring:recompute-pending"


def _aggregate_ratings_queryset():
    """One GROUP BY over all ratings: per wave, outcome and respondent segment, three counts."""
    return (
        Rating.objects.values("wave_id", "outcome_id", "respondent__segment_id")
        .annotate(
            respondents=Count("id"),
            important=Count("id", filter=Q(importance__gte=4)),
            satisfied=Count("id", filter=Q(satisfaction__gte=4)),
        )
        .order_by()
    )


def _score_row(
    wave_id: int, outcome_id: int, segment_id: int | None, counts: list[int], computed_at, current: bool
) -> dict:
    """The stored score of one (wave, outcome, segment) from its three counts, as field values."""
    respondents, important, satisfied = counts
    result = formulas.score(respondents=respondents, important=important, satisfied=satisfied)
    return {
        "wave_id": wave_id,
        "current": current,
        "outcome_id": outcome_id,
        "segment_id": segment_id,
        "respondents": respondents,
        "important_count": important,
        "satisfied_count": satisfied,
        "importance": result.importance,
        "satisfaction": result.satisfaction,
        "opportunity": result.opportunity,
        "importance_low": result.importance_low,
        "importance_high": result.importance_high,
        "satisfaction_low": result.satisfaction_low,
        "satisfaction_high": result.satisfaction_high,
        "classification": result.classification,
        "computed_at": computed_at,
    }


def _current_waves(wave_ids: set[int]) -> set[int]:
    """Of these waves (those with ratings), each job's latest survey round: its scores are current.

    Follow-up waves are never current: they ask a few outcomes of a few segments, to measure one
    idea, and must not stand in for the job's survey on the landscape or in the rankings.
    """
    latest: dict[int, tuple] = {}
    rounds = SurveyWave.objects.filter(pk__in=wave_ids, kind=SurveyWave.Kind.ROUND).values_list(
        "pk", "job_id", "opened_at", "opens_at"
    )
    for wave_id, job_id, opened_at, opens_at in rounds:
        # When it actually opened; a wave never opened (a past survey imported into it) by its date.
        key = (opened_at or opens_at, wave_id)
        if job_id not in latest or key > latest[job_id]:
            latest[job_id] = key
    return {wave_id for _, wave_id in latest.values()}


def _scores_write(rows: list[dict]) -> None:
    """Insert the score rows: on PostgreSQL with one COPY (an INSERT of a thousand rows, returning
    their ids, took most of the time the recompute adds to its aggregation), elsewhere in bulk."""
    if connection.vendor != "postgresql" or not rows:
        OutcomeScore.objects.bulk_create([OutcomeScore(**row) for row in rows], batch_size=1000)
        return
    names = list(rows[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    # COPY's csv format: an empty field is NULL; booleans and timestamps in PostgreSQL's own text.
    writer.writerows(
        [
            "" if value is None else ("t" if value is True else "f" if value is False else value)
            for value in row.values()
        ]
        for row in rows
    )
    # The rows' keys are the model's attnames, which are its columns (no field sets db_column).
    columns = ", ".join(connection.ops.quote_name(name) for name in names)
    table = connection.ops.quote_name(OutcomeScore._meta.db_table)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", buffer)


@transaction.atomic
def scores_recompute() -> ScoringRun:
    """Recompute every outcome's scores in every wave, per segment and overall, from the ratings.

    One aggregation over all ratings (grouped by wave, outcome and segment) and one small query of
    the waves it found. Holds the ScoringRun row lock, so two recomputes never interleave; readers
    keep seeing the previous scores until this transaction commits. Safe to run twice: it overwrites.
    """
    started = time.perf_counter()
    run, _ = ScoringRun.objects.select_for_update().get_or_create(pk=1)
    computed_at = timezone.now()
    per_segment: dict[tuple[int, int, int | None], list[int]] = {}
    overall: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for group in _aggregate_ratings_queryset():
        counts = [group["respondents"], group["important"], group["satisfied"]]
        per_segment[(group["wave_id"], group["outcome_id"], group["respondent__segment_id"])] = counts
        # Overall is the sum over segments, including respondents with no segment.
        totals = overall[(group["wave_id"], group["outcome_id"])]
        for index, value in enumerate(counts):
            totals[index] += value
    current = _current_waves({wave_id for wave_id, _ in overall})
    rows = [
        _score_row(wave_id, outcome_id, None, counts, computed_at, wave_id in current)
        for (wave_id, outcome_id), counts in overall.items()
    ]
    rows += [
        _score_row(wave_id, outcome_id, segment_id, counts, computed_at, wave_id in current)
        for (wave_id, outcome_id, segment_id), counts in per_segment.items()
        if segment_id is not None
    ]
    OutcomeScore.objects.all().delete()
    _scores_write(rows)
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
