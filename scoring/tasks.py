"""Celery tasks for scoring: thin wrappers around scoring.services."""

from celery import shared_task
from django.db import OperationalError

from . import hooks
from .services import scores as services


@shared_task
def recompute_opportunity_scores() -> int:
    """Recompute all stored scores (debounced after ratings, and hourly from beat). Returns rows written.

    Then runs the hooks higher apps registered (``scoring.hooks``): ideas asks for its rankings to
    be refreshed, as an idea's opportunity rank is the best score among its outcomes.
    """
    services.recompute_flag_clear()
    rows = services.scores_recompute().scores
    # The recompute has committed (it is atomic on its own), so the scores are there to read.
    hooks.scores_recomputed()
    return rows


@shared_task(
    acks_late=True, autoretry_for=(OperationalError,), max_retries=3, retry_backoff=True, retry_backoff_max=120
)
def run_ratings_import_job(job_id: int) -> str | None:
    """Import a stored survey file (an upload too large for the request); safe to run twice."""
    from .services.import_jobs import ratings_import_job_run

    job = ratings_import_job_run(job_id=job_id)
    return job.status if job is not None else None


@shared_task
def requeue_import_jobs() -> int:
    """Beat: queue again the survey imports a worker dropped (killed, or the broker was down)."""
    from .services.import_jobs import import_jobs_requeue

    return import_jobs_requeue()
