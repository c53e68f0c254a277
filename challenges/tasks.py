"""Celery tasks for challenges: thin wrappers that load by id and call a service."""

import datetime

from celery import shared_task
from django.utils import timezone

from core.email import EMAIL_TASK_OPTIONS

from . import notifications, selectors, services


@shared_task
def advance_challenge_phases() -> int:
    """Every 15 minutes from beat: queue one small task per challenge whose dates passed. Returns how many.

    Fans out so one challenge's failure or lock wait never holds up the others; the per-challenge
    task rechecks the dates under the row lock, so a challenge queued twice moves once.
    """
    ids = selectors.challenge_ids_phase_due(today=timezone.localdate())
    for challenge_id in ids:
        advance_challenge_phase.delay_on_commit(challenge_id)
    return len(ids)


@shared_task
def advance_challenge_phase(challenge_id: int, today: str | None = None) -> str | None:
    """Move one challenge to the phase its dates reached; safe to run twice. Returns the new phase, if any.

    ``today`` (ISO date) is for tests; by default the day the task runs, which only ever moves a
    challenge further than the day it was queued.
    """
    day = datetime.date.fromisoformat(today) if today else None
    change = services.challenge_phase_advance(challenge_id=challenge_id, today=day)
    return change.to_phase if change else None


@shared_task(**EMAIL_TASK_OPTIONS)
def send_challenge_invitation(invitation_id: int) -> bool:
    """Email an invitation its link; safe to run twice (see the service)."""
    return notifications.challenge_invitation_send(invitation_id=invitation_id)
