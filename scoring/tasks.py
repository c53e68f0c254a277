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


@shared_task
def open_and_close_due_waves() -> int:
    """Beat: queue the opening of each scheduled wave whose date came, and the closing of each open
    wave whose closing date came, one task per wave. Returns how many were queued."""
    from .services.waves import waves_close_due, waves_open_due

    opening, closing = waves_open_due(), waves_close_due()
    for wave_id in opening:
        open_wave.delay(wave_id)
    for wave_id in closing:
        close_wave.delay(wave_id)
    return len(opening) + len(closing)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), max_retries=3, retry_backoff=True)
def open_wave(wave_id: int) -> bool:
    """Open one wave (its row lock makes a second run, or a second worker, change nothing)."""
    from .services.waves import wave_open

    return wave_open(wave_id=wave_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), max_retries=3, retry_backoff=True)
def close_wave(wave_id: int) -> bool:
    """Close one wave whose date came (its row lock makes a second run change nothing)."""
    from .services.waves import wave_close

    return wave_close(wave_id=wave_id)
