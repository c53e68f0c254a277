"""Celery tasks for scoring: thin wrappers around scoring.services."""

from celery import shared_task

from .services import scores as services


@shared_task
def recompute_opportunity_scores() -> int:
    """Recompute all stored scores (debounced after ratings, and hourly from beat). Returns rows written."""
    services.recompute_flag_clear()
    return services.scores_recompute().scores
