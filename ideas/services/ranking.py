"""The precomputed ranking values of ideas: refreshed in SQL by a Celery task, never in the request.

- ``rank_top``: the lower bound of the 95% Wilson interval of the share of up votes, so that
  3 up votes of 3 (0.44) rank below 95 of 100 (0.89); 0 without votes;
- ``rank_trending``: the votes cast or changed in the last ``TRENDING_DAYS`` days;
- ``rank_opportunity``: the highest overall opportunity score (0–20) among the outcomes the idea
  addresses; 0 when none is scored.
"""

import datetime
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, FloatField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Greatest, NullIf, Sqrt
from django.utils import timezone

from scoring.formulas import Z_95
from scoring.selectors import scores_current

from ..models import Idea, Vote

__all__ = ["idea_ranks_refresh", "ranks_refresh_soon"]

TRENDING_DAYS = 7
# Ideas per UPDATE statement, and per task of a fan-out.
BATCH_SIZE = 1000
RANKS_PENDING_KEY = "ideas:ranks-pending:{}"


def _wilson_lower_bound_expression():
    """The Wilson lower bound of votes_up / (votes_up + votes_down), in SQL, read from the row itself.

    scoring.formulas.wilson_interval multiplied through by n = up + down:
        (up + z²/2 − z·√(up·down/n + z²/4)) / (n + z²)
    NULLIF turns n = 0 into NULL, which COALESCE turns into 0: no votes, no confidence.
    """
    z = Z_95
    up = Cast("votes_up", FloatField())
    down = Cast("votes_down", FloatField())
    total = NullIf(up + down, Value(0.0))
    lower = (up + Value(z * z / 2) - Value(z) * Sqrt(up * down / total + Value(z * z / 4))) / (total + Value(z * z))
    return Coalesce(Greatest(Value(0.0), lower, output_field=FloatField()), Value(0.0), output_field=FloatField())


def _trending_expression(since: datetime.datetime):
    votes = (
        Vote.objects.filter(idea_id=OuterRef("pk"), updated_at__gte=since)
        .order_by()
        .values("idea_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(votes), Value(0))


def _opportunity_expression():
    best = (
        scores_current()
        .filter(segment__isnull=True, outcome__ideas=OuterRef("pk"))
        .order_by("-opportunity")
        .values("opportunity")[:1]
    )
    return Coalesce(Subquery(best), Value(0.0), output_field=FloatField())


def idea_ranks_refresh(*, idea_ids: Iterable[int]) -> int:
    """Recompute the ranking values of these ideas from the current rows; returns the ideas updated.

    One UPDATE per batch of BATCH_SIZE ideas, its values computed by the database (the vote
    counters of the row, a count of recent votes, the best overall score of its outcomes).
    Each batch first takes the ideas' row locks in id order (SELECT … FOR UPDATE ORDER BY id), so
    two refreshes of overlapping batches wait for each other instead of deadlocking; a vote holds
    one idea's lock at a time and never waits for a refresh. Safe to run twice: it overwrites.
    """
    ids = sorted(set(idea_ids))
    updated = 0
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        now = timezone.now()
        with transaction.atomic():
            locked = list(Idea.objects.select_for_update().filter(pk__in=batch).order_by("pk").values_list("pk"))
            if not locked:
                continue
            updated += Idea.objects.filter(pk__in=batch).update(
                rank_top=_wilson_lower_bound_expression(),
                rank_trending=_trending_expression(now - datetime.timedelta(days=TRENDING_DAYS)),
                rank_opportunity=_opportunity_expression(),
                ranked_at=now,
            )
    return updated


def idea_id_batches(*, batch_size: int | None = None) -> Iterator[list[int]]:
    """Every idea's id, in batches: what a periodic refresh fans out over."""
    batch_size = batch_size or BATCH_SIZE
    ids = Idea.objects.order_by("pk").values_list("pk", flat=True)
    batch: list[int] = []
    for idea_id in ids.iterator(chunk_size=batch_size):
        batch.append(idea_id)
        if len(batch) == batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _debounce_seconds() -> int:
    return getattr(settings, "RANKING_DEBOUNCE_SECONDS", 5)


def ranks_refresh_soon(idea_id: int) -> None:
    """Ask for one refresh of this idea's ranking values shortly after the current transaction commits.

    Debounced per idea, as scoring's scores_recompute_soon: the first call in a quiet period sets
    a flag (an atomic add in the shared cache) and queues the task with a countdown; a burst of
    votes on the idea before the task starts queues nothing more. The task clears the flag before
    it reads the votes, so a vote cast while it runs asks for the next refresh.
    """

    def queue():
        from ..tasks import refresh_idea_ranks

        delay = _debounce_seconds()
        # Fails open like scores_recompute_soon: Redis down, every vote queues its refresh; the
        # broker down, it is logged and beat's hourly refresh catches up. Never raises: the vote
        # has committed.
        key = RANKS_PENDING_KEY.format(idea_id)
        first = cache.add(key, timezone.now().isoformat(), timeout=delay + 300)
        if first and refresh_idea_ranks.apply_async_quietly(args=[[idea_id]], countdown=delay) is None:
            cache.delete(key)  # nothing is queued: let the next vote try again

    transaction.on_commit(queue)


def ranks_pending_clear(idea_ids: Iterable[int]) -> None:
    cache.delete_many([RANKS_PENDING_KEY.format(idea_id) for idea_id in idea_ids])
