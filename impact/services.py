"""Every write of impact: schedule a follow-up, invite its respondents, close it, compute its result.

The follow-up's wave is a scoring wave: scoring opens and closes it (beat, or staff) under its row
lock and calls the hooks impact registered (``ImpactConfig.ready``), so each step runs once per
wave. The result is computed from the ratings when the wave closes, under the follow-up's row lock,
and only while the follow-up is pending: a second close, a retried task, a second worker change
nothing, award nothing and notify nobody again.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.funnel import Status
from reputation.services import improvement_measured_award
from scoring import formulas
from scoring.models import SurveyWave
from scoring.selectors import wave_counts, wave_latest_answered_round
from scoring.services.waves import WaveError, wave_close, wave_open, wave_schedule

from . import notification_kinds
from .models import FollowUp, OutcomeResult, Verdict

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accounts.models import User
    from challenges.models import Outcome, Segment
    from ideas.models import Idea

# A change of the satisfied share is called significant below this two-sided p-value.
SIGNIFICANCE_LEVEL = 0.05
MAX_DELAY_DAYS = 730
MAX_OPEN_DAYS = 365


class FollowUpError(DomainError):
    """A follow-up that cannot be scheduled or closed as asked; the message says why."""


@transaction.atomic
def follow_up_schedule(
    *,
    idea: Idea,
    user: User,
    outcomes: Iterable[Outcome],
    segments: Iterable[Segment] = (),
    delay_days: int,
    open_days: int,
    min_respondents: int | None = None,
    now: datetime.datetime | None = None,
) -> FollowUp:
    """Schedule the follow-up wave of an implemented idea: ``delay_days`` from now, open ``open_days``.

    ``outcomes`` are outcomes the idea addresses, all of one job; ``segments`` the segments
    concerned (empty: every respondent). The answers will be compared with the job's latest survey
    round with answers. A delay of 0 opens the wave at once (its members
    are invited in this transaction). Raises FollowUpError, scheduling nothing, for an idea that is
    not implemented or already has a follow-up under way, outcomes it does not address or of two
    jobs, delays out of range, or a job nobody has answered the survey of yet.
    """
    now = now or timezone.now()
    outcomes = list(outcomes)
    if idea.status != Status.IMPLEMENTED:
        raise FollowUpError(_("Only an implemented idea can be measured: there is nothing to follow up yet."))
    if not outcomes:
        raise FollowUpError(_("Choose at least one outcome the idea addressed."))
    addressed = set(idea.outcomes.values_list("pk", flat=True))
    if any(outcome.pk not in addressed for outcome in outcomes):
        raise FollowUpError(_("A follow-up asks only about outcomes the idea addressed."))
    jobs = {outcome.job_id for outcome in outcomes}
    if len(jobs) > 1:
        raise FollowUpError(
            _("A follow-up wave asks about one job: choose outcomes of one job (schedule another for the rest).")
        )
    if not 0 <= delay_days <= MAX_DELAY_DAYS:
        raise FollowUpError(_("The delay is from 0 to %(max)d days.") % {"max": MAX_DELAY_DAYS})
    if not 1 <= open_days <= MAX_OPEN_DAYS:
        raise FollowUpError(_("The wave stays open from 1 to %(max)d days.") % {"max": MAX_OPEN_DAYS})
    if min_respondents is not None and min_respondents < 1:
        raise FollowUpError(_("The minimum number of respondents is at least 1."))
    job = outcomes[0].job
    baseline = wave_latest_answered_round(job)
    if baseline is None:
        raise FollowUpError(
            _("Nobody has answered the survey about “%(job)s” yet: there is nothing to compare with.")
            % {"job": job.name}
        )
    opens_at = now + datetime.timedelta(days=delay_days)
    try:
        with transaction.atomic():
            wave = wave_schedule(
                job=job,
                name=f"Follow-up: {idea.title}"[:200],
                kind=SurveyWave.Kind.FOLLOW_UP,
                opens_at=opens_at,
                closes_at=opens_at + datetime.timedelta(days=open_days),
                outcomes=outcomes,
                segments=segments,
                min_respondents=min_respondents,
            )
            follow_up = FollowUp.objects.create(idea=idea, wave=wave, baseline_wave=baseline, scheduled_by=user)
    except WaveError as error:
        raise FollowUpError(str(error)) from None
    except IntegrityError:
        raise FollowUpError(_("This idea already has a follow-up under way: wait for its result.")) from None
    if delay_days == 0:
        wave_open(wave_id=wave.pk, now=now)
        wave.refresh_from_db()  # opened through its own locked row
    return follow_up


def follow_up_invite_unlocked(wave: SurveyWave) -> None:
    """Invite the respondents of a follow-up wave that has just opened (the wave opened hook).

    The caller (``scoring.services.waves.wave_open``) holds the wave's row lock and opens a wave
    once; the outbox event is keyed on the follow-up as well, so nobody is invited twice. Who is
    invited is ``impact.selectors.follow_up_invitees``, read when the event is processed.
    """
    follow_up = FollowUp.objects.filter(wave=wave).first()
    if follow_up is not None:
        notification_kinds.follow_up_invitation(follow_up=follow_up)


def follow_up_close(*, follow_up: FollowUp) -> bool:
    """Close the follow-up's wave now (staff), which computes the result; whether this call closed it.

    Raises FollowUpError for a wave that has not opened yet.
    """
    if follow_up.wave.status == SurveyWave.Status.SCHEDULED:
        raise FollowUpError(_("The follow-up survey has not opened yet: there is nothing to close."))
    return wave_close(wave_id=follow_up.wave_id)


def _outcome_verdict(change: formulas.ProportionChange) -> str:
    if change.p_value is None:
        return Verdict.TOO_FEW
    if change.p_value < SIGNIFICANCE_LEVEL:
        return Verdict.IMPROVED if change.difference > 0 else Verdict.WORSENED
    return Verdict.NO_CHANGE


def _overall_verdict(verdicts: list[str]) -> str:
    """Improved: a significant rise on an outcome and a fall on none; worse: the reverse; not enough
    answers when no outcome had enough; otherwise no measurable change (mixed results included)."""
    improved, worsened = Verdict.IMPROVED in verdicts, Verdict.WORSENED in verdicts
    if improved and not worsened:
        return Verdict.IMPROVED
    if worsened and not improved:
        return Verdict.WORSENED
    if all(verdict == Verdict.TOO_FEW for verdict in verdicts):
        return Verdict.TOO_FEW
    return Verdict.NO_CHANGE


def follow_up_result_compute_unlocked(wave: SurveyWave) -> FollowUp | None:
    """Compute and publish the result of the follow-up whose wave has just closed (the closed hook).

    Under the follow-up's row lock and only while it is pending: one GROUP BY of the two waves'
    ratings on its outcomes, in its segments; per outcome the before/after counts and the
    two-proportion z-test of the satisfied share (none below the wave's minimum respondents); the
    verdict; reputation for a measured improvement (the ledger's key makes it once per idea); the
    author and followers told (the outbox key makes it once per follow-up).
    """
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",)).select_related("idea", "wave").filter(wave=wave).first()
    )
    if follow_up is None or follow_up.verdict != Verdict.PENDING:
        return follow_up
    outcome_ids = sorted(wave.outcomes.values_list("pk", flat=True))
    counts = wave_counts(
        wave_ids=[follow_up.baseline_wave_id, wave.pk],
        outcome_ids=outcome_ids,
        segment_ids=wave.segments.values_list("pk", flat=True),
    )
    results = []
    for outcome_id in outcome_ids:
        before = counts.get((follow_up.baseline_wave_id, outcome_id), (0, 0, 0))
        after = counts.get((wave.pk, outcome_id), (0, 0, 0))
        change = formulas.proportion_change(
            successes_before=before[2],
            n_before=before[0],
            successes_after=after[2],
            n_after=after[0],
            min_sample=wave.min_respondents,
        )
        results.append(
            OutcomeResult(
                follow_up=follow_up,
                outcome_id=outcome_id,
                before_respondents=before[0],
                before_important=before[1],
                before_satisfied=before[2],
                after_respondents=after[0],
                after_important=after[1],
                after_satisfied=after[2],
                z=change.z,
                p_value=change.p_value,
                verdict=_outcome_verdict(change),
            )
        )
    OutcomeResult.objects.bulk_create(results)
    follow_up.verdict = _overall_verdict([result.verdict for result in results])
    follow_up.result_computed_at = timezone.now()
    follow_up.save(update_fields=["verdict", "result_computed_at"])
    if follow_up.verdict == Verdict.IMPROVED:
        improvement_measured_award(idea=follow_up.idea)
    notification_kinds.follow_up_result(follow_up=follow_up)
    return follow_up
