"""Survey waves: the dated rounds of a job's survey, and the follow-up waves that measure an idea.

A wave is *scheduled*, then *open* (answers are saved into it), then *closed* (its scores stay as
they were). Opening and closing happen under the wave's row lock and only from the state before,
so a wave opens once and closes once even when two workers (or a worker and a member of staff) try
at the same moment; the hooks higher apps registered (``scoring.hooks``) run then, once.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError

from .. import hooks
from ..models import SurveyWave
from .scores import scores_recompute_soon

if TYPE_CHECKING:
    from collections.abc import Iterable

    from challenges.models import Job, Outcome, Segment

ROUND = SurveyWave.Kind.ROUND
OPEN = SurveyWave.Status.OPEN
SCHEDULED = SurveyWave.Status.SCHEDULED
CLOSED = SurveyWave.Status.CLOSED


class WaveError(DomainError):
    """A wave that cannot be created, opened or closed as asked; the message says why."""


def wave_current_for_job(*, job: Job) -> SurveyWave:
    """The job's open survey round: where its survey page saves answers.

    A job that never had a round gets its first one now ("Wave 1", open from now). A job whose
    rounds are all closed or scheduled has no current wave: raises WaveError, whose message tells
    the member the survey is between rounds.
    """
    # One statement reads every round, so a first wave committed by a concurrent first answer is
    # seen either as open (and answered into) or not at all (and the create below meets it).
    # A job has a handful of rounds.
    rounds = list(SurveyWave.objects.filter(job=job, kind=ROUND))
    wave = next((each for each in rounds if each.status == OPEN), None)
    if wave is not None:
        return wave
    if rounds:
        raise WaveError(_("The survey about “%(job)s” is closed until its next round opens.") % {"job": job.name})
    now = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: two first answers at once create one wave
            return SurveyWave.objects.create(
                job=job, name="Wave 1", kind=ROUND, status=OPEN, opens_at=now, opened_at=now
            )
    except IntegrityError:
        return SurveyWave.objects.get(job=job, kind=ROUND, status=OPEN)


@transaction.atomic
def wave_schedule(
    *,
    job: Job,
    name: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime | None = None,
    kind: str = ROUND,
    outcomes: Iterable[Outcome] = (),
    segments: Iterable[Segment] = (),
    min_respondents: int | None = None,
) -> SurveyWave:
    """Create a wave that opens at ``opens_at`` (beat opens it: ``waves_open_due``).

    ``outcomes`` (of the job; empty: all of them) are what it asks, ``segments`` (empty: everyone)
    who may answer. Raises WaveError, creating nothing, for an outcome of another job, a closing
    before the opening, or a blank name.
    """
    outcomes, segments = list(outcomes), list(segments)
    if not name.strip():
        raise WaveError(_("Give the wave a name respondents will recognise, e.g. “Spring 2026”."))
    if any(outcome.job_id != job.pk for outcome in outcomes):
        raise WaveError(_("Every outcome of a wave belongs to its job, “%(job)s”.") % {"job": job.name})
    if closes_at is not None and closes_at <= opens_at:
        raise WaveError(_("The wave must close after it opens."))
    wave = SurveyWave.objects.create(
        job=job,
        name=name.strip(),
        kind=kind,
        status=SCHEDULED,
        opens_at=opens_at,
        closes_at=closes_at,
        min_respondents=min_respondents or settings.SCORING_MIN_RESPONDENTS,
    )
    wave.outcomes.set(outcomes)
    wave.segments.set(segments)
    return wave


def _locked(wave_id: int) -> SurveyWave | None:
    return SurveyWave.objects.select_for_update(of=("self",)).select_related("job").filter(pk=wave_id).first()


def _close_unlocked(wave: SurveyWave, now: datetime.datetime) -> None:
    wave.status = CLOSED
    wave.closed_at = now
    wave.save(update_fields=["status", "closed_at"])
    hooks.wave_closed_unlocked(wave)


@transaction.atomic
def wave_open(*, wave_id: int, now: datetime.datetime | None = None) -> bool:
    """Open a scheduled wave; whether this call opened it (False: gone, already open or closed).

    Holds the wave's row lock (and, for a round, the lock of the round it replaces, which closes:
    a job has one open round). Runs the opened hooks once, in this transaction.
    """
    now = now or timezone.now()
    wave = _locked(wave_id)
    if wave is None or wave.status != SCHEDULED:
        return False
    if wave.kind == ROUND:
        previous = SurveyWave.objects.filter(job_id=wave.job_id, kind=ROUND, status=OPEN).values_list("pk", flat=True)
        for previous_id in previous:
            earlier = _locked(previous_id)
            if earlier is not None and earlier.status == OPEN:
                _close_unlocked(earlier, now)
    wave.status = OPEN
    wave.opened_at = now
    wave.save(update_fields=["status", "opened_at"])
    hooks.wave_opened_unlocked(wave)
    return True


@transaction.atomic
def wave_close(*, wave_id: int, now: datetime.datetime | None = None) -> bool:
    """Close an open wave (its date came, or staff closed it); whether this call closed it.

    Holds the wave's row lock; runs the closed hooks once, in this transaction (impact computes a
    follow-up's result there). Asks for a scores recompute so the wave's stored scores are final.
    """
    now = now or timezone.now()
    wave = _locked(wave_id)
    if wave is None or wave.status != OPEN:
        return False
    _close_unlocked(wave, now)
    scores_recompute_soon()
    return True


def waves_open_due(*, now: datetime.datetime | None = None) -> list[int]:
    """The scheduled waves whose opening time has come (beat queues one opening per id)."""
    now = now or timezone.now()
    return list(SurveyWave.objects.filter(status=SCHEDULED, opens_at__lte=now).values_list("pk", flat=True))


def waves_close_due(*, now: datetime.datetime | None = None) -> list[int]:
    """The open waves whose closing time has come (beat queues one closing per id)."""
    now = now or timezone.now()
    return list(
        SurveyWave.objects.filter(status=OPEN, closes_at__isnull=False, closes_at__lte=now).values_list("pk", flat=True)
    )
