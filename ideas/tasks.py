"""Celery tasks for ideas: thin wrappers that load by id and call a service."""

from celery import shared_task
from django.db import OperationalError

from core.email import EMAIL_TASK_OPTIONS

from .services import ranking


# Ranking: a deadlock or a lost connection is transient; anything else is a bug, not retried.
@shared_task(
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=True,
    retry_backoff_max=60,
    retry_jitter=True,
)
def refresh_idea_ranks(idea_ids: list[int]) -> int:
    """Recompute these ideas' ranking values; safe to run twice (it overwrites). Returns ideas updated.

    Clears the ideas' debounce flags first, so a vote cast while this runs asks for another refresh.
    Ideas deleted meanwhile are skipped quietly.
    """
    ranking.ranks_pending_clear(idea_ids)
    return ranking.idea_ranks_refresh(idea_ids=idea_ids)


@shared_task
def refresh_all_idea_ranks() -> int:
    """Fan out over every idea: one small refresh task per batch of ids (hourly from beat, as trending
    decays without votes, and after opportunity scores are recomputed). Returns the tasks queued."""
    queued = 0
    for batch in ranking.idea_id_batches():
        refresh_idea_ranks.delay(batch)
        queued += 1
    return queued


def refresh_all_idea_ranks_after_scores() -> None:
    """Registered with ``scoring.hooks`` (IdeasConfig.ready): new opportunity scores, new ranks."""
    refresh_all_idea_ranks.delay()


@shared_task(**EMAIL_TASK_OPTIONS)
def send_coauthor_invitation(coauthor_id: int) -> bool:
    """Email an invitation to co-author to an address without a member; safe to run twice (see the service)."""
    from .services.coauthors import coauthor_invitation_send

    return coauthor_invitation_send(coauthor_id=coauthor_id)
